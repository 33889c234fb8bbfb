/**
 * The copy matrix: every source transport × every destination transport,
 * single-arch (oci:demo) and multi-arch (`--all` of oci:multi, where both
 * ends store lists). skopeo 1.9.3 is the oracle: it makes the same copy
 * into a twin destination, and each result must
 * - read back through our CLI (`inspect --raw`) as the bytes skopeo reads,
 * - equal skopeo's result's raw manifest (so, for every format that keeps
 *   the manifest, the source's digest),
 * - pass `skopeo inspect`,
 * - hold the same blobs: `skopeo copy` (which verifies every digest) of our
 *   result and of skopeo's into `dir:` gives identical files.
 * One registry serves the whole file.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { componentTest } from "./support/components.ts";
import { type RunningRegistry, startRegistry } from "./support/registry.ts";
import { runOurs, type RunResult, runSkopeo } from "./support/skopeo.ts";
import { makeTempDir } from "./support/temp_dir.ts";
import { BUILTIN_TRANSPORTS } from "../transports/builtin.ts";

const fixtureDigests = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/digests.json", import.meta.url)),
);

/** Where one image lives, per transport. */
interface Place {
  /** Transport name, as in `transports/builtin.ts`. */
  transport: string;
  /** Whether it stores manifest lists (so `--all` keeps the list). */
  storesLists: boolean;
  /** The reference of an image named `name` under `root`. */
  ref(root: string, registry: RunningRegistry, name: string): string;
}

/** One table entry per transport. */
const ALL_PLACES: readonly Place[] = [
  {
    transport: "oci",
    storesLists: true,
    ref: (root, _, name) => `oci:${join(root, "oci", name)}:${name}`,
  },
  {
    transport: "dir",
    storesLists: true,
    ref: (root, _, name) => `dir:${join(root, "dir", name)}`,
  },
  {
    transport: "docker",
    storesLists: true,
    ref: (_, registry, name) => `docker://${registry.host}/matrix/${name}:t`,
  },
  {
    transport: "docker-archive",
    storesLists: false,
    ref: (root, _, name) =>
      `docker-archive:${join(root, "docker-archive", `${name}.tar`)}`,
  },
  {
    transport: "oci-archive",
    storesLists: true,
    ref: (root, _, name) =>
      `oci-archive:${join(root, "oci-archive", `${name}.tar`)}:${name}`,
  },
];
const PLACES: readonly Place[] = ALL_PLACES.filter((p) =>
  p.transport in BUILTIN_TRANSPORTS
);

/** Flags for a plain-HTTP registry on either side. */
const TLS = [
  "--src-tls-verify=false",
  "--dest-tls-verify=false",
];

function ok(what: string, result: RunResult): RunResult {
  if (result.code !== 0) {
    throw new Error(`${what} exited ${result.code}: ${result.stderr.trim()}`);
  }
  return result;
}

async function readTree(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile) {
      out.set(entry.name, await Deno.readFile(join(dir, entry.name)));
    }
  }
  return out;
}

/** A manifest's JSON with its layers' digests and sizes blanked. */
function withoutLayerDigests(raw: string): string {
  const json = JSON.parse(raw);
  for (const layer of json.layers ?? []) {
    layer.digest = "";
    layer.size = 0;
  }
  return JSON.stringify(json);
}

/** Runs `jobs` with at most `limit` at once, collecting failures. */
async function runBounded(
  jobs: (() => Promise<void>)[],
  limit: number,
): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      try {
        await job();
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return failures;
}

