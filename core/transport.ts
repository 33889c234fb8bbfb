/**
 * The transport plugin contract. A transport turns text such as
 * `oci:/path:tag` into an {@linkcode ImageReference}, and a reference opens
 * an {@linkcode ImageSource} to read from or an {@linkcode ImageDestination}
 * to write to. `core/copy` decides everything else; transports only move
 * bytes and declare what they can do.
 *
 * A minimal transport implements `apiVersion`, `name` and `parseReference`;
 * its references `toString` and `openSource`; its sources `getManifest`,
 * `getBlob` and `close`. Every other member is optional and filled in by
 * `core/_adapt.ts`.
 *
 * @module
 */
import type {
  BlobInfo,
  Digest,
  ManifestBlob,
  Platform,
  Signature,
} from "./types.ts";

/** The contract version this build implements; plugins must declare it. */
export const TRANSPORT_API_VERSION = 1 as const;

/** Options every asynchronous call accepts. */
export interface SignalOptions {
  /** Aborts the operation; implementations pass it down to I/O. */
  signal?: AbortSignal | undefined;
}

/** Logger the engine hands to transports (`--debug` output goes here). */
export interface Logger {
  /** Diagnostic detail; printed only with `--debug`. Never pass secrets. */
  debug(message: string): void;
  /** A warning the user should see. */
  warn(message: string): void;
}

/** Registry credentials. */
export interface Credentials {
  /** User name; empty with an identity token. */
  username: string;
  /** Password or token. */
  password: string;
}

/** Settings shared by every transport of one operation. */
export interface TransportContext {
  /** Directory for temporary files (`--tmpdir`). */
  readonly tmpDir?: string | undefined;
  /** The platform to choose from manifest lists (`--override-*`). */
  readonly platform?: Partial<Platform> | undefined;
  /** Where diagnostics go. */
  readonly logger?: Logger | undefined;
  /** The User-Agent for network requests. */
  readonly userAgent?: string | undefined;
  /**
   * Per-transport settings, keyed by transport name (`docker`, `oci`…), each
   * validated by its transport. Keeps this context from becoming a grab-bag.
   */
  readonly settings?:
    | Readonly<Record<string, Readonly<Record<string, unknown>>>>
    | undefined;
}

/** Options to open a source or destination, delete or list tags. */
export interface OpenOptions extends SignalOptions {
  /** Settings of this operation. */
  context?: TransportContext | undefined;
}

/** A storage mechanism such as `docker`, `oci`, `dir`. */
export interface Transport {
  /** Must equal {@linkcode TRANSPORT_API_VERSION}. */
  readonly apiVersion: typeof TRANSPORT_API_VERSION;
  /** The name users type before the first colon; never contains `:`. */
  readonly name: string;
  /**
   * Parses the text after `name:`.
   *
   * @throws {InvalidReferenceError} When the text is not a valid reference.
   */
  parseReference(text: string): ImageReference;
}

/** One image location within a transport. */
export interface ImageReference {
  /** The transport this reference belongs to. */
  readonly transport: Transport;
  /** The within-transport text; `transport.parseReference(toString())` round-trips. */
  toString(): string;
  /** The fully-qualified Docker reference (`docker.io/library/x:tag`) when meaningful. */
  readonly dockerReference?: string | undefined;
  /** Opens the image for reading. */
  openSource(options?: OpenOptions): Promise<ImageSource>;
  /** Opens the location for writing; absent on read-only transports. */
  openDestination?(options?: OpenOptions): Promise<ImageDestination>;
  /** Deletes the image; absent when the transport cannot. */
  deleteImage?(options?: OpenOptions): Promise<void>;
  /** Lists the tags of the repository; absent when the transport cannot. */
  listTags?(options?: OpenOptions): Promise<string[]>;
  /**
   * The digest of the top-level manifest stored at this location, or
   * `undefined` when there is none; read with one cheap request (a registry
   * `HEAD`) and no blob access. `sync` uses it to skip images the
   * destination already has. Absent when the transport cannot tell cheaply.
   *
   * @throws {Error} Only on unexpected failures (not for a missing image).
   */
  getManifestDigest?(options?: OpenOptions): Promise<Digest | undefined>;
}

/** Options of calls that concern one image of a manifest list. */
export interface InstanceOptions extends SignalOptions {
  /** The instance of a manifest list; absent for the top-level manifest. */
  instance?: Digest | undefined;
}

/** What a source can do. */
export interface SourceCapabilities {
  /** Whether `getBlob` may run several times at once. */
  readonly concurrentBlobReads: boolean;
}

/** A blob being read. */
export interface BlobStream {
  /** The bytes, unverified; the caller consumes or cancels it. */
  readonly stream: ReadableStream<Uint8Array>;
  /** The size when the source knows it. */
  readonly size: number | undefined;
}

/** Reads one image. Close it (`await using`) when done. */
export interface ImageSource extends AsyncDisposable {
  /** The reference this source was opened from. */
  readonly reference: ImageReference;
  /** What this source can do. */
  readonly capabilities: SourceCapabilities;
  /**
   * Returns the raw manifest: the top-level one, or an instance of a list.
   * The engine verifies its digest when one is known.
   */
  getManifest(options?: InstanceOptions): Promise<ManifestBlob>;
  /**
   * Opens a blob by digest. The bytes are unverified; the engine verifies.
   *
   * @throws {BlobNotFoundError} When the source has no such blob.
   */
  getBlob(info: BlobInfo, options?: SignalOptions): Promise<BlobStream>;
  /** The image's signatures; absent means none. */
  getSignatures?(options?: InstanceOptions): Promise<Signature[]>;
  /**
   * The layers as this source serves them, in manifest order, when they
   * differ from the manifest's descriptors (e.g. a store that keeps layers
   * uncompressed); `undefined` or absent when the manifest's descriptors
   * hold. The engine copies these blobs and rewrites the written manifest's
   * layer digests and sizes (containers/image's `LayerInfosForCopy`), or
   * refuses when the manifest must not change (signatures,
   * `--preserve-digests`). `getManifest` keeps returning the stored one.
   */
  layerInfosForCopy?(
    options?: InstanceOptions,
  ): Promise<BlobInfo[] | undefined>;
  /** Releases resources. */
  close(): Promise<void>;
}

