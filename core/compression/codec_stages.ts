/**
 * A chain of compression stages described as plain data, so the same chain
 * can be built on this thread or inside a worker (see `off_thread.ts`).
 *
 * @module
 */
import { getCompressionAlgorithm } from "./algorithm.ts";
import { compressStream, decompressStream } from "./codec.ts";

/** One stage: compress or decompress with an algorithm. */
export interface CodecStage {
  /** What the stage does. */
  op: "compress" | "decompress";
  /** Algorithm name (`gzip`, `zstd`). */
  algorithm: string;
  /** Compression level (compress stages). */
  level?: number | undefined;
}

/**
 * Builds the transforms of a chain, first stage first.
 *
 * @example Recompress gzip as zstd
 * ```ts
 * import { buildStages } from "./codec_stages.ts";
 * const stages = buildStages([
 *   { op: "decompress", algorithm: "gzip" },
 *   { op: "compress", algorithm: "zstd" },
 * ]);
 * console.assert(stages.length === 2);
 * ```
 *
 * @param stages The chain.
 * @returns One `TransformStream` per stage.
 * @throws {UnsupportedCompressionError} For an algorithm without a codec.
 * @throws {RangeError} For a level the algorithm does not have.
 */
export function buildStages(
  stages: readonly CodecStage[],
): TransformStream<Uint8Array, Uint8Array>[] {
  return stages.map((stage) => {
    const algorithm = getCompressionAlgorithm(stage.algorithm);
    return stage.op === "decompress"
      ? decompressStream(algorithm)
      : compressStream(
        algorithm,
        stage.level === undefined ? {} : { level: stage.level },
      );
  });
}

/**
 * Pipes a stream through a chain built on this thread.
 *
 * @param stream The input.
 * @param stages The chain.
 * @returns The output.
 */
export function pipeStages(
  stream: ReadableStream<Uint8Array>,
  stages: readonly CodecStage[],
): ReadableStream<Uint8Array> {
  let out = stream;
  for (const stage of buildStages(stages)) out = out.pipeThrough(stage);
  return out;
}