componentTest({
  name:
    "copy matrix: every transport pair, single- and multi-arch, agrees with skopeo 1.9.3",
  components: ["skopeo", "docker-registry"],
  fn: async () => {
    await using registry = await startRegistry();
    await using tmp = await makeTempDir("skopeo-ts-matrix-");
    const root = tmp.path;
    for (const p of PLACES) await Deno.mkdir(join(root, p.transport));
    await Deno.mkdir(join(root, "check"));
    const tls = (transport: string, flag: string): string[] =>
      transport === "docker" ? [flag] : [];

    // Sources: the fixtures, placed in every transport by skopeo itself.
    const demoRef = (p: Place): string =>
      p.transport === "oci"
        ? "oci:tests/fixtures/oci:demo"
        : p.ref(root, registry, "src-demo");
    const multiRef = (p: Place): string =>
      p.transport === "oci"
        ? "oci:tests/fixtures/oci:multi"
        : p.ref(root, registry, "src-multi");
    await Promise.all(
      PLACES.filter((p) => p.transport !== "oci").map(
        async (p) => {
          ok(
            `skopeo copy demo → ${p.transport}`,
            await runSkopeo([
              "copy",
              "-q",
              ...TLS,
              "oci:tests/fixtures/oci:demo",
              demoRef(p),
            ]),
          );
          if (p.storesLists) {
            ok(
              `skopeo copy multi → ${p.transport}`,
              await runSkopeo([
                "copy",
                "-q",
                "--all",
                ...TLS,
                "oci:tests/fixtures/oci:multi",
                multiRef(p),
              ]),
            );
          }
        },
      ),
    );

    let checked = 0;
    const jobs: (() => Promise<void>)[] = [];
    for (const multi of [false, true]) {
      for (const from of PLACES) {
        for (const to of PLACES) {
          if (multi && !(from.storesLists && to.storesLists)) continue;
          jobs.push(async () => {
            const tag = `${
              multi ? "multi" : "demo"
            }-${from.transport}-to-${to.transport}`;
            const label = `${
              multi ? "multi-arch" : "single-arch"
            } ${from.transport} → ${to.transport}`;
            const src = multi ? multiRef(from) : demoRef(from);
            const ours = to.ref(root, registry, `ours-${tag}`);
            const theirs = to.ref(root, registry, `skopeo-${tag}`);
            const all = multi ? ["--all"] : [];
            const copyOurs = await runOurs([
              "copy",
              "-q",
              ...all,
              ...TLS,
              src,
              ours,
            ]);
            ok(`${label}: our copy`, copyOurs);
            ok(
              `${label}: skopeo copy`,
              await runSkopeo(["copy", "-q", ...all, ...TLS, src, theirs]),
            );
            const inspectTls = tls(to.transport, "--tls-verify=false");
            const ourRaw = ok(
              `${label}: our inspect --raw`,
              await runOurs(["inspect", "--raw", ...inspectTls, ours]),
            ).stdout;
            const skopeoRaw = ok(
              `${label}: skopeo inspect --raw`,
              await runSkopeo(["inspect", "--raw", ...inspectTls, ours]),
            ).stdout;
            const expectedRaw = ok(
              `${label}: skopeo inspect --raw of skopeo's copy`,
              await runSkopeo(["inspect", "--raw", ...inspectTls, theirs]),
            ).stdout;
            if (ourRaw !== skopeoRaw) {
              throw new Error(`${label}: we read back other bytes than skopeo`);
            }
            // docker-archive holds plain tar: both tools gzip it for
            // destinations wanting compression, but Go's deflate and zlib
            // emit other bytes. Then only layer digests/sizes may differ,
            // and the content is compared decompressed.
            const recompressed = from.transport === "docker-archive" &&
              ourRaw !== expectedRaw &&
              withoutLayerDigests(ourRaw) === withoutLayerDigests(expectedRaw);
            if (ourRaw !== expectedRaw && !recompressed) {
              throw new Error(
                `${label}: manifest differs from skopeo's copy:\n${ourRaw}\nvs\n${expectedRaw}`,
              );
            }
            if (
              to.transport !== "docker-archive" &&
              from.transport !== "docker-archive"
            ) {
              // Formats that keep the manifest keep the source's digest.
              const want = fixtureDigests[multi ? "oci:multi" : "oci:demo"]
                .manifest;
              const got = `sha256:${
                createHash("sha256").update(ourRaw).digest("hex")
              }`;
              if (got !== want) {
                throw new Error(`${label}: digest ${got}, source ${want}`);
              }
            }
            if (!multi) {
              ok(
                `${label}: skopeo inspect`,
                await runSkopeo(["inspect", ...inspectTls, ours]),
              );
            }
            // Blobs: skopeo verifies each digest while copying them out.
            const a = join(root, "check", `ours-${tag}`);
            const b = join(root, "check", `skopeo-${tag}`);
            const srcTls = tls(to.transport, "--src-tls-verify=false");
            ok(
              `${label}: skopeo reads our blobs`,
              await runSkopeo([
                "copy",
                "-q",
                ...all,
                ...srcTls,
                ...(recompressed ? ["--dest-decompress"] : []),
                ours,
                `dir:${a}`,
              ]),
            );
            ok(
              `${label}: skopeo reads its blobs`,
              await runSkopeo([
                "copy",
                "-q",
                ...all,
                ...srcTls,
                ...(recompressed ? ["--dest-decompress"] : []),
                theirs,
                `dir:${b}`,
              ]),
            );
            const [ta, tb] = [await readTree(a), await readTree(b)];
            assert.deepEqual(
              [...ta.keys()].sort(),
              [...tb.keys()].sort(),
              label,
            );
            for (const [name, bytes] of ta) {
              if (
                !bytes.every((v, i) => tb.get(name)![i] === v) ||
                bytes.length !== tb.get(name)!.length
              ) {
                throw new Error(`${label}: ${name} differs from skopeo's copy`);
              }
            }
            checked++;
          });
        }
      }
    }
    const failures = await runBounded(jobs, 4);
    assert.deepEqual(failures, [], failures.join("\n"));
    assert.equal(checked, jobs.length);
    assert.ok(checked >= 9 + 4, `only ${checked} pairs`);
  },
});
