import assert from "node:assert/strict";
import { ImageNotFoundError, InvalidContentError } from "../../core/errors.ts";
import type { Descriptor, Digest } from "../../core/types.ts";
import { componentTest } from "../../tests/support/components.ts";
import {
  addToIndex,
  ociBlobPath,
  type OciIndexFile,
  readIndexFile,
  REF_NAME_ANNOTATION,
  writeIndexFile,
} from "./layout.ts";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const D1 = `sha256:${"1".repeat(64)}` as Digest;
const D2 = `sha256:${"2".repeat(64)}` as Digest;

function entry(digest: Digest, name?: string): Descriptor {
  return {
    mediaType: OCI_MANIFEST,
    digest,
    size: 555,
    ...(name ? { annotations: { [REF_NAME_ANNOTATION]: name } } : {}),
  };
}

/** Each entry as `digest-initial:name` (`-` when unnamed). */
function summary(index: OciIndexFile): string[] {
  return index.manifests.map((m) =>
    `${m.digest.slice(7, 8)}:${m.annotations?.[REF_NAME_ANNOTATION] ?? "-"}`
  );
}

Deno.test("ociBlobPath() places blobs under blobs/<algorithm>/<hex>", () => {
  assert.equal(ociBlobPath("/l", D1), `/l/blobs/sha256/${"1".repeat(64)}`);
  const sha512 = `sha512:${"a".repeat(128)}` as Digest;
  assert.equal(ociBlobPath("/l", sha512), `/l/blobs/sha512/${"a".repeat(128)}`);
  assert.equal(
    ociBlobPath("/l", D1, "/shared"),
    `/shared/sha256/${"1".repeat(64)}`,
  );
});

Deno.test("addToIndex() moves a name and replaces unnamed twins as skopeo does", () => {
  // The sequence and every expected state were observed with skopeo 1.9.3
  // copying into one layout (see the component test below).
  const index: OciIndexFile = { schemaVersion: 2, manifests: [] };
  addToIndex(index, entry(D1, "a"));
  addToIndex(index, entry(D1, "b"));
  assert.deepEqual(summary(index), ["1:a", "1:b"]);
  // A new image under "a": the old entry keeps its place, without a name.
  addToIndex(index, entry(D2, "a"));
  assert.deepEqual(summary(index), ["1:-", "1:b", "2:a"]);
  assert.equal(index.manifests[0]!.annotations, undefined);
  // "b" again: its old entry loses the name, then the first unnamed entry
  // with the same digest is replaced.
  addToIndex(index, entry(D1, "b"));
  assert.deepEqual(summary(index), ["1:b", "1:-", "2:a"]);
  // No name: replaces the unnamed twin, adds nothing.
  addToIndex(index, entry(D1));
  assert.deepEqual(summary(index), ["1:b", "1:-", "2:a"]);
  // A new digest without a name is appended.
  addToIndex(index, entry(`sha256:${"3".repeat(64)}` as Digest));
  assert.deepEqual(summary(index), ["1:b", "1:-", "2:a", "3:-"]);
});

Deno.test("addToIndex() keeps other annotations of the entry it takes a name from", () => {
  const index: OciIndexFile = {
    schemaVersion: 2,
    manifests: [{
      ...entry(D1),
      annotations: { [REF_NAME_ANNOTATION]: "a", "org.example": "kept" },
    }],
  };
  addToIndex(index, entry(D2, "a"));
  assert.deepEqual(index.manifests[0]!.annotations, { "org.example": "kept" });
  assert.deepEqual(summary(index), ["1:-", "2:a"]);
});

