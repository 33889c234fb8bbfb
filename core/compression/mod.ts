/**
 * Layer compression: algorithms as values, detection by magic prefix, and
 * gzip/zstd compressor and decompressor streams (node:zlib, Web Streams API).
 *
 * @example Detect, then decompress
 * ```ts
 * import { compressStream, decompressStream, detectCompression, ZSTD } from "./mod.ts";
 * const input = new Blob(["layer"]).stream().pipeThrough(compressStream(ZSTD));
 * const { algorithm, stream } = await detectCompression(input);
 * const raw = algorithm ? stream.pipeThrough(decompressStream(algorithm)) : stream;
 * console.assert(await new Response(raw).text() === "layer");
 * ```
 *
 * @module
 */
export * from "./algorithm.ts";
export * from "./detect.ts";
export * from "./codec.ts";
export * from "./gzip.ts";
export * from "./zstd.ts";
export * from "./codec_stages.ts";
export * from "./off_thread.ts";
