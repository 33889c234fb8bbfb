/**
 * Checks that a stored file really holds a blob before it is reused.
 *
 * @module
 */
import { digestAlgorithm, Digester } from "../../core/digest.ts";
import { readFileStream } from "../../core/fs_stream.ts";
import type { Digest } from "../../core/types.ts";

/**
 * Whether `path` exists with the given size (when known) and digest. Local
 * hashing is far cheaper than a transfer, and a corrupt file must not be
 * taken for the blob.
 */
export async function fileHasDigest(
  path: string,
  digest: Digest,
  size: number | undefined,
  signal?: AbortSignal,
): Promise<number | undefined> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch {
    return undefined;
  }
  const stat = await file.stat().catch(() => undefined);
  if (
    !stat?.isFile || (size !== undefined && size >= 0 && stat.size !== size)
  ) {
    file.close();
    return undefined;
  }
  const digester = new Digester(digestAlgorithm(digest));
  for await (const chunk of readFileStream(file, signal ? { signal } : {})) {
    digester.update(chunk);
  }
  return digester.digest() === digest ? stat.size : undefined;
}
