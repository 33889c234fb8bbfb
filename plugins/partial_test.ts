import assert from "node:assert/strict";
import { digestOf } from "../core/digest.ts";
import type { ImageReference, Transport } from "../core/transport.ts";
import type { Digest, ManifestBlob } from "../core/types.ts";
import { type ContentStore, fromContentStore } from "./partial.ts";

function mapStore(
  blobs: Map<string, Uint8Array>,
  overrides: Partial<ContentStore> = {},
): ContentStore {
  let top: ManifestBlob | undefined;
  return {
    hasBlob: (digest) => Promise.resolve(blobs.has(digest)),
    readBlob: (digest) => Promise.resolve(blobs.get(digest)),
    async writeBlob(digest, stream) {
      blobs.set(digest, await new Response(stream).bytes());
    },
    readManifest: (options = {}) =>
      Promise.resolve(options.instance ? undefined : top),
    writeManifest: () => Promise.resolve(),
    commit(manifest) {
      top = manifest;
      return Promise.resolve();
    },
    ...overrides,
  };
}

function reference(): ImageReference {
  const transport: Transport = {
    apiVersion: 1,
    name: "map",
    parseReference: () => reference(),
  };
  return { transport, toString: () => "x", openSource: () => Promise.reject() };
}

Deno.test("fromContentStore() hashes a blob of unknown digest before storing it", async () => {
  const blobs = new Map<string, Uint8Array>();
  const tmpDir = await Deno.makeTempDir();
  try {
    await using destination = await fromContentStore(
      reference(),
      mapStore(blobs),
    ).openDestination({ context: { tmpDir } });
    const bytes = new TextEncoder().encode("recompressed layer");
    const uploaded = await destination.putBlob(
      ReadableStream.from([bytes.subarray(0, 5), bytes.subarray(5)]),
      {},
      { isConfig: false },
    );
    assert.deepEqual(uploaded, { digest: digestOf(bytes), size: bytes.length });
    assert.deepEqual(blobs.get(uploaded.digest), bytes);
    // The spool file is gone.
    assert.deepEqual(await Array.fromAsync(Deno.readDir(tmpDir)), []);
  } finally {
    await Deno.remove(tmpDir, { recursive: true });
  }
});

Deno.test("fromContentStore() refuses a store that stops reading a blob early", async () => {
  const blobs = new Map<string, Uint8Array>();
  const lazy = mapStore(blobs, {
    async writeBlob(digest, stream) {
      const reader = stream.getReader();
      blobs.set(digest, (await reader.read()).value!);
      await reader.cancel();
    },
  });
  await using destination = await fromContentStore(reference(), lazy)
    .openDestination();
  const bytes = new TextEncoder().encode("abc");
  await assert.rejects(
    destination.putBlob(
      ReadableStream.from([bytes.subarray(0, 1), bytes.subarray(1)]),
      { digest: digestOf(bytes), size: 3 },
      { isConfig: false },
    ),
    /did not read blob .* to its end/,
  );
});

Deno.test("fromContentStore() keeps the top-level manifest from the store until commit", async () => {
  const store = mapStore(new Map());
  const opener = fromContentStore(reference(), store);
  const manifest = {
    bytes: new TextEncoder().encode("{}"),
    mediaType: "application/vnd.oci.image.manifest.v1+json",
  };
  await using destination = await opener.openDestination();
  await destination.putManifest(manifest);
  await using source = await opener.openSource();
  await assert.rejects(source.getManifest(), { name: "ImageNotFoundError" });
  await destination.commit({ topLevelManifest: manifest });
  assert.equal((await source.getManifest()).bytes, manifest.bytes);
  await assert.rejects(
    source.getBlob({ digest: digestOf(manifest.bytes) as Digest }),
    { name: "BlobNotFoundError" },
  );
});
