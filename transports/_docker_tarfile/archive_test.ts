/**
 * The writer and the reader together: archives written here read back with
 * the right images, tags, sizes and bytes; layer files that are links or
 * compressed, and legacy-only archives, read correctly.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { digestOf } from "../../core/digest.ts";
import { DigestMismatchError } from "../../core/errors.ts";
import type { Digest } from "../../core/types.ts";
import { buildImage } from "../../tests/support/random_image.ts";
import { makeTempDir } from "../../tests/support/temp_dir.ts";
import { openArchiveOutput } from "../_archive/output_file.ts";
import { createTarWriter, type TarWriterEntry } from "../_tar/mod.ts";
import { loadArchiveImage } from "./image.ts";
import { legacyLayers } from "./legacy.ts";
import { DockerArchiveReader } from "./reader.ts";
import { DockerArchiveWriter } from "./writer.ts";

const bytesOf = async (s: ReadableStream<Uint8Array>) =>
  new Uint8Array(await new Response(s).arrayBuffer());

/** Two images sharing their base layer; layers stored uncompressed. */
function images() {
  const a = buildImage({
    seed: 1,
    layers: [{ size: 5000 }, { size: 700 }],
    compression: "none",
    format: "docker",
  });
  const b = buildImage({
    seed: 1,
    layers: [{ size: 5000 }, { size: 900, kind: "text" }],
    compression: "none",
    format: "docker",
    config: { created: "2020-01-01T00:00:00Z" },
  });
  assert.equal(a.layers[0]!.digest, b.layers[0]!.digest);
  return { a, b };
}

async function writeArchive(
  path: string,
  fn: (writer: DockerArchiveWriter) => Promise<void>,
): Promise<void> {
  const output = await openArchiveOutput(path);
  const writer = new DockerArchiveWriter(output.writable);
  try {
    await fn(writer);
    await writer.finish();
    await output.commit();
  } catch (error) {
    await writer.abort(error);
    await output.discard();
    throw error;
  }
}

async function put(
  writer: DockerArchiveWriter,
  image: ReturnType<typeof buildImage>,
  tags: Array<{ name: string; tag: string }>,
  options: { unknownSizes?: boolean; tmpDir?: string } = {},
): Promise<void> {
  for (const layer of image.layers) {
    await writer.putBlob(
      ReadableStream.from([layer.bytes]),
      options.unknownSizes ? {} : { digest: layer.digest, size: layer.size },
      { isConfig: false, tmpDir: options.tmpDir },
    );
  }
  await writer.putBlob(
    ReadableStream.from([image.config.bytes]),
    { digest: image.config.digest, size: image.config.size },
    { isConfig: true },
  );
  await writer.addImage(
    image.config.digest,
    image.layers.map((l) => l.digest),
    tags,
  );
}

Deno.test("DockerArchiveWriter output reads back: images by tag, index, tags listed, blobs exact", async () => {
  await using dir = await makeTempDir();
  const { a, b } = images();
  const path = dir.join("two.tar");
  await writeArchive(path, async (writer) => {
    await put(writer, a, [{ name: "docker.io/library/a", tag: "1" }]);
    await put(writer, b, [
      { name: "docker.io/library/b", tag: "1" },
      { name: "quay.io/x/b", tag: "2" },
    ]);
    // The same image again adds its tags to the same item.
    await put(writer, a, [{ name: "docker.io/library/a", tag: "2" }]);
  });
  await using reader = await DockerArchiveReader.open(path);
  assert.equal(reader.legacy, false);
  assert.deepEqual(reader.items.map((i) => i.RepoTags), [
    ["docker.io/library/a:1", "docker.io/library/a:2"],
    ["docker.io/library/b:1", "quay.io/x/b:2"],
  ]);
  assert.deepEqual(reader.listTags(), [
    "docker.io/library/a:1",
    "docker.io/library/a:2",
    "docker.io/library/b:1",
    "quay.io/x/b:2",
  ]);
  // The shared base layer is stored once.
  const layerFiles = reader.archive.index.entries.filter((e) =>
    e.type === "file" && e.name.endsWith(".tar")
  );
  assert.equal(layerFiles.length, 3);

  const byTag = reader.choose({ tag: "quay.io/x/b:2" });
  assert.equal(byTag.index, 1);
  assert.equal(byTag.tagIndex, 1);
  assert.equal(reader.choose({ index: 0 }).item, reader.items[0]);
  assert.throws(
    () => reader.choose({}),
    /^Error: Unexpected tar manifest.json: expected 1 item, got 2$/,
  );
  assert.throws(
    () => reader.choose({ index: 2 }),
    /^Error: Invalid source index @2, only 2 manifest items available$/,
  );
  assert.throws(
    () => reader.choose({ tag: "docker.io/library/c:1" }),
    /^Error: Tag "docker.io\/library\/c:1" not found$/,
  );

  const image = await loadArchiveImage(reader, byTag.item);
  assert.equal(image.configDigest, b.config.digest);
  const manifest = JSON.parse(new TextDecoder().decode(image.manifest()));
  assert.deepEqual(
    manifest.layers.map((l: { digest: string; size: number }) => [
      l.digest,
      l.size,
    ]),
    b.layers.map((l) => [l.diffId, l.uncompressedSize]),
  );
  for (const layer of b.layers) {
    const blob = await image.openBlob(layer.diffId);
    assert.equal(blob.size, layer.size);
    assert.deepEqual(await bytesOf(blob.stream), layer.bytes);
  }
  const config = await image.openBlob(b.config.digest);
  assert.deepEqual(await bytesOf(config.stream), b.config.bytes);
  await assert.rejects(
    image.openBlob(`sha256:${"0".repeat(64)}` as Digest),
    /not found/,
  );
});

