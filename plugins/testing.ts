/**
 * The conformance suite every transport runs, built-in or plugin. It writes
 * small generated images (one single-platform image, one two-platform list)
 * through `copyImage`, reads them back, and checks the contract: digests and
 * bytes survive, a missing image is an `ImageNotFoundError`, a corrupt blob
 * is refused, nothing is visible before commit, and lists round-trip when
 * the destination stores them.
 *
 * @example Run it against your transport (in a `_test.ts` file)
 * ```ts ignore
 * import { testTransport } from "@skopeo-ts/skopeo/plugin/testing";
 * import { transport } from "./mod.ts";
 * testTransport({
 *   name: "kvdir",
 *   makeReference: ({ tmpDir }) => transport.parseReference(`${tmpDir}/kv`),
 * });
 * ```
 *
 * @module
 */
import assert from "node:assert/strict";
import { copyImage } from "../core/copy/mod.ts";
import { digestOf, DigestVerifierStream } from "../core/digest.ts";
import type { ImageReference } from "../core/transport.ts";
import type { Digest, ManifestBlob } from "../core/types.ts";
import {
  createMemoryTransport,
  type MemoryTransport,
} from "./examples/memory/mod.ts";

/** The cases of the suite, for {@linkcode TestTransportOptions.skip}. */
export const CONFORMANCE_CASES = [
  "reference-round-trip",
  "image-round-trip",
  "missing-image",
  "corrupt-blob",
  "uncommitted-invisible",
  "overwrite",
  "manifest-list",
] as const;

/** One case of the suite. */
export type ConformanceCase = typeof CONFORMANCE_CASES[number];

/** Where a case may put its image. */
export interface ReferenceContext {
  /** Distinct for each call within a case, e.g. `image-round-trip-1`. */
  id: string;
  /** A temporary directory of this case, removed when it ends. */
  tmpDir: string;
}

/** Options of {@linkcode testTransport}. */
export interface TestTransportOptions {
  /** Names the tests: `<name> conformance: <case>`. */
  name: string;
  /** Returns a reference to a fresh, empty location. */
  makeReference(
    context: ReferenceContext,
  ): ImageReference | Promise<ImageReference>;
  /** Cases not to run (each is registered as ignored, so it shows). */
  skip?: readonly ConformanceCase[];
  /** Passed to `Deno.test`; default true. */
  sanitizeResources?: boolean;
}

/** A generated image held by the suite's own memory transport. */
interface SampleImage {
  reference: ImageReference;
  manifest: ManifestBlob;
  digest: Digest;
  blobs: Digest[];
}

const encoder = new TextEncoder();
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return await new Response(
    ReadableStream.from<BufferSource>([bytes]).pipeThrough(
      new CompressionStream("gzip"),
    ),
  ).bytes();
}

function json(value: unknown): Uint8Array<ArrayBuffer> {
  return encoder.encode(JSON.stringify(value));
}

/** Writes one generated image (or, with `instances`, a list) into memory. */
async function writeSample(
  memory: MemoryTransport,
  name: string,
  architectures: readonly string[],
): Promise<SampleImage> {
  const reference = memory.parseReference(name);
  await using destination = await reference.openDestination!();
  const blobs: Digest[] = [];
  const put = async (bytes: Uint8Array): Promise<Digest> => {
    const digest = digestOf(bytes);
    await destination.putBlob(
      ReadableStream.from([bytes]),
      { digest, size: bytes.byteLength },
      { isConfig: false },
    );
    blobs.push(digest);
    return digest;
  };
  const descriptors = [];
  let single: ManifestBlob | undefined;
  for (const architecture of architectures) {
    const layer = encoder.encode(
      `conformance layer of ${name} for ${architecture}\n`.repeat(50),
    );
    const compressed = await gzip(layer);
    const config = json({
      architecture,
      os: "linux",
      config: {},
      rootfs: { type: "layers", diff_ids: [digestOf(layer)] },
    });
    const manifest = json({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: await put(config),
        size: config.byteLength,
      },
      layers: [{
        mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
        digest: await put(compressed),
        size: compressed.byteLength,
      }],
    });
    single = { bytes: manifest, mediaType: OCI_MANIFEST };
    const digest = digestOf(manifest);
    descriptors.push({
      mediaType: OCI_MANIFEST,
      digest,
      size: manifest.byteLength,
      platform: { architecture, os: "linux" },
    });
    if (architectures.length > 1) {
      await destination.putManifest(single, { instance: digest });
    }
  }
  const manifest: ManifestBlob = architectures.length > 1
    ? {
      bytes: json({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: descriptors,
      }),
      mediaType: OCI_INDEX,
    }
    : single!;
  await destination.putManifest(manifest);
  await destination.commit({ topLevelManifest: manifest });
  return { reference, manifest, digest: digestOf(manifest.bytes), blobs };
}

async function readBlob(
  reference: ImageReference,
  digest: Digest,
): Promise<Uint8Array> {
  await using source = await reference.openSource();
  const blob = await source.getBlob({ digest });
  return await new Response(
    blob.stream.pipeThrough(new DigestVerifierStream(digest)),
  ).bytes();
}

async function readManifest(
  reference: ImageReference,
  instance?: Digest,
): Promise<ManifestBlob> {
  await using source = await reference.openSource();
  return await source.getManifest(instance ? { instance } : {});
}

