/**
 * Applies a source's `layerInfosForCopy` to the manifest's layers: which
 * blobs the copy reads (containers/image's `LayerInfosForCopy`).
 *
 * @module
 */
import { InvalidContentError } from "../errors.ts";
import type { BlobInfo, Descriptor } from "../types.ts";

/**
 * The layers to copy: the manifest's, or, when the source serves others,
 * those (keeping each descriptor's other fields).
 *
 * @param layers The manifest's layer descriptors.
 * @param infos What the source's `layerInfosForCopy` returned.
 * @param cannotModifyReason Why the manifest must not change, when it must not.
 * @returns The descriptors to copy, in manifest order.
 * @throws {Error} With containers/image's message, when the layers differ
 * and `cannotModifyReason` is given.
 * @throws {InvalidContentError} When `infos` has another number of layers.
 */
export function layersForCopy(
  layers: readonly Descriptor[],
  infos: readonly BlobInfo[] | undefined,
  cannotModifyReason?: string,
): readonly Descriptor[] {
  if (!infos) return layers;
  if (infos.length !== layers.length) {
    throw new InvalidContentError(
      `The source serves ${infos.length} layers for a manifest with ${layers.length}`,
    );
  }
  const changed = layers.map((layer, i): Descriptor => {
    const info = infos[i]!;
    return {
      ...layer,
      digest: info.digest ?? layer.digest,
      size: info.size ?? layer.size,
      mediaType: info.mediaType || layer.mediaType,
    };
  });
  const differs = changed.some((c, i) =>
    c.digest !== layers[i]!.digest || c.size !== layers[i]!.size ||
    c.mediaType !== layers[i]!.mediaType
  );
  if (!differs) return layers;
  if (cannotModifyReason !== undefined) {
    throw new Error(
      `Copying this image would require changing layer representation, which we cannot do: ${
        JSON.stringify(cannotModifyReason)
      }`,
    );
  }
  return changed;
}
