/**
 * Opens a stored blob as a stream for `getBlob`.
 *
 * @module
 */
import { BlobNotFoundError } from "../../core/errors.ts";
import { readFileStream } from "../../core/fs_stream.ts";
import type { BlobStream } from "../../core/transport.ts";
import type { Digest } from "../../core/types.ts";
import { goFsError } from "./go_error.ts";

/**
 * Opens `path` for reading as the blob `digest`.
 *
 * @throws {BlobNotFoundError} When the file does not exist.
 */
export async function openBlobFile(
  path: string,
  digest: Digest | undefined,
  where: string,
  signal?: AbortSignal,
): Promise<BlobStream> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new BlobNotFoundError(digest ?? path, where, { cause: error });
    }
    throw goFsError("open", path, error);
  }
  try {
    const { size } = await file.stat();
    return {
      stream: readFileStream(file, signal ? { signal } : {}),
      size,
    };
  } catch (error) {
    file.close();
    throw error;
  }
}
