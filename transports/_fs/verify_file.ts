/**
 * Decides whether a blob already stored at the destination can be reused.
 *
 * @module
 */

/**
 * The size of the regular file at `path` when it matches `size` (or any size
 * when unknown); `undefined` when missing or different. Blob files are
 * written only after their digest was verified, under a temporary name
 * renamed into place, so a file under its digest's name is that blob: like
 * skopeo, reuse checks existence (and size) without re-hashing, which the
 * benchmark showed costs as much as the copy itself.
 */
export async function reusableBlobSize(
  path: string,
  size: number | undefined,
): Promise<number | undefined> {
  try {
    const stat = await Deno.stat(path);
    if (!stat.isFile) return undefined;
    if (size !== undefined && size >= 0 && stat.size !== size) return undefined;
    return stat.size;
  } catch {
    return undefined;
  }
}
