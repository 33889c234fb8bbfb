/**
 * Copies one image (not a list): layers and config, then the manifest
 * (converted when the destination needs another format), then signatures.
 *
 * @module
 */
import type { FullImageSource } from "../_adapt.ts";
import { digestOf, verifyBytes } from "../digest.ts";
import { InvalidContentError, ManifestTypeRejectedError } from "../errors.ts";
import { parseManifest } from "../manifest/mod.ts";
import type { Descriptor, Digest, ManifestBlob } from "../types.ts";
import { type BlobCopyContext, copyBlob } from "./copy_blob.ts";
import { updateLayers } from "./edit_manifest.ts";
import { canConvertManifest, convertManifest } from "./convert_manifest.ts";

const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

/** Whether writing `type` re-encodes the config (Docker schema2 → OCI). */
function convertsConfig(sourceType: string, type: string): boolean {
  return sourceType === DOCKER_V2 && type === OCI_MANIFEST;
}

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
 * the destination takes it, then conversions the destination takes. A
 * forced type is the only candidate and, as in skopeo, is tried even when
 * the destination does not list it (the destination may still refuse it).
 * No list (or an empty one) means the destination takes anything.
 */
export function planManifestTypes(
  sourceType: string,
  supported: readonly string[] | undefined,
  forced?: string,
): string[] {
  if (forced) {
    const reachable = forced === sourceType ||
      canConvertManifest(sourceType, forced);
    return reachable ? [forced] : [];
  }
  if (!supported?.length) return [sourceType];
  const conversions = supported.filter((t) =>
    t !== sourceType && canConvertManifest(sourceType, t)
  );
  return [
    ...new Set(
      supported.includes(sourceType)
        ? [sourceType, ...conversions]
        : conversions,
    ),
  ];
}

/**
 * Copies one image.
 *
 * @returns The manifest written at the destination.
 */
export async function copySingleImage(
  context: BlobCopyContext,
  sourceManifest: ManifestBlob,
  options: CopySingleOptions = {},
): Promise<ManifestBlob> {
  const { source, destination, signal, onEvent } = context;
  let manifest = sourceManifest;
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

  // Compression may change layer digests only where the manifest may change.
  const canModify = !options.preserveDigests && signatures.length === 0 &&
    parsed.schemaVersion === 2;
  const copied = await settleAll(
    context,
    parsed.layers.map((layer, layerIndex) =>
      copyBlob(context, layer, { kind: "layer", layerIndex, canModify })
    ),
  );
  const updates = parsed.layers.map((layer, i) => {
    const result = copied[i]!;
    return result.digest === layer.digest ? undefined : {
      digest: result.digest,
      size: result.size,
      mediaType: result.mediaType ?? layer.mediaType,
    };
  });
  if (updates.some((u) => u !== undefined)) {
    manifest = updateLayers(manifest, updates);
  }
  // A converted config replaces the source's: skopeo copies only that one.
  if (parsed.config && !convertsConfig(manifest.mediaType, types[0]!)) {
    await copyBlob(context, parsed.config, { kind: "config" });
  }

  const written = await putManifestWithFallbacks(
    context,
    manifest,
    parsed.config,
    types,
    options.destinationInstance,
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

/**
 * Waits for every transfer. The first failure aborts the others, and only
 * once all have settled (their partial files removed) is it rethrown, so
 * the process never exits with a transfer still writing.
 */
async function settleAll<T>(
  context: BlobCopyContext,
  transfers: Promise<T>[],
): Promise<T[]> {
  const settled = await Promise.allSettled(
    transfers.map((transfer) =>
      transfer.catch((error) => {
        context.abort(error);
        throw error;
      })
    ),
  );
  const failure = settled.find((r) => r.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

function readSignatures(
  source: FullImageSource,
  instance: Digest | undefined,
  signal: AbortSignal,
) {
  return source.getSignatures({ instance, signal });
}

/** Reads and verifies the source's config blob. */
async function readConfig(
  source: FullImageSource,
  config: Descriptor,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const blob = await source.getBlob(config, { signal });
  const bytes = new Uint8Array(await new Response(blob.stream).arrayBuffer());
  verifyBytes(bytes, config.digest, `config ${config.digest}`);
  return bytes;
}

/** Writes a config produced by a conversion, unless the destination has it. */
async function putConvertedConfig(
  context: BlobCopyContext,
  bytes: Uint8Array,
): Promise<void> {
  const { destination, signal, onEvent } = context;
  const digest = digestOf(bytes);
  const info = {
    digest,
    size: bytes.length,
    mediaType: "application/vnd.oci.image.config.v1+json",
  };
  const reused = await destination.tryReusingBlob(info, {
    canSubstitute: false,
    signal,
  });
  if (reused) {
    onEvent({
      type: "blob-skipped",
      digest,
      size: reused.size,
      kind: "config",
      reason: "exists",
    });
    return;
  }
  onEvent({ type: "blob-started", digest, size: bytes.length, kind: "config" });
  // The digest was computed from these very bytes: they are verified.
  const uploaded = await destination.putBlob(
    ReadableStream.from([bytes]),
    info,
    {
      isConfig: true,
      digestVerified: true,
      signal,
    },
  );
  onEvent({
    type: "blob-finished",
    digest,
    bytes: uploaded.size,
    kind: "config",
  });
}

/**
 * Writes the manifest in the first type the destination accepts. Each
 * attempt converts (writing a re-encoded config first, as skopeo does) and
 * then announces the manifest write.
 */
async function putManifestWithFallbacks(
  context: BlobCopyContext,
  manifest: ManifestBlob,
  config: Descriptor | undefined,
  types: readonly string[],
  instance: Digest | undefined,
): Promise<ManifestBlob> {
  const { source, destination, signal, onEvent } = context;
  const failures: string[] = [];
  for (const type of types) {
    let candidate: ManifestBlob = manifest;
    if (type !== manifest.mediaType) {
      const converted = convertManifest(manifest, type, {
        config: config && convertsConfig(manifest.mediaType, type)
          ? await readConfig(source, config, signal)
          : undefined,
      });
      if (converted.config) await putConvertedConfig(context, converted.config);
      candidate = { bytes: converted.bytes, mediaType: converted.mediaType };
    }
    onEvent({ type: "manifest-writing", instance });
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
