/**
 * Writes an image into an OCI layout directory. Blobs and manifests land
 * under their digests (temporary file + rename); `index.json` is rewritten
 * at commit, last, so an interrupted copy never adds an entry. Shared by
 * `oci:` and `oci-archive:` (which tars the layout at commit).
 *
 * @module
 */
import { digestOf } from "../../core/digest.ts";
import type {
  CommitOptions,
  DestinationCapabilities,
  ImageDestination,
  ImageReference,
  InstanceOptions,
  PutBlobOptions,
  ReuseBlobOptions,
  ReusedBlob,
  UploadedBlob,
} from "../../core/transport.ts";
import { ManifestTypeRejectedError } from "../../core/errors.ts";
import type {
  BlobInfo,
  Descriptor,
  Digest,
  ManifestBlob,
  Signature,
} from "../../core/types.ts";
import {
  pathExists,
  writeFileAtomic,
  writeFileAtomicIfChanged,
  writeStreamAtomic,
} from "../_fs/atomic.ts";
import { reusableBlobSize } from "../_fs/verify_file.ts";
import {
  addToIndex,
  OCI_LAYOUT_CONTENT,
  ociBlobPath,
  type OciIndexFile,
  REF_NAME_ANNOTATION,
  writeIndexFile,
} from "./layout.ts";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/** Where and how an {@linkcode OciLayoutDestination} writes. */
export interface OciLayoutTarget {
  /** The layout directory (its `blobs/` made by the caller). */
  root: string;
  /** The name for `index.json`'s ref.name annotation; empty for none. */
  image: string;
  /** The current `index.json` (or an empty one). */
  index: OciIndexFile;
  /** Where blobs go when shared between layouts. */
  sharedBlobDir?: string | undefined;
  /**
   * Keep uncompressed layers as they are
   * (`--dest-oci-accept-uncompressed-layers`) instead of compressing them.
   */
  acceptUncompressedLayers?: boolean | undefined;
}

/** Writes one image (or list) into an OCI layout. */
export class OciLayoutDestination<
  R extends ImageReference = ImageReference,
> implements ImageDestination {
  /** The reference opened. */
  readonly reference: R;
  /** OCI manifests and indexes only; lists yes, signatures no. */
  readonly capabilities: DestinationCapabilities;
  readonly #root: string;
  readonly #image: string;
  readonly #index: OciIndexFile;
  readonly #sharedBlobDir: string | undefined;
  #top: Descriptor | undefined;

  /**
   * @param reference The reference opened.
   * @param target The layout directory, image name, current index and
   *   layer policy.
   */
  constructor(reference: R, target: OciLayoutTarget) {
    this.reference = reference;
    this.#root = target.root;
    this.#image = target.image;
    this.capabilities = {
      supportedManifestTypes: [OCI_MANIFEST, OCI_INDEX],
      desiredLayerCompression: target.acceptUncompressedLayers
        ? "preserve"
        : "compress",
      acceptsForeignLayerUrls: true,
      mustMatchRuntimeOs: false,
      concurrentBlobWrites: true,
      storesSignatures: false,
      storesManifestLists: true,
    };
    this.#index = target.index;
    this.#sharedBlobDir = target.sharedBlobDir;
  }

  #blobPath(digest: Digest): string {
    return ociBlobPath(this.#root, digest, this.#sharedBlobDir);
  }

  /** Streams a blob into `blobs/<alg>/<hex>` via a temporary file. */
  async putBlob(
    stream: ReadableStream<Uint8Array>,
    info: BlobInfo,
    options: PutBlobOptions,
  ): Promise<UploadedBlob> {
    if (info.digest) {
      await Deno.mkdir(this.#blobPath(info.digest).replace(/\/[^/]+$/, ""), {
        recursive: true,
      });
    }
    return await writeStreamAtomic(
      stream,
      (digest) => this.#blobPath(digest),
      {
        expectedDigest: info.digest,
        expectedSize: info.size,
        trusted: options.digestVerified,
        signal: options.signal,
      },
    );
  }

  /** Reuses a blob already in the layout when its content checks out. */
  async tryReusingBlob(
    info: BlobInfo,
    _options: ReuseBlobOptions,
  ): Promise<ReusedBlob | undefined> {
    if (!info.digest) return undefined;
    const size = await reusableBlobSize(this.#blobPath(info.digest), info.size);
    return size === undefined ? undefined : { digest: info.digest, size };
  }

  /**
   * Stores the manifest as a blob; the top-level one is indexed at commit.
   * Any type is stored (as skopeo does for a forced `--format v2s2`); the
   * capabilities only steer conversions.
   */
  async putManifest(
    manifest: ManifestBlob,
    options: InstanceOptions = {},
  ): Promise<void> {
    if (
      !this.capabilities.supportedManifestTypes!.includes(manifest.mediaType)
    ) {
      throw new ManifestTypeRejectedError(manifest.mediaType);
    }
    const digest = digestOf(manifest.bytes);
    await writeFileAtomicIfChanged(this.#blobPath(digest), manifest.bytes);
    if (options.instance) return;
    const descriptor: Descriptor = {
      mediaType: manifest.mediaType,
      digest,
      size: manifest.bytes.byteLength,
    };
    if (this.#image) {
      descriptor.annotations = { [REF_NAME_ANNOTATION]: this.#image };
    }
    this.#top = descriptor;
  }

  /** Refuses, with skopeo's message: OCI layouts hold no signatures. */
  supportsSignatures(): Promise<void> {
    return Promise.reject(
      new Error("Pushing signatures for OCI images is not supported"),
    );
  }

  /** Refuses non-empty signatures (see {@linkcode supportsSignatures}). */
  putSignatures(signatures: readonly Signature[]): Promise<void> {
    return signatures.length === 0
      ? Promise.resolve()
      : this.supportsSignatures();
  }

  /** Writes `oci-layout` and then `index.json`, last. */
  async commit(_options: CommitOptions): Promise<void> {
    if (!this.#top) throw new Error("commit() called before putManifest()");
    const root = this.#root;
    if (!(await pathExists(`${root}/oci-layout`))) {
      await writeFileAtomic(`${root}/oci-layout`, OCI_LAYOUT_CONTENT);
    }
    addToIndex(this.#index, this.#top);
    await writeIndexFile(root, this.#index);
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
