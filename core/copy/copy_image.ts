/**
 * The copy orchestrator: opens both ends, chooses what to copy from a list,
 * copies, and commits.
 *
 * @module
 */
import {
  adaptDestination,
  adaptSource,
  type FullImageDestination,
  type FullImageSource,
} from "../_adapt.ts";
import { Limiter } from "../_limiter.ts";
import { digestOf, verifyBytes } from "../digest.ts";
import {
  choosePlatformInstance,
  guessMediaType,
  normalizeMediaType,
  parseManifest,
} from "../manifest/mod.ts";
import { checkImagePolicy } from "../policy/policy.ts";
import { formatImageName } from "../registry.ts";
import {
  isNameOnly,
  parseNormalizedReference,
} from "../signature/docker_reference.ts";
import type { ImageReference, InstanceOptions } from "../transport.ts";
import type { Digest, ManifestBlob, Signature } from "../types.ts";
import type { BlobCopyContext, CopiedBlob } from "./copy_blob.ts";
import { checkSignatureSupport, copySingleImage } from "./copy_single.ts";
import { type DescriptorUpdate, updateInstances } from "./edit_manifest.ts";
import {
  type CopyOptions,
  type CopyResult,
  DEFAULT_MAX_PARALLEL_BLOBS,
  type ManifestSigner,
} from "./options.ts";

/**
 * Copies an image from one location to another, verifying every blob.
 *
 * @example Copy an OCI layout image into a directory
 * ```ts ignore
 * import { copyImage, parseImageName } from "../../mod.ts";
 * const src = await parseImageName("oci:tests/fixtures/oci:demo");
 * const dest = await parseImageName("dir:/tmp/demo");
 * const { digest } = await copyImage(src, dest);
 * console.log(digest);
 * ```
 *
 * @param source Where to read.
 * @param destination Where to write.
 * @param options Selection, parallelism, events, cancellation.
 * @returns The manifest written and its digest.
 */
export async function copyImage(
  source: ImageReference,
  destination: ImageReference,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const controller = new AbortController();
  const outer = options.signal;
  const onOuterAbort = () => controller.abort(outer?.reason);
  outer?.throwIfAborted();
  outer?.addEventListener("abort", onOuterAbort, { once: true });
  try {
    return await copyOpened(source, destination, options, controller);
  } catch (error) {
    controller.abort(error);
    throw error;
  } finally {
    outer?.removeEventListener("abort", onOuterAbort);
  }
}

async function openWith<T>(
  what: string,
  reference: ImageReference,
  open: () => Promise<T>,
): Promise<T> {
  try {
    return await open();
  } catch (error) {
    throw wrapError(
      `initializing ${what} ${formatImageName(reference)}`,
      error,
    );
  }
}

function wrapError(prefix: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const wrapped = new Error(`${prefix}: ${message}`, { cause: error });
  if (error instanceof Error) wrapped.name = error.name;
  return wrapped;
}

