/**
 * Plugins loaded end to end through our CLI: the example `kvdir` plugin
 * copies to and from `oci:`, `dir:` and a real registry; plugins come from
 * `--transport-plugin` and `SKOPEO_TS_PLUGINS`; broken plugins fail with one
 * line and exit 1.
 */
import assert from "node:assert/strict";
import { componentTest } from "./support/components.ts";
import { startRegistry } from "./support/registry.ts";
import { runOurs, type RunResult } from "./support/skopeo.ts";
import { makeTempDir } from "./support/temp_dir.ts";

const KVDIR = "plugins/examples/kv_dir/mod.ts";
const DEMO = "oci:tests/fixtures/oci:demo";
const demo = JSON.parse(
  await Deno.readTextFile(new URL("fixtures/digests.json", import.meta.url)),
)["oci:demo"] as { manifest: string; config: string; layers: string[] };

function ok(result: RunResult): RunResult {
  assert.equal(result.code, 0, result.stderr);
  return result;
}

function oneLineError(result: RunResult): string {
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  return lines[0]!;
}

async function sha256File(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return `sha256:${
    Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")
  }`;
}

Deno.test("--transport-plugin kvdir: oci → kvdir → dir and oci keeps every digest", async () => {
  await using tmp = await makeTempDir();
  const kv = `kvdir:${tmp.path}/kv`;
  ok(await runOurs(["--transport-plugin", KVDIR, "copy", "-q", DEMO, kv]));
  // The plugin persisted the image: a new process reads it back.
  ok(
    await runOurs([
      "--transport-plugin",
      KVDIR,
      "copy",
      "-q",
      kv,
      `dir:${tmp.path}/d`,
    ]),
  );
  assert.equal(await sha256File(`${tmp.path}/d/manifest.json`), demo.manifest);
  for (const digest of [demo.config, ...demo.layers]) {
    assert.equal(await sha256File(`${tmp.path}/d/${digest.slice(7)}`), digest);
  }
  ok(
    await runOurs([
      "--transport-plugin",
      KVDIR,
      "copy",
      "-q",
      kv,
      `oci:${tmp.path}/layout:demo`,
    ]),
  );
  const index = JSON.parse(
    await Deno.readTextFile(`${tmp.path}/layout/index.json`),
  );
  assert.equal(index.manifests[0].digest, demo.manifest);
  assert.equal(
    await sha256File(
      `${tmp.path}/layout/blobs/sha256/${demo.manifest.slice(7)}`,
    ),
    demo.manifest,
  );
  const inspected = ok(
    await runOurs(["--transport-plugin", KVDIR, "inspect", "--raw", kv]),
  );
  assert.equal(await sha256File(`${tmp.path}/d/manifest.json`), demo.manifest);
  assert.deepEqual(
    inspected.stdoutBytes,
    await Deno.readFile(`${tmp.path}/d/manifest.json`),
  );
});

Deno.test("SKOPEO_TS_PLUGINS loads plugins and help lists their transports", async () => {
  await using tmp = await makeTempDir();
  const env = { SKOPEO_TS_PLUGINS: `:${KVDIR}:` };
  const help = ok(await runOurs(["copy", "--help"], { env }));
  assert.match(help.stdout, /Supported transports:\n.*\bkvdir\b/);
  const plain = ok(await runOurs(["copy", "--help"]));
  assert.doesNotMatch(plain.stdout, /kvdir/);
  ok(await runOurs(["copy", "-q", DEMO, `kvdir:${tmp.path}/kv`], { env }));
  const raw = ok(
    await runOurs(["inspect", "--raw", `kvdir:${tmp.path}/kv`], { env }),
  );
  assert.equal(
    await sha256File(`${tmp.path}/kv/manifest`),
    demo.manifest,
  );
  assert.ok(raw.stdout.includes(demo.config));
  // The same plugin named twice (env and flag) loads once.
  ok(
    await runOurs(
      ["--transport-plugin", KVDIR, "inspect", "--raw", `kvdir:${tmp.path}/kv`],
      { env },
    ),
  );
});

Deno.test("without the plugin, kvdir: is an unknown transport", async () => {
  const line = oneLineError(await runOurs(["inspect", "kvdir:/nowhere"]));
  assert.match(line, /unknown transport \\?"kvdir\\?"/);
});

componentTest({
  name: "kvdir plugin copies to and from a real registry",
  components: ["docker-registry"],
  async fn() {
    await using registry = await startRegistry();
    await using tmp = await makeTempDir();
    const remote = `docker://${registry.host}/plugin/demo:1`;
    const plugin = ["--transport-plugin", KVDIR];
    ok(await runOurs([...plugin, "copy", "-q", DEMO, `kvdir:${tmp.path}/a`]));
    ok(
      await runOurs([
        ...plugin,
        "copy",
        "-q",
        "--dest-tls-verify=false",
        `kvdir:${tmp.path}/a`,
        remote,
      ]),
    );
    ok(
      await runOurs([
        ...plugin,
        "copy",
        "-q",
        "--src-tls-verify=false",
        remote,
        `kvdir:${tmp.path}/b`,
      ]),
    );
    assert.equal(await sha256File(`${tmp.path}/b/manifest`), demo.manifest);
    for (const digest of [demo.config, ...demo.layers]) {
      assert.equal(
        await sha256File(`${tmp.path}/b/blobs/sha256/${digest.slice(7)}`),
        digest,
      );
    }
  },
});

Deno.test("broken plugins fail with one line and exit 1", async (t) => {
  await using tmp = await makeTempDir();
  const good =
    'export const transport = { apiVersion: 1, name: "NAME", parseReference() { throw new Error("x"); } };\n';
  const files: Record<string, [string, RegExp]> = {
    "v2.js": [
      good.replace("NAME", "v2").replace("apiVersion: 1", "apiVersion: 2"),
      /transport API version 2 is not supported \(this build implements 1\)/,
    ],
    "no_export.js": [
      "export const other = 1;\n",
      /the module has no named export \\?"transport\\?"/,
    ],
    "clash.js": [
      good.replace("NAME", "oci"),
      /transport name \\?"oci\\?" clashes with a built-in transport/,
    ],
    "syntax.ts": [
      "export const transport = {\n  apiVersion: 1,,\n};\n",
      /SyntaxError: Unexpected token .* \(at file:\/\/\/.*syntax\.ts:2:\d+\)/,
    ],
    "throws.js": [
      'throw new Error("plugin exploded\\nsecond line");\n',
      /plugin exploded/,
    ],
  };
  for (const [name, [text, pattern]] of Object.entries(files)) {
    await Deno.writeTextFile(tmp.join(name), text);
    await t.step(name, async () => {
      const line = oneLineError(
        await runOurs([
          "--transport-plugin",
          tmp.join(name),
          "inspect",
          DEMO,
        ]),
      );
      assert.match(line, /level=fatal msg=.*Cannot load transport plugin/);
      assert.match(line, pattern);
    });
  }
  await t.step("missing file", async () => {
    const line = oneLineError(
      await runOurs(["copy", DEMO, "dir:/tmp/never"], {
        env: { SKOPEO_TS_PLUGINS: "does/not/exist.ts" },
      }),
    );
    assert.match(line, /Cannot load transport plugin .*no such file/);
  });
});
