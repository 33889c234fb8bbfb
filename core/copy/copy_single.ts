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
import type { ParsedImageManifest } from "../manifest/parsed_manifest.ts";
import type { Descriptor, Digest, ManifestBlob } from "../types.ts";
import { type BlobCopyContext, copyBlob } from "./copy_blob.ts";
import { updateLayers } from "./edit_manifest.ts";
import {
  canConvertManifest,
  canConvertSchema1,
  isSchema1,
} from "./convertible.ts";
import type { Schema1CopiedLayer } from "./schema1_convert.ts";
import { layersForCopy } from "./layers_for_copy.ts";
import { formatImageName } from "../registry.ts";

const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

/**
 * Whether writing `type` replaces the source's config (Docker schema2 →
 * OCI re-encodes it; schema1 has none, so conversions to or from it build
 * or drop one).
 */
function convertsConfig(sourceType: string, type: string): boolean {
  return (sourceType === DOCKER_V2 && type === OCI_MANIFEST) ||
    (isSchema1(sourceType) !== isSchema1(type));
}

function canConvert(from: string, to: string): boolean {
  return canConvertManifest(from, to) || canConvertSchema1(from, to);
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
    const reachable = forced === sourceType || canConvert(sourceType, forced);
    return reachable ? [forced] : [];
  }
  if (!supported?.length) return [sourceType];
  // Conversions to schema1 only when forced: containers/image would try it
  // last, after every other type was refused.
  const conversions = supported.filter((t) =>
    t !== sourceType && canConvert(sourceType, t) && !isSchema1(t)
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
  await checkSignatureSupport(context, signatures.length);

  // As containers/image: the later reason wins.
  const cannotModifyReason = options.preserveDigests
    ? "Instructed to preserve digests"
    : signatures.length > 0
    ? "Would invalidate signatures"
    : undefined;
  const layers = layersForCopy(
    parsed.layers,
    await source.layerInfosForCopy({
      instance: options.sourceInstance,
      signal,
    }),
    cannotModifyReason,
  );
  // Compression may change layer digests only where the manifest may change.
  const canModify = cannotModifyReason === undefined &&
    parsed.schemaVersion === 2;
  // schema1 → schema2/OCI needs the layers' diffIDs, computed while copying.
  const diffId = isSchema1(manifest.mediaType) &&
    types.some((t) => !isSchema1(t));
  const copied = await settleAll(
    context,
    layers.map((layer, layerIndex) =>
      copyBlob(context, layer, {
        kind: "layer",
        layerIndex,
        canModify,
        diffId,
      })
    ),
  );
  const updates = parsed.layers.map((layer, i) => {
    const result = copied[i]!;
    return result.digest === layer.digest ? undefined : {
      digest: result.digest,
      size: result.size,
      mediaType: result.mediaType ?? layers[i]!.mediaType,
    };
  });
  if (updates.some((u) => u !== undefined)) {
    manifest = updateLayers(manifest, updates);
  }
  // A converted config replaces the source's: skopeo copies only that one.
  if (parsed.config && !convertsConfig(manifest.mediaType, types[0]!)) {
    await copyBlob(context, parsed.config, { kind: "config" });
  }

  const copiedLayers: Schema1CopiedLayer[] = copied.map((c) => ({
    size: c.size,
    diffId: c.diffId ?? c.digest,
  }));
  const written = await putManifestWithFallbacks(
    context,
    { manifest, config: parsed.config, copiedLayers },
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
 * Asks the destination whether it stores the source's signatures, before
 * any blob is copied (containers/image's wording).
 */
export async function checkSignatureSupport(
  context: BlobCopyContext,
  count: number,
): Promise<void> {
  if (count === 0) return;
  const { destination, signal, onEvent } = context;
  onEvent({ type: "signatures-checking" });
  try {
    await destination.supportsSignatures({ signal });
  } catch (error) {
    throw new Error(
      `Can not copy signatures to ${formatImageName(destination.reference)}: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
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

/**
 * Writes a blob produced by a conversion (a config, or schema1's empty
 * layer), unless the destination has it.
 */
async function putConvertedConfig(
  context: BlobCopyContext,
  bytes: Uint8Array,
  mediaType = "application/vnd.oci.image.config.v1+json",
): Promise<void> {
  const { destination, signal, onEvent } = context;
  const digest = digestOf(bytes);
  const info = { digest, size: bytes.length, mediaType };
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
      isConfig: !mediaType.includes(".layer") && !mediaType.includes(".rootfs"),
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

function parseImage(manifest: ManifestBlob): ParsedImageManifest {
  const parsed = parseManifest(manifest);
  if (parsed.kind !== "image") {
    throw new InvalidContentError("Expected an image manifest, got a list");
  }
  return parsed;
}

/** What a conversion starts from. */
interface ConversionInput {
  /** The manifest, with the layers as stored at the destination. */
  manifest: ManifestBlob;
  /** Its config descriptor (none for schema1). */
  config: Descriptor | undefined;
  /** The layers as copied (sizes, diffIDs for schema1 sources). */
  copiedLayers: readonly Schema1CopiedLayer[];
}

/**
 * Converts to `type`, writing the blobs the result needs that the layer
 * copies did not (a re-encoded or built config, schema1's empty layer).
 */
async function convertTo(
  context: BlobCopyContext,
  input: ConversionInput,
  type: string,
): Promise<ManifestBlob> {
  const { source, destination, signal } = context;
  const { manifest, config } = input;
  // Loaded here: copies that convert nothing never evaluate them.
  const { convertManifest } = await import("./convert_manifest.ts");
  if (isSchema1(manifest.mediaType)) {
    // Both schema1 types are the same format for containers/image.
    if (isSchema1(type)) return manifest;
    const { schema1ToSchema2 } = await import("./schema1_convert.ts");
    const schema2 = schema1ToSchema2(
      parseImage(manifest),
      input.copiedLayers,
    );
    if (type === DOCKER_V2) {
      await putConvertedConfig(
        context,
        schema2.config,
        "application/vnd.docker.container.image.v1+json",
      );
      return { bytes: schema2.bytes, mediaType: schema2.mediaType };
    }
    const oci = convertManifest(schema2, type, { config: schema2.config });
    if (oci.config) await putConvertedConfig(context, oci.config);
    return { bytes: oci.bytes, mediaType: oci.mediaType };
  }
  if (isSchema1(type)) {
    if (!config) throw new InvalidContentError("Manifest has no config");
    const { GZIPPED_EMPTY_LAYER, schema2ToSchema1 } = await import(
      "./schema1_convert.ts"
    );
    const { signSchema1 } = await import("./schema1_sign.ts");
    const converted = schema2ToSchema1(
      parseImage(manifest),
      await readConfig(source, config, signal),
      { dockerReference: destination.reference.dockerReference },
    );
    if (converted.usesEmptyLayer) {
      // Written without progress events, as skopeo does.
      await putConvertedConfig(
        { ...context, onEvent: () => {} },
        GZIPPED_EMPTY_LAYER,
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
      );
    }
    return {
      bytes: await signSchema1(converted.unsigned),
      mediaType: type,
    };
  }
  const converted = convertManifest(manifest, type, {
    config: config && convertsConfig(manifest.mediaType, type)
      ? await readConfig(source, config, signal)
      : undefined,
  });
  if (converted.config) await putConvertedConfig(context, converted.config);
  return { bytes: converted.bytes, mediaType: converted.mediaType };
}

/**
 * Writes the manifest in the first type the destination accepts. Each
 * attempt converts (writing a re-encoded config first, as skopeo does) and
 * then announces the manifest write.
 */
async function putManifestWithFallbacks(
  context: BlobCopyContext,
  input: ConversionInput,
  types: readonly string[],
  instance: Digest | undefined,
): Promise<ManifestBlob> {
  const { destination, signal, onEvent } = context;
  const { manifest } = input;
  const failures: string[] = [];
  for (const type of types) {
    const candidate = type === manifest.mediaType
      ? manifest
      : await convertTo(context, input, type);
    onEvent({ type: "manifest-writing", instance });
    try {
      await destination.putManifest(candidate, { instance, signal });
      return candidate;
    } catch (error) {
      // By name too: a bundled plugin carries its own copy of the class.
      if (
        !(error instanceof ManifestTypeRejectedError) &&
        (error as Error | undefined)?.name !== "ManifestTypeRejectedError"
      ) throw error;
      failures.push(`${type}: ${(error as Error).message}`);
    }
  }
  throw new Error(
    `Uploading manifest failed, attempted the following formats: ${
      failures.join("; ")
    }`,
  );
}
