/**
 * Differential tests against skopeo 1.9.3: every case of testdata/cases.ts
 * is run by the real skopeo on a local OCI layout (when skopeo is installed)
 * and by formatReport(); the outputs must be identical. skopeo's results are
 * committed in testdata/skopeo_1.9.3_inspect.json so the comparison also
 * runs without skopeo. `UPDATE_GOLDEN=1` rewrites that file from skopeo.
 */
import assert from "node:assert/strict";
import { componentTest } from "../../tests/support/components.ts";
import {
  formatReport,
  inspectOutputValue,
  ociConfigValue,
  TemplateError,
} from "./mod.ts";
import { unquote } from "./strconv.ts";
import { FORMAT_CASES, type FormatCase } from "./testdata/cases.ts";
import {
  inspectFields,
  ociConfigOf,
  writeOciLayout,
} from "./testdata/images.ts";

const GOLDEN_URL = new URL(
  "./testdata/skopeo_1.9.3_inspect.json",
  import.meta.url,
);

interface Outcome {
  /** What was written to stdout. */
  stdout: string;
  /** The error message (skopeo's logrus `msg`), or null on success. */
  error: string | null;
}

interface GoldenCase extends FormatCase, Outcome {}

// skopeo wraps errors of `inspect --config` (cmd/skopeo/inspect.go).
const CONFIG_ERROR =
  "Error writing OCI-formatted configuration data to standard output: ";

function ours(c: FormatCase): Outcome {
  const data = c.config
    ? ociConfigValue(ociConfigOf(c.image))
    : inspectOutputValue(inspectFields(c.image));
  try {
    return { stdout: formatReport(c.format, data), error: null };
  } catch (e) {
    if (e instanceof TemplateError) {
      return {
        stdout: e.output,
        error: (c.config ? CONFIG_ERROR : "") + e.message,
      };
    }
    throw e;
  }
}

async function readGolden(): Promise<GoldenCase[]> {
  return JSON.parse(await Deno.readTextFile(GOLDEN_URL)).cases;
}

// skopeo exits through logrus.Fatal: `time="…" level=fatal msg="…"`, with
// the message quoted as Go's %q does.
function fatalMessage(stderr: string): string {
  const m = /level=fatal msg=("(?:[^"\\]|\\.)*")/.exec(stderr);
  if (!m) throw new Error(`no fatal message in skopeo's stderr: ${stderr}`);
  return unquote(m[1]!);
}

async function runSkopeoFormat(dir: string, c: FormatCase): Promise<Outcome> {
  const { code, stdout, stderr } = await new Deno.Command("skopeo", {
    args: [
      "--insecure-policy",
      "inspect",
      ...(c.config ? ["--config"] : []),
      "--format",
      c.format,
      `oci:${dir}:${c.image}`,
    ],
    env: { HOME: dir, TZ: "UTC" },
    stdin: "null",
  }).output();
  const text = new TextDecoder();
  return {
    stdout: text.decode(stdout),
    error: code === 0 ? null : fatalMessage(text.decode(stderr)),
  };
}

Deno.test("formatReport() matches skopeo 1.9.3's recorded output for every case", async () => {
  const golden = await readGolden();
  assert.deepEqual(
    golden.map((g) => ({
      image: g.image,
      format: g.format,
      config: g.config ?? false,
    })),
    FORMAT_CASES.map((c) => ({
      image: c.image,
      format: c.format,
      config: c.config ?? false,
    })),
    "testdata/cases.ts and the golden file differ; rerun with UPDATE_GOLDEN=1",
  );
  assert.ok(golden.length >= 30);
  assert.ok(
    golden.some((g) => g.error !== null) &&
      golden.some((g) => g.error === null),
  );
  for (const g of golden) {
    const got = ours(g);
    assert.deepEqual(
      got,
      { stdout: g.stdout, error: g.error },
      `${g.image}: ${g.format}`,
    );
  }
});

componentTest({
  name: "formatReport() matches the real skopeo on a local OCI layout",
  components: ["skopeo"],
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "skopeo-ts-template-" });
    try {
      await writeOciLayout(dir);
      const results: GoldenCase[] = [];
      // A few at a time: each run is a short-lived process.
      for (let i = 0; i < FORMAT_CASES.length; i += 8) {
        const batch = FORMAT_CASES.slice(i, i + 8);
        const outcomes = await Promise.all(
          batch.map((c) => runSkopeoFormat(dir, c)),
        );
        batch.forEach((c, j) => results.push({ ...c, ...outcomes[j]! }));
      }
      if (Deno.env.get("UPDATE_GOLDEN") === "1") {
        await Deno.writeTextFile(
          GOLDEN_URL,
          JSON.stringify({ skopeo: "1.9.3", cases: results }, null, 2) + "\n",
        );
      }
      const golden = await readGolden();
      for (const [i, r] of results.entries()) {
        const where = `${r.image}${r.config ? " --config" : ""}: ${r.format}`;
        assert.deepEqual(ours(r), { stdout: r.stdout, error: r.error }, where);
        assert.deepEqual(golden[i], r, `golden file is stale for ${where}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