async function copyOpened(
  sourceRef: ImageReference,
  destinationRef: ImageReference,
  options: CopyOptions,
  controller: AbortController,
): Promise<CopyResult> {
  const signal = controller.signal;
  await using source = adaptSource(
    await openWith(
      "source",
      sourceRef,
      () => sourceRef.openSource({ context: options.sourceContext, signal }),
    ),
  );
  if (!destinationRef.openDestination) {
    throw new Error(
      `initializing destination ${
        formatImageName(destinationRef)
      }: transport "${destinationRef.transport.name}" cannot be written to`,
    );
  }
  const openDestination = destinationRef.openDestination.bind(destinationRef);
  await using opened = adaptDestination(
    await openWith(
      "destination",
      destinationRef,
      () => openDestination({ context: options.destinationContext, signal }),
    ),
  );
  const destination = options.signers?.length
    ? withSigners(opened, options.signers, {
      signIdentity: options.signIdentity,
      onEvent: options.onEvent,
    })
    : opened;

  const concurrent = source.capabilities.concurrentBlobReads &&
    destination.capabilities.concurrentBlobWrites;
  const parallel = concurrent
    ? options.maxParallelBlobs ?? DEFAULT_MAX_PARALLEL_BLOBS
    : 1;
  const context: BlobCopyContext = {
    source,
    destination,
    limiter: concurrent && options.blobLimiter
      ? options.blobLimiter as Limiter
      : new Limiter(parallel),
    inFlight: new Map<Digest, Promise<CopiedBlob>>(),
    onEvent: options.onEvent ?? (() => {}),
    signal,
    abort: (reason) => controller.abort(reason),
    compression: {
      desired: destination.capabilities.desiredLayerCompression,
      format: options.compressionFormat,
      level: options.compressionLevel,
    },
  };

  const top = await readManifest(source, {}, signal);
  const parsed = parseManifest(top);
  // As containers/image: the policy sees the image that is copied (for a
  // single instance of a list, that instance and its signatures).
  const checkPolicy = async (manifest: ManifestBlob, instance?: Digest) => {
    if (!options.policy) return;
    await checkImagePolicy(options.policy, sourceRef, {
      manifest: manifest.bytes,
      signatures: () => source.getSignatures({ instance, signal }),
    });
  };
  let written: ManifestBlob;
  let sourceList: ManifestBlob | undefined;
  if (parsed.kind === "image") {
    await checkPolicy(top);
    written = await copySingleImage(context, top, {
      removeSignatures: options.removeSignatures,
      manifestType: options.manifestType,
      preserveDigests: options.preserveDigests,
    });
  } else if ((options.imageListSelection ?? "system") === "system") {
    const chosen = choosePlatformInstance(parsed, options.platform ?? {});
    const instance = await readManifest(
      source,
      { instance: chosen.digest },
      signal,
    );
    await checkPolicy(instance, chosen.digest);
    sourceList = top;
    written = await copySingleImage(context, instance, {
      sourceInstance: chosen.digest,
      removeSignatures: options.removeSignatures,
      manifestType: options.manifestType,
      preserveDigests: options.preserveDigests,
    });
  } else {
    if (!destination.capabilities.storesManifestLists) {
      throw new Error(
        `copying multiple images: destination transport ${
          JSON.stringify(destinationRef.transport.name)
        } does not support copying multiple images as a group`,
      );
    }
    await checkPolicy(top);
    written = await copyList(context, destination, top, parsed.manifests, {
      indexOnly: options.imageListSelection === "index-only",
      checkPolicy,
      removeSignatures: options.removeSignatures,
      manifestType: options.manifestType,
      preserveDigests: options.preserveDigests,
    });
  }
  await destination.commit({ topLevelManifest: written, sourceList, signal });
  return { manifest: written, digest: digestOf(written.bytes) };
}

