/**
 * Makes node:zlib streams from a plain description. node:zlib is imported
 * on first use: it costs ~15–40 ms of start-up that copies without
 * compression should not pay.
 *
 * @module
 */
import type { Transform } from "node:stream";

/** Which node:zlib stream, and its options (structured-cloneable). */
export interface ZlibSpec {
  /** Compressor or decompressor. */
  kind: "gzip" | "gunzip" | "zstd" | "unzstd";
  /** Output chunk size. */
  chunkSize: number;
  /** Compression level (compressors). */
  level?: number;
}

/**
 * Creates the node:zlib stream a spec describes.
 *
 * @param spec Kind, chunk size, level.
 * @returns A new node:zlib transform.
 */
export async function createZlib(spec: ZlibSpec): Promise<Transform> {
  const zlib = await import("node:zlib");
  const chunkSize = spec.chunkSize;
  switch (spec.kind) {
    case "gzip":
      return zlib.createGzip({ level: spec.level ?? 6, chunkSize });
    case "gunzip":
      return zlib.createGunzip({ chunkSize });
    case "zstd":
      return zlib.createZstdCompress({
        chunkSize,
        params: {
          [zlib.constants.ZSTD_c_compressionLevel]: spec.level ?? 3,
          [zlib.constants.ZSTD_c_checksumFlag]: 1,
        },
      });
    case "unzstd":
      return zlib.createZstdDecompress({ chunkSize });
  }
}
