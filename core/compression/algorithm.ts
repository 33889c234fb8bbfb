/**
 * The compression algorithms layers may use, as plain values: a name, the
 * magic prefix that identifies a stream, and the media-type suffix.
 *
 * @module
 */

/** Names of the algorithms we recognise. */
export type CompressionAlgorithmName = "gzip" | "zstd" | "bzip2" | "xz";

/** A compression algorithm, identified by the magic bytes its streams start with. */
export interface CompressionAlgorithm {
  /** The name used on the command line and in blob-info caches. */
  readonly name: CompressionAlgorithmName;
  /** The bytes every stream of this algorithm starts with. */
  readonly magic: Readonly<Uint8Array>;
  /**
   * The suffix of OCI layer media types (`+gzip`, `+zstd`); `undefined` when
   * OCI defines none (bzip2, xz).
   */
  readonly mediaTypeSuffix: string | undefined;
  /** Whether we can produce this algorithm (not only read it). */
  readonly canCompress: boolean;
  /** Whether we can decompress this algorithm. */
  readonly canDecompress: boolean;
}

/** gzip (RFC 1952); the magic includes the deflate method byte, as Go checks it. */
export const GZIP: CompressionAlgorithm = Object.freeze({
  name: "gzip",
  magic: new Uint8Array([0x1f, 0x8b, 0x08]),
  mediaTypeSuffix: "gzip",
  canCompress: true,
  canDecompress: true,
});

/** Zstandard (RFC 8878). */
export const ZSTD: CompressionAlgorithm = Object.freeze({
  name: "zstd",
  magic: new Uint8Array([0x28, 0xb5, 0x2f, 0xfd]),
  mediaTypeSuffix: "zstd",
  canCompress: true,
  canDecompress: true,
});

/** bzip2: recognised so it is never mistaken for a plain tar; no codec here. */
export const BZIP2: CompressionAlgorithm = Object.freeze({
  name: "bzip2",
  magic: new Uint8Array([0x42, 0x5a, 0x68]),
  mediaTypeSuffix: undefined,
  canCompress: false,
  canDecompress: false,
});

/** xz: recognised so it is never mistaken for a plain tar; no codec here. */
export const XZ: CompressionAlgorithm = Object.freeze({
  name: "xz",
  magic: new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]),
  mediaTypeSuffix: undefined,
  canCompress: false,
  canDecompress: false,
});

/** Every known algorithm, in detection order. */
export const COMPRESSION_ALGORITHMS: readonly CompressionAlgorithm[] = Object
  .freeze([GZIP, ZSTD, BZIP2, XZ]);

/** The longest magic prefix: how many bytes detection needs. */
export const MAX_MAGIC_LENGTH: number = Math.max(
  ...COMPRESSION_ALGORITHMS.map((a) => a.magic.length),
);

/**
 * A compression algorithm nobody knows, or one we know but cannot run in the
 * requested direction (bzip2 and xz have no codec here).
 */
export class UnsupportedCompressionError extends Error {
  /** The algorithm's name. */
  readonly algorithm: string;
  /**
   * @param algorithm The algorithm's name.
   * @param operation What was asked of it; absent when the name is unknown.
   */
  constructor(
    algorithm: string,
    operation?: "compression" | "decompression",
  ) {
    super(
      operation
        ? `${algorithm} ${operation} is not supported`
        : `Unknown compression algorithm "${algorithm}" (known: ${
          COMPRESSION_ALGORITHMS.map((a) => a.name).join(", ")
        })`,
    );
    this.name = "UnsupportedCompressionError";
    this.algorithm = algorithm;
  }
}

/**
 * Looks an algorithm up by name.
 *
 * @example Look up zstd
 * ```ts
 * import { getCompressionAlgorithm } from "./algorithm.ts";
 * console.assert(getCompressionAlgorithm("zstd").mediaTypeSuffix === "zstd");
 * ```
 *
 * @param name The algorithm's name, e.g. from `--dest-compress-format`.
 * @returns The algorithm.
 * @throws {UnsupportedCompressionError} When no algorithm has that name.
 */
export function getCompressionAlgorithm(name: string): CompressionAlgorithm {
  const found = COMPRESSION_ALGORITHMS.find((a) => a.name === name);
  if (!found) throw new UnsupportedCompressionError(name);
  return found;
}

/**
 * The algorithm whose magic starts `bytes`, if any.
 *
 * @param bytes The first bytes of a stream (at least {@linkcode MAX_MAGIC_LENGTH} unless the stream is shorter).
 * @returns The matching algorithm, or `undefined` for uncompressed or unknown data.
 */
export function matchMagic(
  bytes: Uint8Array,
): CompressionAlgorithm | undefined {
  return COMPRESSION_ALGORITHMS.find((algorithm) =>
    algorithm.magic.length <= bytes.length &&
    algorithm.magic.every((b, i) => bytes[i] === b)
  );
}
