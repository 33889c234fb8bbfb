/**
 * Copies one blob: reuse when the destination has it, otherwise stream it
 * through digest verification into the destination.
 *
 * @module
 */
import type { FullImageDestination, FullImageSource } from "../_adapt.ts";
import type { Limiter } from "../_limiter.ts";
import { DigestVerifierStream } from "../digest.ts";
import { DigestMismatchError } from "../errors.ts";
import type { Descriptor, Digest } from "../types.ts";
import type { BlobKind, CopyEventHandler } from "./events.ts";

/** Everything one copy's blob transfers share. */
export interface BlobCopyContext {
  /** Where blobs come from. */
  readonly source: FullImageSource;
  /** Where blobs go. */
  readonly destination: FullImageDestination;
  /** Bounds concurrent transfers. */
  readonly limiter: Limiter;
  /** Transfers in flight or done, by digest: one transfer per digest. */
  readonly inFlight: Map<Digest, Promise<CopiedBlob>>;
  /** Progress events. */
  readonly onEvent: CopyEventHandler;
  /** Aborts every transfer. */
  readonly signal: AbortSignal;
  /** Aborts the copy (fires `signal`) with this reason. */
  readonly abort: (reason: unknown) => void;
}

/** The blob as stored at the destination. */
export interface CopiedBlob {
  /** Its digest there. */
  digest: Digest;
  /** Its size there. */
  size: number;
}

const PROGRESS_INTERVAL_MS = 100;

/** Counts bytes and reports progress at most every 100 ms. */
function progressStream(
  digest: Digest,
  total: number,
  onEvent: CopyEventHandler,
): TransformStream<Uint8Array, Uint8Array> {
  let bytes = 0;
  let last = 0;
  return new TransformStream({
    transform(chunk, controller) {
      bytes += chunk.byteLength;
      const now = Date.now();
      if (now - last >= PROGRESS_INTERVAL_MS) {
        last = now;
        onEvent({ type: "blob-progress", digest, bytes, total });
      }
      controller.enqueue(chunk);
    },
  });
}

/**
 * Copies a blob once per copy, however often the image lists it.
 *
 * @param context Shared state of the copy.
 * @param descriptor The blob as the manifest describes it.
 * @param options Its role in the image.
 * @returns The blob as stored at the destination.
 */
export function copyBlob(
  context: BlobCopyContext,
  descriptor: Descriptor,
  options: { kind: BlobKind; layerIndex?: number },
): Promise<CopiedBlob> {
  let pending = context.inFlight.get(descriptor.digest);
  if (!pending) {
    pending = transferBlob(context, descriptor, options);
    context.inFlight.set(descriptor.digest, pending);
  }
  return pending;
}

async function transferBlob(
  context: BlobCopyContext,
  descriptor: Descriptor,
  options: { kind: BlobKind; layerIndex?: number },
): Promise<CopiedBlob> {
  const { source, destination, signal, onEvent } = context;
  const { digest, size } = descriptor;
  return await context.limiter.run(async () => {
    const reused = await destination.tryReusingBlob(descriptor, {
      canSubstitute: false,
      sourceReference: source.reference,
      layerIndex: options.layerIndex,
      signal,
    });
    if (reused) {
      onEvent({
        type: "blob-skipped",
        digest,
        size: reused.size,
        kind: options.kind,
        reason: "exists",
      });
      return { digest: reused.digest, size: reused.size };
    }
    onEvent({ type: "blob-started", digest, size, kind: options.kind });
    const blob = await source.getBlob(descriptor, { signal });
    if (blob.size !== undefined && size >= 0 && blob.size !== size) {
      await blob.stream.cancel().catch(() => {});
      throw new DigestMismatchError(String(size), String(blob.size), {
        kind: "size",
        subject: `blob ${digest}`,
      });
    }
    const verified = blob.stream
      .pipeThrough(
        new DigestVerifierStream(digest, { size, subject: `blob ${digest}` }),
      )
      .pipeThrough(progressStream(digest, size, onEvent));
    let uploaded;
    try {
      uploaded = await destination.putBlob(verified, descriptor, {
        isConfig: options.kind === "config",
        layerIndex: options.layerIndex,
        digestVerified: true,
        signal,
      });
    } catch (error) {
      if (!verified.locked) await verified.cancel(error).catch(() => {});
      throw error;
    }
    if (uploaded.digest !== digest) {
      throw new DigestMismatchError(digest, uploaded.digest, {
        subject: `blob stored by ${destination.reference.transport.name}`,
      });
    }
    onEvent({
      type: "blob-finished",
      digest,
      bytes: uploaded.size,
      kind: options.kind,
    });
    return uploaded;
  }, signal);
}