async function withLayout(
  indexText: string | undefined,
  fn: (root: string) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "oci_layout_" });
  try {
    if (indexText !== undefined) {
      await Deno.writeTextFile(`${root}/index.json`, indexText);
    }
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("readIndexFile() reads a valid index, keeping what it does not know", async () => {
  const text = JSON.stringify({
    schemaVersion: 2,
    manifests: [entry(D1, "a")],
    extra: true,
  });
  await withLayout(text, async (root) => {
    const index = await readIndexFile(root);
    assert.equal(index.schemaVersion, 2);
    assert.deepEqual(index.manifests, [entry(D1, "a")]);
    assert.equal(index.extra, true);
  });
});

Deno.test("readIndexFile() rejects malformed index files", async () => {
  const cases: Array<[string, RegExp]> = [
    ["{not json", /^Invalid .*index\.json: /],
    ["null", /no "manifests" array/],
    ["[]", /no "manifests" array/],
    ['{"schemaVersion":2}', /no "manifests" array/],
    ['{"manifests":{}}', /no "manifests" array/],
    ['{"manifests":[null]}', /lacks mediaType or size/],
    [
      JSON.stringify({ manifests: [{ digest: D1, size: 1 }] }),
      /lacks mediaType or size/,
    ],
    [
      JSON.stringify({ manifests: [{ mediaType: OCI_MANIFEST, digest: D1 }] }),
      /lacks mediaType or size/,
    ],
    [
      JSON.stringify({
        manifests: [{ mediaType: OCI_MANIFEST, digest: "sha256:abc", size: 1 }],
      }),
      /Invalid digest "sha256:abc"/,
    ],
    [
      JSON.stringify({
        manifests: [{ mediaType: OCI_MANIFEST, size: 1 }],
      }),
      /Invalid digest "undefined"/,
    ],
  ];
  for (const [text, message] of cases) {
    await withLayout(text, async (root) => {
      await assert.rejects(readIndexFile(root), (error: unknown) => {
        assert.ok(error instanceof InvalidContentError, `${text}: ${error}`);
        assert.match(error.message, message, text);
        return true;
      });
    });
  }
});

Deno.test("readIndexFile() words a missing file like Go and marks it not found", async () => {
  await withLayout(undefined, async (root) => {
    await assert.rejects(readIndexFile(root), (error: unknown) => {
      assert.ok(error instanceof ImageNotFoundError, String(error));
      assert.equal(
        error.message,
        `open ${root}/index.json: no such file or directory`,
      );
      return true;
    });
  });
});

Deno.test("writeIndexFile() writes Go's bytes and no temporary file", async () => {
  await withLayout(undefined, async (root) => {
    const index = {
      extra: "dropped",
      manifests: [
        {
          size: 555,
          digest: D1,
          mediaType: OCI_MANIFEST,
          annotations: { z: "1", [REF_NAME_ANNOTATION]: "a<b>&" },
          platform: {
            os: "linux",
            architecture: "arm64",
            variant: "v8",
            "os.features": [],
          },
          unknown: 1,
        },
        entry(D2),
      ],
      schemaVersion: 2,
      annotations: {},
    } as OciIndexFile;
    await writeIndexFile(root, index);
    assert.equal(
      await Deno.readTextFile(`${root}/index.json`),
      `{"schemaVersion":2,"manifests":[{"mediaType":"${OCI_MANIFEST}","digest":"${D1}","size":555,` +
        `"annotations":{"org.opencontainers.image.ref.name":"a\\u003cb\\u003e\\u0026","z":"1"},` +
        `"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},` +
        `{"mediaType":"${OCI_MANIFEST}","digest":"${D2}","size":555}]}`,
    );
    const names = [];
    for await (const e of Deno.readDir(root)) names.push(e.name);
    assert.deepEqual(names, ["index.json"]);
    // What it wrote reads back.
    assert.equal((await readIndexFile(root)).manifests.length, 2);
  });
});

/** Runs skopeo; throws with its stderr on failure. */
async function skopeo(...args: string[]): Promise<void> {
  const out = await new Deno.Command("skopeo", {
    args,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

componentTest({
  name: "addToIndex() and writeIndexFile() give skopeo's index.json bytes",
  components: ["skopeo"],
  async fn() {
    const fixtures = new URL("../../tests/fixtures/", import.meta.url).pathname;
    const oci = `oci:${fixtures}oci:demo`;
    const docker = `dir:${fixtures}dir/docker-v2`;
    const steps: Array<[string, string | undefined]> = [
      [oci, "a"],
      [oci, "b"],
      [docker, "a"],
      [oci, "b"],
      [oci, undefined],
    ];
    await withLayout(undefined, async (tmp) => {
      const theirs = `${tmp}/theirs`;
      for (const [source, name] of steps) {
        await skopeo(
          "copy",
          "--insecure-policy",
          source,
          `oci:${theirs}${name ? `:${name}` : ""}`,
        );
      }
      const result = await readIndexFile(theirs);
      // The manifests skopeo wrote, by source: replay our index logic.
      const descriptorOf = new Map<string, Descriptor>();
      descriptorOf.set(oci, { ...result.manifests[0]!, annotations: {} });
      descriptorOf.set(docker, { ...result.manifests[2]!, annotations: {} });
      const ours: OciIndexFile = { schemaVersion: 2, manifests: [] };
      for (const [source, name] of steps) {
        const { annotations: _, ...descriptor } = descriptorOf.get(source)!;
        addToIndex(
          ours,
          name
            ? { ...descriptor, annotations: { [REF_NAME_ANNOTATION]: name } }
            : descriptor,
        );
      }
      await Deno.mkdir(`${tmp}/ours`);
      await writeIndexFile(`${tmp}/ours`, ours);
      assert.equal(
        await Deno.readTextFile(`${tmp}/ours/index.json`),
        await Deno.readTextFile(`${theirs}/index.json`),
      );
    });
  },
});