Deno.test("DockerArchiveWriter spools blobs of unknown size and cleans up its temporary files", async () => {
  await using dir = await makeTempDir();
  const tmpDir = dir.join("tmp");
  await Deno.mkdir(tmpDir);
  const { a } = images();
  await writeArchive(dir.join("a.tar"), async (writer) => {
    await put(writer, a, [], { unknownSizes: true, tmpDir });
  });
  const left = [];
  for await (const entry of Deno.readDir(tmpDir)) left.push(entry.name);
  assert.deepEqual(left, []);
  await using reader = await DockerArchiveReader.open(dir.join("a.tar"));
  assert.deepEqual(reader.listTags(), ["@0"]);
  const image = await loadArchiveImage(reader, reader.choose({}).item);
  assert.deepEqual(image.diffIds, a.layers.map((l) => l.diffId));
});

Deno.test("DockerArchiveWriter refuses a blob that does not match its digest, and then everything", async () => {
  await using dir = await makeTempDir();
  const output = await openArchiveOutput(dir.join("bad.tar"));
  const writer = new DockerArchiveWriter(output.writable);
  const wrong = digestOf(new TextEncoder().encode("other"));
  await assert.rejects(
    writer.putBlob(ReadableStream.from([new Uint8Array(10)]), {
      digest: wrong,
      size: 10,
    }, { isConfig: false }),
    DigestMismatchError,
  );
  await assert.rejects(
    writer.putBlob(ReadableStream.from([new Uint8Array(1)]), {}, {
      isConfig: false,
    }),
    /cannot be written after an earlier error/,
  );
  await writer.abort();
  await output.discard();
  const left = [];
  for await (const entry of Deno.readDir(dir.path)) left.push(entry.name);
  assert.deepEqual(left, []);
});

async function tarFile(path: string, entries: TarWriterEntry[]): Promise<void> {
  const tar = createTarWriter();
  const saved = Deno.writeFile(path, tar.readable);
  for (const entry of entries) await tar.add(entry);
  await tar.close();
  await saved;
}

