/**
 * Choosing an image in an OCI layout's `index.json`: by position, by its
 * `org.opencontainers.image.ref.name`, or the only one.
 *
 * @module
 */
import { ImageNotFoundError } from "../../core/errors.ts";
import type { Descriptor } from "../../core/types.ts";
import { type OciIndexFile, REF_NAME_ANNOTATION } from "./layout.ts";

/** skopeo's error when a name is needed to pick among several images. */
export const MORE_THAN_ONE_IMAGE =
  "more than one image in oci, choose an image";

/** What to pick. */
export interface OciImageSelector {
  /** The image name (ref.name annotation); empty when none was given. */
  readonly image: string;
  /** The position in `index.json`, when given as `:@N`. */
  readonly sourceIndex?: number | undefined;
}

/**
 * Finds the descriptor a selector names in `index.json`.
 *
 * @param index The layout's index.
 * @param selector Name, position or neither.
 * @param where The reference as text, for messages (`oci:/x:name`).
 * @returns The descriptor.
 * @throws {ImageNotFoundError} When no entry matches.
 */
export function findImageDescriptor(
  index: OciIndexFile,
  selector: OciImageSelector,
  where: string,
): Descriptor {
  if (selector.sourceIndex !== undefined) {
    const descriptor = index.manifests[selector.sourceIndex];
    if (!descriptor) {
      throw new ImageNotFoundError(
        where,
        `index @${selector.sourceIndex} is out of range (${index.manifests.length} entries)`,
      );
    }
    return descriptor;
  }
  if (selector.image === "") {
    if (index.manifests.length !== 1) {
      throw new Error(MORE_THAN_ONE_IMAGE);
    }
    return index.manifests[0]!;
  }
  const found = index.manifests.find((d) =>
    d.annotations?.[REF_NAME_ANNOTATION] === selector.image
  );
  if (!found) {
    const error = new ImageNotFoundError(where);
    error.message = `no descriptor found for reference "${selector.image}"`;
    throw error;
  }
  return found;
}
