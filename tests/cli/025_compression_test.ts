import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import { runOurs, runSkopeo } from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";

const DEMO = "oci:tests/fixtures/oci:demo";
const digests = JSON.parse(
  await Deno.readTextFile("tests/fixtures/digests.json"),
);

async function manifestOf(
  layout: string,
): Promise<{ layers: { mediaType: string; digest: string }[] }> {
  const index = JSON.parse(await Deno.readTextFile(`${layout}/index.json`));
  return JSON.parse(
    await Deno.readTextFile(
      `${layout}/blobs/sha256/${index.manifests[0].digest.slice(7)}`,
    ),
  );
}

Deno.test("--dest-decompress stores uncompressed layers whose digests are the diffIDs", async () => {
  await using tmp = await makeTempDir();
  const result = await runOurs([
    "copy",
    "-q",
    "--dest-decompress",
    DEMO,
    `dir:${tmp.path}/d`,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const manifest = JSON.parse(
    await Deno.readTextFile(`${tmp.path}/d/manifest.json`),
  );
  assert.deepEqual(
    manifest.layers.map((l: { digest: string }) => l.digest),
    digests["oci:demo"].diffIds,
  );
  assert.ok(
    manifest.layers.every((l: { mediaType: string }) =>
      l.mediaType === "application/vnd.oci.image.layer.v1.tar"
    ),
  );
});

Deno.test("an oci: destination compresses uncompressed layers back, unless told to accept them", async () => {
  await using tmp = await makeTempDir();
  assert.equal(
    (await runOurs([
      "copy",
      "-q",
      "--dest-decompress",
      DEMO,
      `dir:${tmp.path}/d`,
    ])).code,
    0,
  );
  const back = await runOurs([
    "copy",
    "-q",
    `dir:${tmp.path}/d`,
    `oci:${tmp.path}/o:x`,
  ]);
  assert.equal(back.code, 0, back.stderr);
  const manifest = await manifestOf(`${tmp.path}/o`);
  assert.ok(manifest.layers.every((l) => l.mediaType.endsWith("+gzip")));
  // The fixtures were gzipped by the same zlib: the round trip is exact.
  const index = JSON.parse(await Deno.readTextFile(`${tmp.path}/o/index.json`));
  assert.equal(index.manifests[0].digest, digests["oci:demo"].manifest);

  const keep = await runOurs([
    "copy",
    "-q",
    "--dest-oci-accept-uncompressed-layers",
    `dir:${tmp.path}/d`,
    `oci:${tmp.path}/u:x`,
  ]);
  assert.equal(keep.code, 0, keep.stderr);
  assert.ok(
    (await manifestOf(`${tmp.path}/u`)).layers.every((l) =>
      l.mediaType.endsWith(".tar")
    ),
  );
});

Deno.test("--dest-compress-format zstd recompresses layers for oci:", async () => {
  await using tmp = await makeTempDir();
  const result = await runOurs([
    "copy",
    "-q",
    "--dest-compress-format",
    "zstd",
    DEMO,
    `oci:${tmp.path}/z:x`,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const manifest = await manifestOf(`${tmp.path}/z`);
  for (const layer of manifest.layers) {
    assert.equal(
      layer.mediaType,
      "application/vnd.oci.image.layer.v1.tar+zstd",
    );
    const head = (await Deno.readFile(
      `${tmp.path}/z/blobs/sha256/${layer.digest.slice(7)}`,
    )).subarray(0, 4);
    assert.deepEqual([...head], [0x28, 0xb5, 0x2f, 0xfd]);
  }
  const decompressed = await runOurs([
    "copy",
    "-q",
    "--dest-decompress",
    `oci:${tmp.path}/z:x`,
    `dir:${tmp.path}/d`,
  ]);
  assert.equal(decompressed.code, 0, decompressed.stderr);
  const plain = JSON.parse(
    await Deno.readTextFile(`${tmp.path}/d/manifest.json`),
  );
  assert.deepEqual(
    plain.layers.map((l: { digest: string }) => l.digest),
    digests["oci:demo"].diffIds,
  );
});

Deno.test("--preserve-digests keeps layers as they are, like skopeo", async () => {
  await using tmp = await makeTempDir();
  const result = await runOurs([
    "copy",
    "-q",
    "--preserve-digests",
    "--dest-decompress",
    DEMO,
    `dir:${tmp.path}/d`,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const manifest = await Deno.readFile(`${tmp.path}/d/manifest.json`);
  const digest = await runOurs([
    "manifest-digest",
    `${tmp.path}/d/manifest.json`,
  ]);
  assert.equal(
    digest.stdout.trim(),
    digests["oci:demo"].manifest,
    "layers must stay as they are",
  );
  assert.ok(manifest.length > 0);
  const zstd = await runOurs([
    "copy",
    "-q",
    "--preserve-digests",
    "--dest-compress-format",
    "zstd",
    DEMO,
    `oci:${tmp.path}/z:x`,
  ]);
  assert.equal(zstd.code, 0, zstd.stderr);
  assert.equal(
    JSON.parse(await Deno.readTextFile(`${tmp.path}/z/index.json`)).manifests[0]
      .digest,
    digests["oci:demo"].manifest,
  );
});

Deno.test("--dest-compress-format rejects unknown algorithms", async () => {
  const result = await runOurs([
    "copy",
    "--dest-compress-format",
    "lz4",
    DEMO,
    "dir:/tmp/never",
  ]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /unknown compression algorithm lz4/);
});

componentTest({
  name:
    "compression changes agree with skopeo 1.9.3 (decompress byte-identical; zstd read by skopeo)",
  components: ["skopeo"],
  async fn() {
    await using tmp = await makeTempDir();
    assert.equal(
      (await runOurs([
        "copy",
        "-q",
        "--dest-decompress",
        DEMO,
        `dir:${tmp.path}/ours`,
      ])).code,
      0,
    );
    assert.equal(
      (await runSkopeo([
        "copy",
        "--dest-decompress",
        DEMO,
        `dir:${tmp.path}/theirs`,
      ])).code,
      0,
    );
    for await (const entry of Deno.readDir(`${tmp.path}/theirs`)) {
      assert.deepEqual(
        await Deno.readFile(`${tmp.path}/ours/${entry.name}`),
        await Deno.readFile(`${tmp.path}/theirs/${entry.name}`),
        entry.name,
      );
    }
    assert.equal(
      (await runOurs([
        "copy",
        "-q",
        "--dest-compress-format",
        "zstd",
        DEMO,
        `oci:${tmp.path}/z:x`,
      ])).code,
      0,
    );
    const read = await runSkopeo([
      "copy",
      "--dest-decompress",
      `oci:${tmp.path}/z:x`,
      `dir:${tmp.path}/viaskopeo`,
    ]);
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(`${tmp.path}/viaskopeo/manifest.json`))
        .layers.map((l: { digest: string }) => l.digest),
      digests["oci:demo"].diffIds,
    );
  },
});
