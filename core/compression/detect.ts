/**
 * Compression detection by magic prefix, without losing the peeked bytes.
 *
 * @module
 */
import {
  type CompressionAlgorithm,
  matchMagic,
  MAX_MAGIC_LENGTH,
} from "./algorithm.ts";

/** Result of {@linkcode detectCompression}. */
export interface DetectedCompression {
  /** The algorithm the stream starts with; `undefined` for uncompressed or unknown data. */
  readonly algorithm: CompressionAlgorithm | undefined;
  /** The whole stream again, peeked bytes included; read or cancel it. */
  readonly stream: ReadableStream<Uint8Array>;
}

/** Options of {@linkcode detectCompression}. */
export interface DetectCompressionOptions {
  /** Aborting while peeking cancels the input and rejects with the reason. */
  signal?: AbortSignal;
}

/**
 * Reads just enough of `stream` to recognise its compression, and returns a
 * stream that replays those bytes before the rest. Works whatever the chunk
 * sizes (even 1 byte) and on streams shorter than any magic.
 *
 * @example Detect gzip
 * ```ts
 * import { detectCompression } from "./detect.ts";
 * const input = new Blob([new Uint8Array([0x1f, 0x8b, 0x08, 0, 1])]).stream();
 * const { algorithm, stream } = await detectCompression(input);
 * console.assert(algorithm?.name === "gzip");
 * console.assert((await new Response(stream).bytes()).length === 5);
 * ```
 *
 * @param stream The input; owned by the result from now on.
 * @param options Cancellation.
 * @returns The detected algorithm and the replaying stream.
 */
export async function detectCompression(
  stream: ReadableStream<Uint8Array>,
  options: DetectCompressionOptions = {},
): Promise<DetectedCompression> {
  const { signal } = options;
  const reader = stream.getReader();
  const peeked: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  try {
    while (length < MAX_MAGIC_LENGTH) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      if (value.length === 0) continue;
      peeked.push(value);
      length += value.length;
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    reader.releaseLock();
    throw error;
  }

  const head = new Uint8Array(Math.min(length, MAX_MAGIC_LENGTH));
  let at = 0;
  for (const chunk of peeked) {
    if (at === head.length) break;
    const part = chunk.subarray(0, head.length - at);
    head.set(part, at);
    at += part.length;
  }

  const replay = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = peeked.shift();
      if (next) {
        controller.enqueue(next);
        return;
      }
      if (ended) {
        controller.close();
        reader.releaseLock();
        return;
      }
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          reader.releaseLock();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        controller.error(error);
        reader.releaseLock();
      }
    },
    async cancel(reason) {
      peeked.length = 0;
      if (!ended) await reader.cancel(reason);
      reader.releaseLock();
    },
  }, { highWaterMark: 0 });
  return { algorithm: matchMagic(head), stream: replay };
}
