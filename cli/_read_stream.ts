/**
 * Reads a small stream (a config blob) into memory, refusing absurd sizes.
 *
 * @module
 */
import { InvalidContentError } from "../core/errors.ts";

/**
 * Collects a stream's bytes, failing once more than `limit` arrive.
 *
 * @param stream The bytes.
 * @param limit The largest size accepted.
 */
export async function readStreamBytes(
  stream: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > limit) {
      throw new InvalidContentError(
        `Content is larger than the ${limit}-byte limit`,
      );
    }
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