async function copyList(
  context: BlobCopyContext,
  destination: FullImageDestination,
  list: ManifestBlob,
  instances: readonly { digest: Digest }[],
  options: {
    indexOnly: boolean;
    checkPolicy: (manifest: ManifestBlob, instance: Digest) => Promise<void>;
    removeSignatures: boolean | undefined;
    manifestType?: string | undefined;
    preserveDigests?: boolean | undefined;
  },
): Promise<ManifestBlob> {
  const updates = new Map<Digest, DescriptorUpdate>();
  const copied = options.indexOnly ? 0 : instances.length;
  context.onEvent({
    type: "list-started",
    count: copied,
    total: instances.length,
  });
  const signatures = options.removeSignatures
    ? []
    : await context.source.getSignatures({ signal: context.signal });
  await checkSignatureSupport(context, signatures.length);
  if (!options.indexOnly) {
    for (const [index, { digest }] of instances.entries()) {
      context.onEvent({
        type: "instance-started",
        index,
        count: instances.length,
        digest,
      });
      const manifest = await readManifest(
        context.source,
        { instance: digest },
        context.signal,
      );
      await options.checkPolicy(manifest, digest);
      const written = await copySingleImage(context, manifest, {
        sourceInstance: digest,
        destinationInstance: digest,
        removeSignatures: options.removeSignatures,
        manifestType: options.manifestType,
        preserveDigests: options.preserveDigests,
      });
      const writtenDigest = digestOf(written.bytes);
      if (writtenDigest !== digest) {
        updates.set(digest, {
          digest: writtenDigest,
          size: written.bytes.length,
          mediaType: written.mediaType,
        });
      }
    }
  }
  if (updates.size > 0) {
    if (options.preserveDigests) {
      throw new Error(
        "Instances of the list would change digest, which changes the list's digest, but --preserve-digests was given",
      );
    }
    list = updateInstances(list, updates);
  }
  context.onEvent({
    type: "manifest-writing",
    instance: undefined,
    list: true,
  });
  await destination.putManifest(list, { signal: context.signal });
  context.onEvent({
    type: "manifest-written",
    digest: digestOf(list.bytes),
    mediaType: list.mediaType,
  });
  context.onEvent({
    type: "signatures-storing",
    count: signatures.length,
    list: true,
  });
  await destination.putSignatures(signatures, { signal: context.signal });
  return list;
}

/**
 * Signs each manifest right after it is written (as containers/image does,
 * so "Signing manifest" comes before "Storing signatures" and a signing
 * failure stops the copy there), and adds those signatures to the
 * `putSignatures` of that instance (or the top level).
 */
function withSigners(
  destination: FullImageDestination,
  signers: readonly ManifestSigner[],
  options: {
    signIdentity: string | undefined;
    onEvent: CopyOptions["onEvent"];
  },
): FullImageDestination {
  const { signIdentity } = options;
  const made = new Map<Digest | undefined, Signature[]>();
  return {
    ...destination,
    putManifest: async (manifest, putOptions) => {
      await destination.putManifest(manifest, putOptions);
      const identity = signIdentity ?? destination.reference.dockerReference;
      if (identity === undefined) {
        throw new Error(
          `Cannot determine canonical Docker reference for destination ${
            formatImageName(destination.reference)
          }`,
        );
      }
      if (
        signIdentity !== undefined &&
        isNameOnly(parseNormalizedReference(signIdentity))
      ) {
        throw new Error(
          `Sign identity must be a fully specified reference ${signIdentity}`,
        );
      }
      const added: Signature[] = [];
      for (const sign of signers) {
        options.onEvent?.({
          type: "signing",
          format: sign.format ?? "simple-signing",
        });
        added.push(await sign(manifest, identity));
      }
      made.set(putOptions?.instance, added);
    },
    putSignatures: async (signatures, putOptions) => {
      const added = made.get(putOptions?.instance);
      if (!added) return destination.putSignatures(signatures, putOptions);
      try {
        await destination.putSignatures([...signatures, ...added], putOptions);
      } catch (error) {
        throw wrapError("writing signatures", error);
      }
    },
  };
}

/** Reads a manifest, fills a missing MIME type, and verifies instance digests. */
async function readManifest(
  source: FullImageSource,
  options: InstanceOptions,
  signal: AbortSignal,
): Promise<ManifestBlob> {
  let blob: ManifestBlob;
  try {
    blob = await source.getManifest({ ...options, signal });
  } catch (error) {
    throw wrapError(
      `determining manifest MIME type for ${formatImageName(source.reference)}`,
      error,
    );
  }
  if (options.instance) {
    verifyBytes(blob.bytes, options.instance, `manifest ${options.instance}`);
  }
  const mediaType = normalizeMediaType(blob.mediaType) ||
    guessMediaType(blob.bytes);
  return mediaType === blob.mediaType ? blob : { bytes: blob.bytes, mediaType };
}
