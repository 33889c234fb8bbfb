/**
 * Fills the optional members of sources and destinations with defaults, once,
 * so the copy engine never checks for them.
 *
 * @module
 */
import { UnsupportedOperationError } from "./errors.ts";
import type { ImageDestination, ImageSource } from "./transport.ts";

/** An {@linkcode ImageSource} whose optional members are all present. */
export type FullImageSource =
  & ImageSource
  & Required<Pick<ImageSource, "getSignatures">>;

/** An {@linkcode ImageDestination} whose optional members are all present. */
export type FullImageDestination =
  & ImageDestination
  & Required<Pick<ImageDestination, "tryReusingBlob" | "putSignatures">>;

/** Wraps a source, adding the defaults it may omit: no signatures. */
export function adaptSource(source: ImageSource): FullImageSource {
  return {
    reference: source.reference,
    capabilities: source.capabilities,
    getManifest: (options) => source.getManifest(options),
    getBlob: (info, options) => source.getBlob(info, options),
    getSignatures: (options) =>
      source.getSignatures?.(options) ?? Promise.resolve([]),
    close: () => source.close(),
    [Symbol.asyncDispose]: () => source.close(),
  };
}

/**
 * Wraps a destination, adding the defaults it may omit: nothing is
 * reusable, and signatures cannot be stored.
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
    commit: (options) => destination.commit(options),
    close: () => destination.close(),
    [Symbol.asyncDispose]: () => destination.close(),
  };
}
