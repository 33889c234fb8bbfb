/**
 * Turns a minimal content store (blobs by digest, manifests, one commit) into
 * a full {@linkcode ImageSource} and {@linkcode ImageDestination} that keep
 * every rule of the contract: blob digests are verified before the store
 * sees the end of the stream, a blob with an unknown digest is spooled to a
 * temporary file and hashed first, and the top-level manifest reaches the
 * store only at commit.
 *
 * @example A transport over a `Map`
 * ```ts
 * import { type ContentStore, fromContentStore } from "./partial.ts";
 * const blobs = new Map<string, Uint8Array>();
 * const store: ContentStore = {
 *   hasBlob: (digest) => Promise.resolve(blobs.has(digest)),
 *   readBlob: (digest) => Promise.resolve(blobs.get(digest)),
 *   async writeBlob(digest, stream) {
 *     blobs.set(digest, await new Response(stream).bytes());
 *   },
 *   readManifest: () => Promise.resolve(undefined),
 *   writeManifest: () => Promise.resolve(),
 *   commit: () => Promise.resolve(),
 * };
 * const reference = {
 *   transport: {
 *     apiVersion: 1 as const,
 *     name: "map",
 *     parseReference: () => reference,
 *   },
 *   toString: () => "x",
 *   openSource: () => fromContentStore(reference, store).openSource(),
 * };
 * const source = await fromContentStore(reference, store).openSource();
 * await source.close();
 * ```
 *
 * @module
 */
import { Digester, DigestVerifierStream } from "../core/digest.ts";
import { BlobNotFoundError, ImageNotFoundError } from "../core/errors.ts";
import type {
  BlobStream,
  CommitOptions,
  DestinationCapabilities,
  ImageDestination,
  ImageReference,
  ImageSource,
  InstanceOptions,
  OpenOptions,
  PutBlobOptions,
  ReuseBlobOptions,
  ReusedBlob,
  SignalOptions,
  UploadedBlob,
} from "../core/transport.ts";
import type { BlobInfo, Digest, ManifestBlob } from "../core/types.ts";

/** Options of {@linkcode ContentStore.writeBlob}. */
export interface WriteBlobOptions extends SignalOptions {
  /** The blob's size when known, else -1. */
  size: number;
}

/**
 * The least a storage back end implements; {@linkcode fromContentStore}
 * builds the rest. Keys are digests; `instance` names a manifest of a list.
 */
export interface ContentStore {
  /** Whether a complete blob with this digest is stored. */
  hasBlob(digest: Digest, options?: SignalOptions): Promise<boolean>;
  /** The blob's bytes, or `undefined` when it is not stored. */
  readBlob(
    digest: Digest,
    options?: SignalOptions,
  ): Promise<ReadableStream<Uint8Array> | Uint8Array | undefined>;
  /**
   * Stores a blob. The stream errors at its end unless the bytes match
   * `digest`: then throw and keep nothing, so a blob is visible under its
   * digest only when complete and correct.
   */
  writeBlob(
    digest: Digest,
    stream: ReadableStream<Uint8Array>,
    options: WriteBlobOptions,
  ): Promise<void>;
  /**
   * The top-level manifest (no `instance`) or an instance of a list;
   * `undefined` when there is none. An empty `mediaType` lets the engine
   * guess it from the content.
   */
  readManifest(options?: InstanceOptions): Promise<ManifestBlob | undefined>;
  /** Stores the manifest of one instance of a list, named by its digest. */
  writeManifest(
    manifest: ManifestBlob,
    options: InstanceOptions & { instance: Digest },
  ): Promise<void>;
  /** Stores the top-level manifest, making the image visible; atomically if it can. */
  commit(manifest: ManifestBlob, options?: SignalOptions): Promise<void>;
  /** Releases resources. */
  close?(): Promise<void>;
}

/** Options of {@linkcode fromContentStore}. */
export interface FromContentStoreOptions {
  /** Overrides of the destination's capabilities (defaults: take anything, keep compression, no signatures). */
  capabilities?: Partial<DestinationCapabilities> | undefined;
  /** Whether the store may be read by several blobs at once (default true). */
  concurrentBlobReads?: boolean | undefined;
}

/** Opens a source and a destination over one store. */
export interface ContentStoreOpeners {
  /** Opens the stored image for reading. */
  openSource(options?: OpenOptions): Promise<ImageSource>;
  /** Opens the store for writing an image. */
  openDestination(options?: OpenOptions): Promise<ImageDestination>;
}

const DEFAULT_CAPABILITIES: DestinationCapabilities = {
  supportedManifestTypes: undefined,
  desiredLayerCompression: "preserve",
  acceptsForeignLayerUrls: false,
  mustMatchRuntimeOs: false,
  concurrentBlobWrites: true,
  storesSignatures: false,
  storesManifestLists: true,
};

/**
 * Builds `openSource` and `openDestination` for a reference from its store.
 *
 * @param reference The reference the source and destination report.
 * @param store Where the bytes live.
 * @param options Capability overrides.
 * @returns Functions to open a source or a destination.
 */
export function fromContentStore(
  reference: ImageReference,
  store: ContentStore,
  options: FromContentStoreOptions = {},
): ContentStoreOpeners {
  return {
    openSource: () =>
      Promise.resolve(
        new StoreSource(reference, store, options.concurrentBlobReads ?? true),
      ),
    openDestination: (open = {}) =>
      Promise.resolve(
        new StoreDestination(reference, store, {
          ...DEFAULT_CAPABILITIES,
          ...options.capabilities,
        }, open.context?.tmpDir),
      ),
  };
}