/** Asserts that reading the image fails with `ImageNotFoundError`. */
async function assertNotFound(reference: ImageReference): Promise<void> {
  // By name: a bundled plugin carries its own copy of the error classes.
  await assert.rejects(
    readManifest(reference),
    (error: Error) => {
      assert.equal(error.name, "ImageNotFoundError", String(error));
      return true;
    },
  );
}

type CaseBody = (
  make: () => Promise<ImageReference>,
  samples: { single: SampleImage; other: SampleImage; list: SampleImage },
) => Promise<void>;

const CASES: Record<ConformanceCase, [string, CaseBody]> = {
  "reference-round-trip": [
    "a reference parses back from its text",
    async (make) => {
      const reference = await make();
      const again = reference.transport.parseReference(reference.toString());
      assert.equal(again.toString(), reference.toString());
      assert.equal(again.transport.name, reference.transport.name);
    },
  ],
  "image-round-trip": [
    "an image copied in and out keeps its manifest bytes and blob digests",
    async (make, { single }) => {
      const reference = await make();
      const written = await copyImage(single.reference, reference);
      assert.equal(written.digest, single.digest);
      const stored = await readManifest(reference);
      assert.equal(digestOf(stored.bytes), single.digest);
      for (const digest of single.blobs) {
        assert.equal(digestOf(await readBlob(reference, digest)), digest);
      }
      const back = createMemoryTransport().parseReference("back");
      const read = await copyImage(reference, back);
      assert.equal(read.digest, single.digest);
      assert.deepEqual((await readManifest(back)).bytes, single.manifest.bytes);
    },
  ],
  "missing-image": [
    "reading a location without an image is an ImageNotFoundError",
    async (make) => {
      await assertNotFound(await make());
    },
  ],
  "corrupt-blob": [
    "a blob whose bytes do not match its digest is refused and not kept",
    async (make) => {
      const reference = await make();
      const good = encoder.encode("the expected content");
      const digest = digestOf(good);
      await using destination = await reference.openDestination!();
      await assert.rejects(
        destination.putBlob(
          // Same length: only the digest, checked at the end, can tell.
          ReadableStream.from([encoder.encode("the unexpected data!")]),
          { digest, size: good.byteLength },
          { isConfig: false },
        ),
      );
      const reused = await destination.tryReusingBlob?.(
        { digest, size: good.byteLength },
        { canSubstitute: false },
      );
      assert.equal(reused, undefined, "the corrupt blob was kept");
    },
  ],
  "uncommitted-invisible": [
    "an image written without commit is not visible",
    async (make, { single }) => {
      const reference = await make();
      {
        await using destination = await reference.openDestination!();
        for (const digest of single.blobs) {
          const bytes = await readBlob(single.reference, digest);
          await destination.putBlob(
            ReadableStream.from([bytes]),
            { digest, size: bytes.byteLength },
            { isConfig: false },
          );
        }
        await destination.putManifest(single.manifest);
      }
      await assertNotFound(reference);
    },
  ],
  "overwrite": [
    "copying another image to the same place replaces the first",
    async (make, { single, other }) => {
      const reference = await make();
      await copyImage(single.reference, reference);
      await copyImage(other.reference, reference);
      const stored = await readManifest(reference);
      assert.equal(digestOf(stored.bytes), other.digest);
    },
  ],
  "manifest-list": [
    "a manifest list copied with all instances keeps every digest",
    async (make, { list }) => {
      const reference = await make();
      {
        await using destination = await reference.openDestination!();
        if (!destination.capabilities.storesManifestLists) return;
      }
      const written = await copyImage(list.reference, reference, {
        imageListSelection: "all",
      });
      assert.equal(written.digest, list.digest);
      const top = await readManifest(reference);
      assert.equal(digestOf(top.bytes), list.digest);
      const index = JSON.parse(new TextDecoder().decode(top.bytes)) as {
        manifests: { digest: Digest }[];
      };
      for (const { digest } of index.manifests) {
        const instance = await readManifest(reference, digest);
        assert.equal(digestOf(instance.bytes), digest);
      }
      for (const digest of list.blobs) {
        assert.equal(digestOf(await readBlob(reference, digest)), digest);
      }
    },
  ],
};

/**
 * Registers the conformance tests of one transport with `Deno.test`.
 *
 * @param options The transport's name, how to make fresh references, and
 *   cases to skip.
 */
export function testTransport(options: TestTransportOptions): void {
  let samples: Promise<Parameters<CaseBody>[1]> | undefined;
  const makeSamples = () => {
    const memory = createMemoryTransport({ name: "conformance-source" });
    samples ??= (async () => ({
      single: await writeSample(memory, "single", ["amd64"]),
      other: await writeSample(memory, "other", ["riscv64"]),
      list: await writeSample(memory, "list", ["amd64", "arm64"]),
    }))();
    return samples;
  };
  for (const id of CONFORMANCE_CASES) {
    const [title, body] = CASES[id];
    Deno.test({
      name: `${options.name} conformance: ${title}`,
      ignore: options.skip?.includes(id) ?? false,
      sanitizeResources: options.sanitizeResources ?? true,
      async fn() {
        const tmpDir = await Deno.makeTempDir({ prefix: `conformance-${id}-` });
        try {
          let count = 0;
          const make = async () =>
            await options.makeReference({ id: `${id}-${++count}`, tmpDir });
          await body(make, await makeSamples());
        } finally {
          await Deno.remove(tmpDir, { recursive: true });
        }
      },
    });
  }
}
