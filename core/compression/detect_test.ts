import assert from "node:assert/strict";
import { gzipSync, zstdCompressSync } from "node:zlib";
import fc from "fast-check";
import {
  BZIP2,
  detectCompression,
  getCompressionAlgorithm,
  GZIP,
  matchMagic,
  UnsupportedCompressionError,
  XZ,
  ZSTD,
} from "./mod.ts";

function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) controller.close();
      else controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function readAll(
  stream: ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const payload = new TextEncoder().encode("some layer bytes ".repeat(50));
const samples = [
  { name: "gzip", bytes: new Uint8Array(gzipSync(payload)) },
  { name: "zstd", bytes: new Uint8Array(zstdCompressSync(payload)) },
  // Magic followed by arbitrary bytes: detection looks at the prefix only.
  { name: "bzip2", bytes: new Uint8Array([0x42, 0x5a, 0x68, 0x39, 1, 2, 3]) },
  { name: "xz", bytes: new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 4]) },
  { name: undefined, bytes: payload },
];

for (const { name, bytes } of samples) {
  Deno.test(`detectCompression() recognises ${name ?? "uncompressed"} data with 1-byte chunks and loses nothing`, async () => {
    for (const size of [1, 2, 5, 1 << 20]) {
      const { algorithm, stream } = await detectCompression(
        chunked(bytes, size),
      );
      assert.equal(algorithm?.name, name, `chunk size ${size}`);
      assert.deepEqual(await readAll(stream), bytes);
    }
  });
}

Deno.test("detectCompression() handles streams shorter than any magic", async () => {
  for (const bytes of [[], [0x1f], [0x1f, 0x8b], [0x28, 0xb5, 0x2f]]) {
    const input = new Uint8Array(bytes);
    const { algorithm, stream } = await detectCompression(chunked(input, 1));
    assert.equal(algorithm, undefined);
    assert.deepEqual(await readAll(stream), input);
  }
  // Exactly a magic and nothing else is still that algorithm.
  const { algorithm } = await detectCompression(chunked(GZIP.magic, 1));
  assert.equal(algorithm, GZIP);
});

Deno.test("detectCompression() passes cancellation to the source", async () => {
  let cancelled: unknown;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new Uint8Array([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0]));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const { stream } = await detectCompression(source);
  await stream.cancel("stop");
  assert.equal(cancelled, "stop");
});

Deno.test("detectCompression() rejects with a source error and an abort reason", async () => {
  const failure = new Error("boom");
  const broken = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(failure);
    },
  });
  await assert.rejects(detectCompression(broken), (e) => e === failure);

  const controller = new AbortController();
  controller.abort(new Error("aborted"));
  await assert.rejects(
    detectCompression(chunked(payload, 1), { signal: controller.signal }),
    /aborted/,
  );
});

Deno.test("detectCompression() replays any prefix split exactly (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 40 }),
      fc.integer({ min: 1, max: 8 }),
      async (bytes, size) => {
        const { algorithm, stream } = await detectCompression(
          chunked(bytes, size),
        );
        assert.equal(algorithm, matchMagic(bytes));
        assert.deepEqual(await readAll(stream), bytes);
      },
    ),
  );
});

Deno.test("getCompressionAlgorithm() finds known names and rejects others", () => {
  assert.equal(getCompressionAlgorithm("gzip"), GZIP);
  assert.equal(getCompressionAlgorithm("zstd"), ZSTD);
  assert.equal(getCompressionAlgorithm("bzip2"), BZIP2);
  assert.equal(getCompressionAlgorithm("xz"), XZ);
  assert.throws(
    () => getCompressionAlgorithm("lz4"),
    (e) =>
      e instanceof UnsupportedCompressionError &&
      e.message ===
        'Unknown compression algorithm "lz4" (known: gzip, zstd, bzip2, xz)',
  );
  assert.equal(GZIP.mediaTypeSuffix, "gzip");
  assert.equal(ZSTD.mediaTypeSuffix, "zstd");
  assert.equal(XZ.mediaTypeSuffix, undefined);
});
