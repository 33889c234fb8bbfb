/**
 * Test input as a stream of fixed-size chunks, each a copy (never a view
 * sharing the source's memory, which a transferring consumer would detach).
 *
 * @module
 */

/**
 * Streams `bytes` in chunks of `size` bytes (the last may be shorter).
 *
 * @example Two chunks
 * ```ts
 * import { chunked } from "./chunked.ts";
 * const parts = await Array.fromAsync(chunked(new Uint8Array(5), 3));
 * console.assert(parts.length === 2);
 * ```
 *
 * @param bytes The content.
 * @param size Chunk size.
 * @returns A stream of copies of consecutive ranges.
 */
export function chunked(
  bytes: Uint8Array,
  size: number,
): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(Uint8Array.prototype.slice.call(bytes, at, at + size));
      at += size;
    },
  });
}
