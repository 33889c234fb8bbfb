/**
 * Copies one blob: reuse when the destination has it, otherwise stream it
 * through digest verification into the destination.
 *
 * @module
 */
import type { FullImageDestination, FullImageSource } from "../_adapt.ts";
import type { Limiter } from "../_limiter.ts";
import type { CodecStage } from "../compression/mod.ts";
import {
  Digester,
  loadBlobHashing,
  type VerifyingStream,
  verifyingStream,
} from "../digest.ts";
import { DigestMismatchError } from "../errors.ts";
import { keepChunk } from "../fs_stream.ts";
import type { Descriptor, Digest } from "../types.ts";
import type { BlobKind, CopyEventHandler } from "./events.ts";
import {
  compressionOfMediaType,
  type CompressionStep,
  decideCompressionStep,
  type DesiredCompression,
  layerMediaTypeFor,
} from "./plan_compression.ts";

/** How layers' compression may change during one copy. */
export interface LayerCompressionPolicy {
  /** What the destination wants. */
  readonly desired: DesiredCompression;
  /** `--dest-compress-format`. */
  readonly format?: string | undefined;
  /** `--dest-compress-level`. */
  readonly level?: number | undefined;
}

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
  /** Layer compression changes allowed in this copy. */
  readonly compression: LayerCompressionPolicy;
}

/** The blob as stored at the destination. */
export interface CopiedBlob {
  /** Its digest there. */
  digest: Digest;
  /** Its size there. */
  size: number;
  /** Its media type there, when the copy changed its compression. */
  mediaType?: string;
  /** Digest of the uncompressed blob, when asked for (`diffId`). */
  diffId?: Digest;
}

/** Options of {@linkcode copyBlob}. */
export interface CopyBlobOptions {
  /** The blob's role. */
  kind: BlobKind;
  /** Its index among the layers. */
  layerIndex?: number;
  /** Whether its compression may change. */
  canModify?: boolean;
  /**
   * Also compute the digest of the uncompressed bytes while copying (schema1
   * conversions need it). The blob is then always read from the source.
   */
  diffId?: boolean;
}

/**
 * The compression modules, loaded when a blob's compression is looked at or
 * changed: a copy that keeps every blob as it is (most copies, and every
 * re-copy) starts ~10 modules lighter.
 */
function loadCompression(): Promise<typeof import("../compression/mod.ts")> {
  return import("../compression/mod.ts");
}

/**
 * Digests the uncompressed form of a stream: decompressed when its first
 * bytes say it is compressed, as is otherwise.
 */
async function uncompressedDigest(
  stream: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): Promise<Digest> {
  const { detectCompression, decompressStream } = await loadCompression();
  const detected = await detectCompression(stream, { signal });
  const raw = detected.algorithm
    ? detected.stream.pipeThrough(decompressStream(detected.algorithm))
    : detected.stream;
  await loadBlobHashing();
  const digester = new Digester();
  for await (const chunk of raw) digester.update(chunk);
  return digester.digest();
}

/**
 * Uploads retried after a transient destination fault (a 5xx or a reset
 * while uploading): the stream is spent, so the blob is read again from the
 * source and sent in a new upload session.
 */
const UPLOAD_RETRIES = 3;
const UPLOAD_RETRY_DELAY_MS = 250;

/** Errors that say retrying may succeed (registry errors carry `temporary`). */
function isTemporary(error: unknown): boolean {
  return error instanceof Error &&
    (error as { temporary?: unknown }).temporary === true;
}

/**
 * Runs one upload attempt, again after a transient destination failure.
 * Source failures are not retried here: sources retry their own reads.
 */
async function retryUpload<T>(
  signal: AbortSignal,
  attempt: (onSourceError: () => void) => Promise<T>,
): Promise<T> {
  for (let n = 1;; n++) {
    let sourceFailed = false;
    try {
      return await attempt(() => sourceFailed = true);
    } catch (error) {
      if (
        sourceFailed || n > UPLOAD_RETRIES || signal.aborted ||
        !isTemporary(error)
      ) throw error;
      await new Promise((resolve) =>
        setTimeout(resolve, UPLOAD_RETRY_DELAY_MS * 2 ** (n - 1))
      );
    }
  }
}

