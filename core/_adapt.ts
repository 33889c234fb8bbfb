/**
 * Fills the optional members of sources and destinations with defaults, once,
 * so the copy engine never checks for them.
 *
 * @module
 */
import { UnsupportedOperationError } from "./errors.ts";
import type { ImageDestination, ImageSource } from "./transport.ts";
import type { Signature } from "./types.ts";

/** An {@linkcode ImageSource} whose optional members are all present. */
export type FullImageSource =
  & ImageSource
  & Required<Pick<ImageSource, "getSignatures" | "layerInfosForCopy">>;

/** An {@linkcode ImageDestination} whose optional members are all present. */
export type FullImageDestination =
  & ImageDestination
  & Required<
    Pick<
      ImageDestination,
      "tryReusingBlob" | "putSignatures" | "supportsSignatures"
    >
  >;

/**
 * Wraps a source, adding the defaults it may omit: no signatures, layers
 * served as the manifest describes them.
 */
export function adaptSource(source: ImageSource): FullImageSource {
  return {
    reference: source.reference,
    capabilities: source.capabilities,
    getManifest: (options) => source.getManifest(options),
    getBlob: (info, options) => source.getBlob(info, options),
    getSignatures: (options) =>
      source.getSignatures?.(options) ?? Promise.resolve([]),
    layerInfosForCopy: (options) =>
      source.layerInfosForCopy?.(options) ?? Promise.resolve(undefined),
    close: () => source.close(),
    [Symbol.asyncDispose]: () => source.close(),
  };
}

/**
 * Wraps a destination, adding the defaults it may omit: nothing is
 * reusable, signatures cannot be stored, and whether they can follows
 * `storesSignatures` (the reason for a refusal is `putSignatures`').
 */
export function adaptDestination(
  destination: ImageDestination,
): FullImageDestination {
  return {
    reference: destination.reference,
    capabilities: destination.capabilities,
    putBlob: (stream, info, options) =>
      destination.putBlob(stream, info, options),
    tryReusingBlob: (info, options) =>
      destination.tryReusingBlob?.(info, options) ?? Promise.resolve(undefined),
    putManifest: (manifest, options) =>
      destination.putManifest(manifest, options),
    putSignatures: (signatures, options) => {
      if (destination.putSignatures) {
        return destination.putSignatures(signatures, options);
      }
      return signatures.length === 0 ? Promise.resolve() : Promise.reject(
        new UnsupportedOperationError(
          "storing signatures",
          destination.reference.transport.name,
        ),
      );
    },
    supportsSignatures: (options) =>
      destination.supportsSignatures?.(options) ??
        probeSignatureSupport(destination),
    commit: (options) => destination.commit(options),
    close: () => destination.close(),
    [Symbol.asyncDispose]: () => destination.close(),
  };
}

/**
 * A placeholder signature for {@linkcode probeSignatureSupport}. Built-in
 * transports implement `supportsSignatures`; this serves plugins.
 */
const PROBE: Signature = { format: "simple-signing", bytes: new Uint8Array() };

/**
 * Whether a destination without `supportsSignatures` stores signatures: as
 * declared; when it declares it does not, its `putSignatures` is called
 * with one signature to get its reason (the contract says it refuses and
 * stores nothing).
 */
async function probeSignatureSupport(
  destination: ImageDestination,
): Promise<void> {
  if (destination.capabilities.storesSignatures) return;
  if (!destination.putSignatures) {
    throw new UnsupportedOperationError(
      "storing signatures",
      destination.reference.transport.name,
    );
  }
  await destination.putSignatures([PROBE]);
  throw new UnsupportedOperationError(
    "storing signatures",
    destination.reference.transport.name,
  );
}
