/**
 * Options and result of `copyImage`.
 *
 * @module
 */
import type { SignalOptions, TransportContext } from "../transport.ts";
import type { Digest, ManifestBlob, Platform, Signature } from "../types.ts";
import type { Policy } from "../policy/policy.ts";
import type { CopyEventHandler } from "./events.ts";

/** How to treat a manifest list at the source. */
export type ImageListSelection = "system" | "all" | "index-only";

/**
 * Signs a manifest written at the destination, for a Docker reference
 * (`--sign-by` supplies one that runs gpg; the engine never does).
 */
export type ManifestSigner =
  & ((manifest: ManifestBlob, dockerReference: string) => Promise<Signature>)
  & {
    /** The format it makes, for the "Signing manifest using …" line. */
    readonly format?: Signature["format"];
  };

/** Runs tasks a bounded number at a time (`core/_limiter.ts`'s `Limiter`). */
export interface BlobTransferLimiter {
  /** Runs `task` once a slot is free, and frees the slot afterwards. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** Options of `copyImage`. */
export interface CopyOptions extends SignalOptions {
  /** Settings of the source side (credentials, TLS, tmpDir…). */
  sourceContext?: TransportContext | undefined;
  /** Settings of the destination side. */
  destinationContext?: TransportContext | undefined;
  /** The platform to choose from a list (default: the running system). */
  platform?: Partial<Platform> | undefined;
  /** `system` (default): one instance; `all`: every instance and the list. */
  imageListSelection?: ImageListSelection | undefined;
  /** Blobs copied at once when both sides allow it (default 6, like skopeo). */
  maxParallelBlobs?: number | undefined;
  /**
   * Bounds blob transfers together with other copies (sync's one global
   * limit); used instead of `maxParallelBlobs` when both sides allow
   * concurrent transfers.
   */
  blobLimiter?: BlobTransferLimiter | undefined;
  /** The manifest MIME type to write (`--format`); default: the source's, with fallbacks. */
  manifestType?: string | undefined;
  /** Refuse any change that would alter a digest (`--preserve-digests`). */
  preserveDigests?: boolean | undefined;
  /** The trust policy the source must satisfy; none = no check (`--insecure-policy`). */
  policy?: Policy | undefined;
  /** Layer compression to use when layers are (re)compressed (`--dest-compress-format`: gzip, zstd). */
  compressionFormat?: string | undefined;
  /** Compression level (`--dest-compress-level`). */
  compressionLevel?: number | undefined;
  /** Do not copy signatures (`--remove-signatures`). */
  removeSignatures?: boolean | undefined;
  /** Add a signature by each of these to every manifest written (`--sign-by`). */
  signers?: readonly ManifestSigner[] | undefined;
  /** The reference to sign for (`--sign-identity`); default: the destination's Docker reference. */
  signIdentity?: string | undefined;
  /** Receives progress events. */
  onEvent?: CopyEventHandler | undefined;
}

/** What `copyImage` wrote. */
export interface CopyResult {
  /** The top-level manifest written to the destination. */
  manifest: ManifestBlob;
  /** Its digest. */
  digest: Digest;
}

/** skopeo's default number of parallel blob copies. */
export const DEFAULT_MAX_PARALLEL_BLOBS = 6;
