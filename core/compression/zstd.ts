/**
 * Zstandard through node:zlib (Deno 2.9.6 ships it; `CompressionStream` does
 * not support zstd). Decompression input is cut per block by
 * {@linkcode ZstdFrameScanner}, which works around the decoder's defects
 * (see `_zstd_frames.ts`) and reads multi-frame streams.
 *
 * @module
 */
import { zlibTransformStream } from "./_zlib_bridge.ts";
import { createZlib } from "./_zlib_create.ts";
import { ZstdFrameScanner } from "./_zstd_frames.ts";

/** Default zstd level, as zstd's and containers/image's default. */
export const ZSTD_DEFAULT_LEVEL = 3;

/**
 * Decoder output buffer: larger than the biggest block's output (128 KiB),
 * so one block never needs a refill, the path where errors escape.
 */
const DECOMPRESS_CHUNK_SIZE = 512 * 1024;
const COMPRESS_CHUNK_SIZE = 128 * 1024;

/** Options of {@linkcode zstdCompressStream}. */
export interface ZstdCompressOptions {
  /** Compression level 1–22. Default 3. */
  level?: number;
}

/**
 * A transform that zstd-compresses its input into one frame with a content
 * checksum (as Go's klauspost/zstd writes by default).
 *
 * @example Compress and check the magic
 * ```ts
 * import { zstdCompressStream } from "./zstd.ts";
 * const out = new Blob(["hello"]).stream().pipeThrough(zstdCompressStream());
 * const bytes = await new Response(out).bytes();
 * console.assert(bytes[0] === 0x28 && bytes[3] === 0xfd);
 * ```
 *
 * @param options Compression level.
 * @returns A `TransformStream` from raw to zstd bytes.
 * @throws {RangeError} When the level is not an integer from 1 to 22.
 */
export function zstdCompressStream(
  options: ZstdCompressOptions = {},
): TransformStream<Uint8Array, Uint8Array> {
  const level = options.level ?? ZSTD_DEFAULT_LEVEL;
  if (!Number.isInteger(level) || level < 1 || level > 22) {
    throw new RangeError(
      `zstd compression level must be an integer from 1 to 22, got ${level}`,
    );
  }
  return zlibTransformStream({
    name: "zstd",
    direction: "compression",
    // Level and checksum flag: see `_zlib_create.ts`.
    create: () =>
      createZlib({ kind: "zstd", level, chunkSize: COMPRESS_CHUNK_SIZE }),
    maxPiece: 1 << 20,
  });
}

/**
 * A transform that decompresses zstd, including multi-frame streams and
 * skippable frames. Corrupt or truncated input errors the stream with an
 * {@linkcode InvalidContentError} such as
 * `zstd stream is corrupt: unexpected end of file`.
 *
 * @example Round trip
 * ```ts
 * import { zstdCompressStream, zstdDecompressStream } from "./zstd.ts";
 * const out = new Blob(["hello"]).stream()
 *   .pipeThrough(zstdCompressStream())
 *   .pipeThrough(zstdDecompressStream());
 * console.assert(await new Response(out).text() === "hello");
 * ```
 *
 * @returns A `TransformStream` from zstd to raw bytes.
 */
export function zstdDecompressStream(): TransformStream<
  Uint8Array,
  Uint8Array
> {
  return zlibTransformStream({
    name: "zstd",
    direction: "decompression",
    create: () =>
      createZlib({ kind: "unzstd", chunkSize: DECOMPRESS_CHUNK_SIZE }),
    maxPiece: Infinity,
    splitter: new ZstdFrameScanner(),
  });
}