const PROGRESS_INTERVAL_MS = 100;

/**
 * Verifies a source blob as it is read, reporting progress at most every
 * 100 ms and source read failures to `onSourceError` (not retried here),
 * all in the single stream hop of {@linkcode verifyingStream}.
 */
function verifiedSource(
  stream: ReadableStream<Uint8Array>,
  descriptor: Descriptor,
  onEvent: CopyEventHandler,
  options: { onSourceError: () => void; shared?: boolean },
): VerifyingStream {
  const { digest, size } = descriptor;
  const { onSourceError, shared } = options;
  let last = 0;
  return verifyingStream(stream, digest, {
    size,
    subject: `blob ${digest}`,
    onSourceError,
    onBytes(bytes, chunk) {
      // Two readers get the same chunks: the first done must not free them.
      if (shared) keepChunk(chunk);
      const now = Date.now();
      if (now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      onEvent({ type: "blob-progress", digest, bytes, total: size });
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
  options: CopyBlobOptions,
): Promise<CopiedBlob> {
  let pending = context.inFlight.get(descriptor.digest);
  if (!pending && options.diffId) {
    pending = transferBlob(context, descriptor, options);
    context.inFlight.set(descriptor.digest, pending);
  }
  if (!pending) {
    const declared = compressionOfMediaType(descriptor.mediaType);
    const modifiable = options.kind === "layer" && options.canModify === true;
    const mayChange = modifiable &&
      (declared === "unknown" ||
        decideCompressionStep({
            detected: declared,
            desired: context.compression.desired,
            requestedFormat: context.compression.format,
            canModify: true,
          }).op !== "preserve");
    // Media types can lie (docker-archive declares gzip for plain tar): as
    // containers/image, check the bytes when the destination has a wish,
    // after trying to reuse the blob as declared.
    const mustCheck = modifiable && !mayChange &&
      context.compression.desired !== "preserve";
    pending = mayChange || mustCheck
      ? transformBlob(context, descriptor, { ...options, reuse: mustCheck })
      : transferBlob(context, descriptor, options);
    context.inFlight.set(descriptor.digest, pending);
  }
  return pending;
}

async function transferBlob(
  context: BlobCopyContext,
  descriptor: Descriptor,
  options: { kind: BlobKind; layerIndex?: number; diffId?: boolean },
): Promise<CopiedBlob> {
  const { source, destination, signal, onEvent } = context;
  const { digest, size } = descriptor;
  return await context.limiter.run(async () => {
    // Reusing would skip reading the blob, whose diffID is then unknown.
    const reused = !options.diffId && await destination.tryReusingBlob(
      descriptor,
      {
        canSubstitute: false,
        sourceReference: source.reference,
        layerIndex: options.layerIndex,
        signal,
      },
    );
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
    const uploaded = await retryUpload(signal, async (onSourceError) => {
      const blob = await source.getBlob(descriptor, { signal }).catch(
        (error) => {
          onSourceError();
          throw error;
        },
      );
      if (blob.size !== undefined && size >= 0 && blob.size !== size) {
        await blob.stream.cancel().catch(() => {});
        throw new DigestMismatchError(String(size), String(blob.size), {
          kind: "size",
          subject: `blob ${digest}`,
        });
      }
      let verified = verifiedSource(blob.stream, descriptor, onEvent, {
        onSourceError,
        shared: options.diffId === true,
      }).stream;
      // A second reader digests the uncompressed bytes on the fly.
      let diffId: Promise<Digest> | undefined;
      if (options.diffId) {
        const [upload, inspect] = verified.tee();
        verified = upload;
        diffId = uncompressedDigest(inspect, signal);
        diffId.catch(() => {}); // awaited below; a failure also fails the upload
      }
      let uploaded: CopiedBlob;
      try {
        uploaded = await destination.putBlob(verified, descriptor, {
          isConfig: options.kind === "config",
          layerIndex: options.layerIndex,
          digestVerified: true,
          signal,
        });
        if (diffId) uploaded = { ...uploaded, diffId: await diffId };
      } catch (error) {
        if (!verified.locked) await verified.cancel(error).catch(() => {});
        throw error;
      }
      return uploaded;
    });
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

/** The codec chain that turns `detected` into what `step` asks for. */
function codecStages(
  step: CompressionStep,
  detected: string | undefined,
  level: number | undefined,
): CodecStage[] {
  const compress = (algorithm: string): CodecStage => ({
    op: "compress",
    algorithm,
    level,
  });
  switch (step.op) {
    case "preserve":
      return [];
    case "compress":
      return [compress(step.algorithm)];
    case "decompress":
      return [{ op: "decompress", algorithm: detected! }];
    case "recompress":
      return [
        { op: "decompress", algorithm: detected! },
        compress(step.algorithm),
      ];
  }
}

/**
 * Blobs from this size on are (de/re)compressed on a worker thread, so an
 * image's layers use every core; smaller ones are not worth the hand-over.
 */
const OFF_THREAD_MIN_BYTES = 1 << 20;

/**
 * Copies a layer whose compression may change: the source bytes are
 * verified, their compression detected from the first bytes, then
 * (de/re)compressed as the destination wants; the destination computes the
 * new digest.
 */
async function transformBlob(
  context: BlobCopyContext,
  descriptor: Descriptor,
  options: { kind: BlobKind; layerIndex?: number; reuse?: boolean },
): Promise<CopiedBlob> {
  const { source, destination, signal, onEvent, compression } = context;
  const { digest, size } = descriptor;
  return await context.limiter.run(async () => {
    if (options.reuse) {
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
    }
    onEvent({ type: "blob-started", digest, size, kind: options.kind });
    const { uploaded, mediaType, unchanged } = await retryUpload(
      signal,
      async (onSourceError) => {
        const blob = await source.getBlob(descriptor, { signal }).catch(
          (error) => {
            onSourceError();
            throw error;
          },
        );
        const verified = verifiedSource(blob.stream, descriptor, onEvent, {
          onSourceError,
        });
        const { matchMagic, MAX_MAGIC_LENGTH, offThreadStages, pipeStages } =
          await loadCompression();
        // The head is read ahead in the verifying hop: no extra replay hop.
        let head: Uint8Array;
        try {
          head = await verified.head(MAX_MAGIC_LENGTH);
        } catch (error) {
          await verified.stream.cancel(error).catch(() => {});
          throw error;
        }
        const algorithm = matchMagic(head)?.name;
        const step = decideCompressionStep({
          detected: algorithm,
          desired: compression.desired,
          requestedFormat: compression.format,
          canModify: true,
        });
        const stages = codecStages(step, algorithm, compression.level);
        // Ends a worker's chain when this attempt fails, even if the
        // destination holds the stream locked and never cancels it.
        const attempt = new AbortController();
        const stopAttempt = () => attempt.abort(signal.reason);
        signal.addEventListener("abort", stopAttempt, { once: true });
        const stream = stages.length === 0
          ? verified.stream
          : size < 0 || size >= OFF_THREAD_MIN_BYTES
          ? offThreadStages(verified.stream, stages, {
            signal: attempt.signal,
          })
          : pipeStages(verified.stream, stages);
        const unchanged = step.op === "preserve";
        const mediaType = unchanged ? descriptor.mediaType : layerMediaTypeFor(
          descriptor.mediaType,
          step.op === "decompress" ? undefined : step.algorithm,
        );
        let uploaded;
        try {
          uploaded = await destination.putBlob(
            stream,
            unchanged ? descriptor : { mediaType, size: -1 },
            {
              isConfig: false,
              layerIndex: options.layerIndex,
              digestVerified: unchanged,
              signal,
            },
          );
        } catch (error) {
          if (!stream.locked) await stream.cancel(error).catch(() => {});
          attempt.abort(error);
          throw error;
        } finally {
          signal.removeEventListener("abort", stopAttempt);
        }
        return { uploaded, mediaType, unchanged };
      },
    );
    onEvent({
      type: "blob-finished",
      digest,
      bytes: uploaded.size,
      kind: options.kind,
    });
    return unchanged ? uploaded : { ...uploaded, mediaType };
  }, signal);
}
