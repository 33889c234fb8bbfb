/**
 * Copies one image (not a list): layers and config, then the manifest
 * (converted when the destination needs another format), then signatures.
 *
 * @module
 */
import type { FullImageDestination, FullImageSource } from "../_adapt.ts";
import { digestOf } from "../digest.ts";
import { InvalidContentError, ManifestTypeRejectedError } from "../errors.ts";
import { parseManifest } from "../manifest/mod.ts";
import type { Digest, ManifestBlob } from "../types.ts";
import { type BlobCopyContext, copyBlob } from "./copy_blob.ts";
import { canConvertManifest, convertManifest } from "./convert_manifest.ts";

/** Options of {@linkcode copySingleImage}. */
export interface CopySingleOptions {
  /** The instance digest at the source, when the image is part of a list. */
  sourceInstance?: Digest | undefined;
  /** The instance at the destination, when the image is written into a list. */
  destinationInstance?: Digest | undefined;
  /** Do not copy signatures. */
  removeSignatures?: boolean | undefined;
  /** The manifest type to write, when forced. */
  manifestType?: string | undefined;
  /** Refuse conversions. */
  preserveDigests?: boolean | undefined;
}

/**
 * Chooses the manifest types to try, in order: the source's own type when
 * the destination takes it, then conversions the destination takes.
 */
export function planManifestTypes(
  sourceType: string,
  supported: readonly string[] | undefined,
  forced?: string,
): string[] {
  if (forced) {
    const accepted = !supported || supported.includes(forced);
    const reachable = forced === sourceType ||
      canConvertManifest(sourceType, forced);
    return accepted && reachable ? [forced] : [];
  }
  if (!supported || supported.includes(sourceType)) {
    const others = (supported ?? []).filter((t) =>
      t !== sourceType && canConvertManifest(sourceType, t)
    );
    return [sourceType, ...others];
  }
  return supported.filter((t) => canConvertManifest(sourceType, t));
}

/**
 * Copies one image.
 *
 * @returns The manifest written at the destination.
 */
export async function copySingleImage(
  context: BlobCopyContext,
  manifest: ManifestBlob,
  options: CopySingleOptions = {},
): Promise<ManifestBlob> {
  const { source, destination, signal, onEvent } = context;
  const parsed = parseManifest(manifest);
  if (parsed.kind !== "image") {
    throw new InvalidContentError("Expected an image manifest, got a list");
  }
  const types = planManifestTypes(
    manifest.mediaType,
    destination.capabilities.supportedManifestTypes,
    options.manifestType,
  );
  if (types.length === 0) {
    const supported = destination.capabilities.supportedManifestTypes;
    throw new Error(
      `Cannot write a ${
        options.manifestType ?? manifest.mediaType
      } manifest from a ${manifest.mediaType} source to ${destination.reference.transport.name}:${destination.reference}${
        supported ? ` (it accepts ${supported.join(", ")})` : ""
      }`,
    );
  }
  if (options.preserveDigests && types[0] !== manifest.mediaType) {
    throw new Error(
      `Manifest would be converted from ${manifest.mediaType} to ${
        types[0]
      }, which changes its digest, but --preserve-digests was given`,
    );
  }

  onEvent({ type: "signatures-reading" });
  const signatures = options.removeSignatures
    ? []
    : await readSignatures(source, options.sourceInstance, signal);
  if (signatures.length > 0 && !destination.capabilities.storesSignatures) {
    throw new Error(
      `Can not copy signatures to ${destination.reference.transport.name}:${destination.reference}: destination does not support signatures (use --remove-signatures)`,
    );
  }

  await Promise.all(
    parsed.layers.map((layer, layerIndex) =>
      copyBlob(context, layer, { kind: "layer", layerIndex })
    ),
  );
  if (parsed.config) {
    await copyBlob(context, parsed.config, { kind: "config" });
  }

  onEvent({ type: "manifest-writing", instance: options.destinationInstance });
  const written = await putManifestWithFallbacks(
    destination,
    manifest,
    types,
    options.destinationInstance,
    signal,
  );
  onEvent({
    type: "manifest-written",
    digest: digestOf(written.bytes),
    mediaType: written.mediaType,
  });

  onEvent({ type: "signatures-storing", count: signatures.length });
  await destination.putSignatures(signatures, {
    instance: options.destinationInstance,
    signal,
  });
  return written;
}

function readSignatures(
  source: FullImageSource,
  instance: Digest | undefined,
  signal: AbortSignal,
) {
  return source.getSignatures({ instance, signal });
}

async function putManifestWithFallbacks(
  destination: FullImageDestination,
  manifest: ManifestBlob,
  types: readonly string[],
  instance: Digest | undefined,
  signal: AbortSignal,
): Promise<ManifestBlob> {
  const failures: string[] = [];
  for (const type of types) {
    const candidate = type === manifest.mediaType
      ? manifest
      : convertManifest(manifest, type);
    try {
      await destination.putManifest(candidate, { instance, signal });
      return candidate;
    } catch (error) {
      if (!(error instanceof ManifestTypeRejectedError)) throw error;
      failures.push(`${type}: ${error.message}`);
    }
  }
  throw new Error(
    `Uploading manifest failed, attempted the following formats: ${
      failures.join("; ")
    }`,
  );
}