/** What a destination can do and wants. */
export interface DestinationCapabilities {
  /** Manifest types it accepts, preferred first; undefined = try anything. */
  readonly supportedManifestTypes: readonly string[] | undefined;
  /** Whether layers should be compressed, decompressed or kept as they are. */
  readonly desiredLayerCompression: "preserve" | "compress" | "decompress";
  /** Whether foreign (non-distributable) layers may be referenced by URL. */
  readonly acceptsForeignLayerUrls: boolean;
  /** Whether the image's OS must match the running one. */
  readonly mustMatchRuntimeOs: boolean;
  /** Whether `putBlob` may run several times at once. */
  readonly concurrentBlobWrites: boolean;
  /** Whether signatures can be stored. */
  readonly storesSignatures: boolean;
  /** Whether manifest lists / indexes can be stored. */
  readonly storesManifestLists: boolean;
}

/** Options of {@linkcode ImageDestination.putBlob}. */
export interface PutBlobOptions extends SignalOptions {
  /** Whether this blob is the image config. */
  isConfig: boolean;
  /** The layer's index in the manifest, for layers. */
  layerIndex?: number | undefined;
  /**
   * True when the stream itself errors at its end unless the bytes match
   * `info.digest` and `info.size` (the copy engine's verifier is in the
   * pipeline), so the destination need not hash the bytes again.
   */
  digestVerified?: boolean | undefined;
}

/** Options of {@linkcode ImageDestination.tryReusingBlob}. */
export interface ReuseBlobOptions extends SignalOptions {
  /** Whether an equivalent blob with another digest may be substituted. */
  canSubstitute: boolean;
  /** The source reference, for cross-repository mounts. */
  sourceReference?: ImageReference | undefined;
  /** The layer's index in the manifest, for layers. */
  layerIndex?: number | undefined;
}

/** A blob written by {@linkcode ImageDestination.putBlob}. */
export interface UploadedBlob {
  /** Its digest. */
  digest: Digest;
  /** Its size. */
  size: number;
}

/** A blob the destination already has. */
export interface ReusedBlob {
  /** Its digest (differs from the request only when substituted). */
  digest: Digest;
  /** Its size. */
  size: number;
}

/** Options of {@linkcode ImageDestination.commit}. */
export interface CommitOptions extends SignalOptions {
  /** The manifest written last: the list when copying several instances. */
  topLevelManifest: ManifestBlob;
  /**
   * The source's manifest list, unmodified, when one instance of it was
   * copied (`topLevelManifest` is then that instance); absent otherwise.
   * A destination may keep it so the image is found by the list's digest,
   * as containers-storage does.
   */
  sourceList?: ManifestBlob | undefined;
}

/**
 * Writes one image. Call order: blobs → `putManifest` (instances, then the
 * top level) → `putSignatures` → `commit`; `close()` always. Nothing written
 * may look like a complete image before `commit`.
 */
export interface ImageDestination extends AsyncDisposable {
  /** The reference this destination was opened from. */
  readonly reference: ImageReference;
  /** What this destination can do and wants. */
  readonly capabilities: DestinationCapabilities;
  /**
   * Stores a blob. Must verify `info.digest` when given, read the stream to
   * its end or throw, delete partial data when the stream errors, and never
   * expose the blob under its digest before the end.
   */
  putBlob(
    stream: ReadableStream<Uint8Array>,
    info: BlobInfo,
    options: PutBlobOptions,
  ): Promise<UploadedBlob>;
  /**
   * Returns the blob when the destination already has it (or made it
   * available, e.g. by a cross-repository mount); `undefined` when not.
   * Throws only on unexpected failures.
   */
  tryReusingBlob?(
    info: BlobInfo,
    options: ReuseBlobOptions,
  ): Promise<ReusedBlob | undefined>;
  /**
   * Stores a manifest: the top-level one, or an instance of a list.
   *
   * @throws {ManifestTypeRejectedError} When the type is not accepted.
   */
  putManifest(manifest: ManifestBlob, options?: InstanceOptions): Promise<void>;
  /**
   * Stores signatures of the image written by `putManifest`. A destination
   * whose `storesSignatures` is false rejects non-empty signatures, with
   * its reason as the message, and stores nothing.
   */
  putSignatures?(
    signatures: readonly Signature[],
    options?: InstanceOptions,
  ): Promise<void>;
  /**
   * Resolves when signatures can be stored; rejects with the reason
   * otherwise. Asked before any blob is copied when the source has
   * signatures (containers/image's `SupportsSignatures`). When absent, a
   * destination that declares `storesSignatures` accepts, and one that does
   * not gives the reason `putSignatures` refuses with.
   */
  supportsSignatures?(options?: SignalOptions): Promise<void>;
  /** Makes the image visible. */
  commit(options: CommitOptions): Promise<void>;
  /** Releases resources; discards everything when not committed. */
  close(): Promise<void>;
}

/** The shape of a transport module: a named `transport` export. */
export interface TransportModule {
  /** The transport this module provides. */
  readonly transport: Transport;
}
