/**
 * `listTags()` and `deleteImage()` for library users: thin wrappers that
 * turn a missing capability into a clear error.
 *
 * @module
 */
import { UnsupportedOperationError } from "../errors.ts";
import type { ImageReference, OpenOptions } from "../transport.ts";

/**
 * Lists the tags of the repository a reference names.
 *
 * @throws {UnsupportedOperationError} When the transport cannot list tags.
 */
export async function listTags(
  reference: ImageReference,
  options: OpenOptions = {},
): Promise<string[]> {
  if (!reference.listTags) {
    throw new UnsupportedOperationError(
      "listing tags",
      reference.transport.name,
    );
  }
  return await reference.listTags(options);
}

/**
 * Deletes the image a reference names.
 *
 * @throws {UnsupportedOperationError} When the transport cannot delete.
 */
export async function deleteImage(
  reference: ImageReference,
  options: OpenOptions = {},
): Promise<void> {
  if (!reference.deleteImage) {
    throw new UnsupportedOperationError(
      "deleting images",
      reference.transport.name,
    );
  }
  await reference.deleteImage(options);
}