Deno.test("DockerArchiveReader follows docker 20.10's symlinked duplicate layers and reads compressed layer files", async () => {
  await using dir = await makeTempDir();
  const { a, b } = images();
  const base = a.layers[0]!;
  const gz = gzipSync(b.layers[1]!.bytes);
  const json = (value: unknown) =>
    new TextEncoder().encode(JSON.stringify(value));
  const path = dir.join("docker.tar");
  await tarFile(path, [
    { name: "a.json", body: a.config.bytes },
    { name: "b.json", body: b.config.bytes },
    { name: "l1/layer.tar", body: base.bytes },
    { name: "l2/layer.tar", body: a.layers[1]!.bytes },
    // Image b's base is a link to image a's, as docker save writes it.
    { name: "l3/layer.tar", type: "symlink", linkName: "../l1/layer.tar" },
    { name: "l4/layer.tar", body: gz },
    {
      name: "manifest.json",
      body: json([
        {
          Config: "a.json",
          RepoTags: ["a:1"],
          Layers: ["l1/layer.tar", "l2/layer.tar"],
        },
        {
          Config: "b.json",
          RepoTags: ["b:1"],
          Layers: ["l3/layer.tar", "l4/layer.tar"],
        },
      ]),
    },
  ]);
  await using reader = await DockerArchiveReader.open(path);
  assert.deepEqual(reader.listTags(), ["a:1", "b:1"]);
  const image = await loadArchiveImage(
    reader,
    reader.choose({ tag: "docker.io/library/b:1" }).item,
  );
  const manifest = JSON.parse(new TextDecoder().decode(image.manifest()));
  assert.deepEqual(
    manifest.layers.map((l: { size: number }) => l.size),
    [base.size, b.layers[1]!.size],
    "sizes are the linked file's and the uncompressed one's",
  );
  for (const layer of b.layers) {
    const blob = await image.openBlob(layer.diffId);
    const bytes = await bytesOf(blob.stream);
    assert.equal(digestOf(bytes), layer.diffId);
    assert.equal(bytes.length, blob.size);
  }
});

Deno.test("DockerArchiveReader refuses a manifest naming a missing file or a link out of the archive", async () => {
  await using dir = await makeTempDir();
  const { a } = images();
  const json = (value: unknown) =>
    new TextEncoder().encode(JSON.stringify(value));
  const cases: Array<[string, TarWriterEntry[], RegExp]> = [
    [
      "missing.tar",
      [],
      /^loading tar component l1\/layer\.tar: file does not exist$/,
    ],
    [
      "outside.tar",
      [{
        name: "l1/layer.tar",
        type: "symlink",
        linkName: "../../../etc/passwd",
      }],
      /points outside the archive/,
    ],
  ];
  for (const [name, extra, message] of cases) {
    await tarFile(dir.join(name), [
      { name: "a.json", body: a.config.bytes },
      ...extra,
      { name: "l2/layer.tar", body: a.layers[1]!.bytes },
      {
        name: "manifest.json",
        body: json([{
          Config: "a.json",
          RepoTags: [],
          Layers: ["l1/layer.tar", "l2/layer.tar"],
        }]),
      },
    ]);
    await using reader = await DockerArchiveReader.open(dir.join(name));
    await assert.rejects(
      loadArchiveImage(reader, reader.choose({}).item),
      (error: unknown) => {
        assert.match((error as Error).message, message, name);
        assert.doesNotMatch((error as Error).message, /\n/);
        return true;
      },
    );
  }
});

Deno.test("DockerArchiveReader reads a legacy archive (no manifest.json): config rebuilt, diff IDs hashed", async () => {
  await using dir = await makeTempDir();
  const { a } = images();
  const digests = a.layers.map((l) => l.digest);
  const legacy = legacyLayers(
    digests,
    new TextDecoder().decode(a.config.bytes),
  );
  const entries: TarWriterEntry[] = [];
  for (const [i, layer] of legacy.entries()) {
    entries.push(
      { name: `${layer.id}/VERSION`, body: new TextEncoder().encode("1.0") },
      { name: `${layer.id}/json`, body: new TextEncoder().encode(layer.json) },
      { name: `${layer.id}/layer.tar`, body: a.layers[i]!.bytes },
    );
  }
  entries.push({
    name: "repositories",
    body: new TextEncoder().encode(
      JSON.stringify({ "old/app": { v1: legacy[1]!.id, v2: legacy[1]!.id } }),
    ),
  });
  await tarFile(dir.join("legacy.tar"), entries);
  await using reader = await DockerArchiveReader.open(dir.join("legacy.tar"));
  assert.equal(reader.legacy, true);
  assert.deepEqual(reader.listTags(), ["old/app:v1", "old/app:v2"]);
  const image = await loadArchiveImage(
    reader,
    reader.choose({ tag: "docker.io/old/app:v2" }).item,
  );
  assert.deepEqual(image.diffIds, a.layers.map((l) => l.diffId));
  const config = JSON.parse(new TextDecoder().decode(image.config));
  assert.deepEqual(config.rootfs.diff_ids, image.diffIds);
  assert.equal(config.architecture, "amd64");
  assert.equal(config.history.length, 2);
  assert.equal(config.id, undefined);
  const blob = await image.openBlob(a.layers[1]!.diffId);
  assert.deepEqual(await bytesOf(blob.stream), a.layers[1]!.bytes);
});