class StoreSource implements ImageSource {
  readonly reference: ImageReference;
  readonly capabilities: { concurrentBlobReads: boolean };
  readonly #store: ContentStore;

  constructor(
    reference: ImageReference,
    store: ContentStore,
    concurrentBlobReads: boolean,
  ) {
    this.reference = reference;
    this.#store = store;
    this.capabilities = { concurrentBlobReads };
  }

  async getManifest(options: InstanceOptions = {}): Promise<ManifestBlob> {
    const manifest = await this.#store.readManifest(options);
    if (!manifest) {
      const name = `${this.reference.transport.name}:${this.reference}`;
      throw new ImageNotFoundError(
        name,
        options.instance ? `no manifest ${options.instance}` : undefined,
      );
    }
    return manifest;
  }

  async getBlob(
    info: BlobInfo,
    options: SignalOptions = {},
  ): Promise<BlobStream> {
    if (!info.digest) throw new TypeError("getBlob() needs a digest");
    const data = await this.#store.readBlob(info.digest, options);
    if (data === undefined) {
      throw new BlobNotFoundError(
        info.digest,
        `${this.reference.transport.name}:${this.reference}`,
      );
    }
    if (data instanceof Uint8Array) {
      return { stream: ReadableStream.from([data]), size: data.byteLength };
    }
    return {
      stream: data,
      size: info.size !== undefined && info.size >= 0 ? info.size : undefined,
    };
  }

  close(): Promise<void> {
    return this.#store.close?.() ?? Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

class StoreDestination implements ImageDestination {
  readonly reference: ImageReference;
  readonly capabilities: DestinationCapabilities;
  readonly #store: ContentStore;
  readonly #tmpDir: string | undefined;
  #manifest: ManifestBlob | undefined;

  constructor(
    reference: ImageReference,
    store: ContentStore,
    capabilities: DestinationCapabilities,
    tmpDir: string | undefined,
  ) {
    this.reference = reference;
    this.#store = store;
    this.capabilities = capabilities;
    this.#tmpDir = tmpDir;
  }

  async putBlob(
    stream: ReadableStream<Uint8Array>,
    info: BlobInfo,
    options: PutBlobOptions,
  ): Promise<UploadedBlob> {
    const size = info.size ?? -1;
    if (info.digest) {
      const verified = options.digestVerified
        ? stream
        : stream.pipeThrough(new DigestVerifierStream(info.digest, { size }));
      const counted = countBytes(verified);
      await this.#store.writeBlob(info.digest, counted.stream, {
        size,
        signal: options.signal,
      });
      if (!counted.ended()) {
        // The digest is checked at the end: a store that stops early
        // would keep unverified bytes.
        throw new Error(
          `${this.reference.transport.name}: the store did not read blob ${info.digest} to its end`,
        );
      }
      return { digest: info.digest, size: counted.size() };
    }
    return await this.#putUnknownBlob(stream, options);
  }

  /** Spools a blob whose digest is unknown, hashing it, then stores it. */
  async #putUnknownBlob(
    stream: ReadableStream<Uint8Array>,
    options: PutBlobOptions,
  ): Promise<UploadedBlob> {
    const path = await Deno.makeTempFile({
      ...(this.#tmpDir ? { dir: this.#tmpDir } : {}),
      prefix: "skopeo-ts-blob-",
    });
    try {
      const digester = new Digester();
      const file = await Deno.open(path, { write: true, truncate: true });
      await stream.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            digester.update(chunk);
            controller.enqueue(chunk);
          },
        }),
      ).pipeTo(
        file.writable,
        options.signal ? { signal: options.signal } : {},
      );
      const digest = digester.digest();
      const size = digester.size;
      const spooled = await Deno.open(path, { read: true });
      await this.#store.writeBlob(
        digest,
        spooled.readable.pipeThrough(
          new DigestVerifierStream(digest, { size }),
        ),
        { size, signal: options.signal },
      );
      return { digest, size };
    } finally {
      await Deno.remove(path).catch(() => {});
    }
  }

  async tryReusingBlob(
    info: BlobInfo,
    options: ReuseBlobOptions,
  ): Promise<ReusedBlob | undefined> {
    if (!info.digest || info.size === undefined || info.size < 0) {
      return undefined;
    }
    if (!await this.#store.hasBlob(info.digest, options)) return undefined;
    return { digest: info.digest, size: info.size };
  }

  async putManifest(
    manifest: ManifestBlob,
    options: InstanceOptions = {},
  ): Promise<void> {
    if (options.instance) {
      await this.#store.writeManifest(manifest, {
        ...options,
        instance: options.instance,
      });
      return;
    }
    this.#manifest = manifest;
  }

  async commit(options: CommitOptions): Promise<void> {
    await this.#store.commit(this.#manifest ?? options.topLevelManifest, {
      signal: options.signal,
    });
  }

  close(): Promise<void> {
    return this.#store.close?.() ?? Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Passes a stream through, counting its bytes. */
function countBytes(
  stream: ReadableStream<Uint8Array>,
): { stream: ReadableStream<Uint8Array>; size(): number; ended(): boolean } {
  let size = 0;
  let ended = false;
  return {
    stream: stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          size += chunk.byteLength;
          controller.enqueue(chunk);
        },
        flush() {
          ended = true;
        },
      }),
    ),
    size: () => size,
    ended: () => ended,
  };
}
