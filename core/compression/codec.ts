/**
 * Compressor and decompressor streams chosen by algorithm.
 *
 * @module
 */
import {
  type CompressionAlgorithm,
  UnsupportedCompressionError,
} from "./algorithm.ts";
import { gzipCompressStream, gzipDecompressStream } from "./gzip.ts";
import { zstdCompressStream, zstdDecompressStream } from "./zstd.ts";

/** Options of {@linkcode compressStream}. */
export interface CompressStreamOptions {
  /** Algorithm-specific level (gzip 0–9, default 6; zstd 1–22, default 3). */
  level?: number;
}

/**
 * A transform that compresses with `algorithm`.
 *
 * @example Compress with zstd
 * ```ts
 * import { compressStream, ZSTD } from "./mod.ts";
 * const out = new Blob(["x"]).stream().pipeThrough(compressStream(ZSTD));
 * console.assert((await new Response(out).bytes()).length > 0);
 * ```
 *
 * @param algorithm The algorithm to produce.
 * @param options Compression level.
 * @returns A `TransformStream` from raw to compressed bytes.
 * @throws {UnsupportedCompressionError} For algorithms we only recognise (bzip2, xz).
 * @throws {RangeError} For a level the algorithm does not have.
 */
export function compressStream(
  algorithm: CompressionAlgorithm,
  options: CompressStreamOptions = {},
): TransformStream<Uint8Array, Uint8Array> {
  const level = options.level === undefined ? {} : { level: options.level };
  switch (algorithm.name) {
    case "gzip":
      return gzipCompressStream(level);
    case "zstd":
      return zstdCompressStream(level);
    default:
      throw new UnsupportedCompressionError(algorithm.name, "compression");
  }
}

/**
 * A transform that decompresses `algorithm`. Corrupt or truncated input
 * errors the stream with an `InvalidContentError`.
 *
 * @example Decompress gzip
 * ```ts
 * import { compressStream, decompressStream, GZIP } from "./mod.ts";
 * const out = new Blob(["hi"]).stream()
 *   .pipeThrough(compressStream(GZIP))
 *   .pipeThrough(decompressStream(GZIP));
 * console.assert(await new Response(out).text() === "hi");
 * ```
 *
 * @param algorithm The algorithm of the input.
 * @returns A `TransformStream` from compressed to raw bytes.
 * @throws {UnsupportedCompressionError} For algorithms we only recognise (bzip2, xz).
 */
export function decompressStream(
  algorithm: CompressionAlgorithm,
): TransformStream<Uint8Array, Uint8Array> {
  switch (algorithm.name) {
    case "gzip":
      return gzipDecompressStream();
    case "zstd":
      return zstdDecompressStream();
    default:
      throw new UnsupportedCompressionError(algorithm.name, "decompression");
  }
}
