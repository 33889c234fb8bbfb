/**
 * gzip through node:zlib: faster than `CompressionStream` (454 vs 233 MiB/s
 * to decompress) and, unlike `DecompressionStream`, it reads multi-member
 * streams (`cat a.gz b.gz`, pigz) as Go's `gzip.Reader` does.
 *
 * @module
 */
import { zlibTransformStream } from "./_zlib_bridge.ts";
import { createZlib } from "./_zlib_create.ts";

/** Default gzip level, as Go's `gzip.DefaultCompression`. */
export const GZIP_DEFAULT_LEVEL = 6;

/** Output buffer size: bigger than zlib's 16 KiB default, to cut per-chunk costs. */
const CHUNK_SIZE = 128 * 1024;
/** Input slice for decompression: bounds the output of one write (deflate expands ≤ ~1032×). */
const DECOMPRESS_PIECE = 64 * 1024;

/** Options of {@linkcode gzipCompressStream}. */
export interface GzipCompressOptions {
  /** Compression level 0–9 (0 stores). Default 6. */
  level?: number;
}

/**
 * A transform that gzip-compresses its input.
 *
 * @example Compress and check the magic
 * ```ts
 * import { gzipCompressStream } from "./gzip.ts";
 * const out = new Blob(["hello"]).stream().pipeThrough(gzipCompressStream());
 * const bytes = await new Response(out).bytes();
 * console.assert(bytes[0] === 0x1f && bytes[1] === 0x8b);
 * ```
 *
 * @param options Compression level.
 * @returns A `TransformStream` from raw to gzip bytes.
 * @throws {RangeError} When the level is not an integer from 0 to 9.
 */
export function gzipCompressStream(
  options: GzipCompressOptions = {},
): TransformStream<Uint8Array, Uint8Array> {
  const level = options.level ?? GZIP_DEFAULT_LEVEL;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new RangeError(
      `gzip compression level must be an integer from 0 to 9, got ${level}`,
    );
  }
  return zlibTransformStream({
    name: "gzip",
    direction: "compression",
    create: () => createZlib({ kind: "gzip", level, chunkSize: CHUNK_SIZE }),
    maxPiece: 1 << 20,
  });
}

/**
 * A transform that decompresses gzip, including multi-member streams.
 * Corrupt or truncated input errors the stream with an
 * {@linkcode InvalidContentError} such as
 * `gzip stream is corrupt: unexpected end of file`.
 *
 * @example Round trip
 * ```ts
 * import { gzipCompressStream, gzipDecompressStream } from "./gzip.ts";
 * const out = new Blob(["hello"]).stream()
 *   .pipeThrough(gzipCompressStream())
 *   .pipeThrough(gzipDecompressStream());
 * console.assert(await new Response(out).text() === "hello");
 * ```
 *
 * @returns A `TransformStream` from gzip to raw bytes.
 */
export function gzipDecompressStream(): TransformStream<
  Uint8Array,
  Uint8Array
> {
  return zlibTransformStream({
    name: "gzip",
    direction: "decompression",
    create: () => createZlib({ kind: "gunzip", chunkSize: CHUNK_SIZE }),
    maxPiece: DECOMPRESS_PIECE,
  });
}
