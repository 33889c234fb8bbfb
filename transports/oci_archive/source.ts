/**
 * Reads an image from an OCI archive without extracting it: the tar is
 * indexed once and `index.json`, manifests and blobs are read by offset
 * (links inside the archive followed, links leaving it refused).
 *
 * @module
 */
import { verifyBytes } from "../../core/digest.ts";
import { BlobNotFoundError } from "../../core/errors.ts";
import type {
  BlobStream,
  ImageSource,
  InstanceOptions,
  OpenOptions,
  SignalOptions,
  SourceCapabilities,
} from "../../core/transport.ts";
import type {
  BlobInfo,
  Descriptor,
  Digest,
  ManifestBlob,
} from "../../core/types.ts";
import {
  IndexedArchive,
  MissingMemberError,
} from "../_archive/indexed_archive.ts";
import { findImageDescriptor } from "../_oci_layout/find_descriptor.ts";
import { ociBlobPath, parseIndexFile } from "../_oci_layout/layout.ts";
import type { OciArchiveReference } from "./reference.ts";

/** Largest `index.json` or manifest read into memory. */
const MAX_METADATA_SIZE = 4 << 20;

/** Opens an OCI archive and finds the image the reference names. */
export async function openOciArchiveSource(
  reference: OciArchiveReference,
  options: OpenOptions = {},
): Promise<OciArchiveSource> {
  const archive = await IndexedArchive.open(reference.path, {
    tmpDir: options.context?.tmpDir,
    tempPrefix: "oci",
    signal: options.signal,
  });
  try {
    let bytes: Uint8Array;
    try {
      bytes = await archive.readMember("index.json", {
        limit: MAX_METADATA_SIZE,
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof MissingMemberError) {
        error.message =
          `${reference.path} is not an OCI archive: it has no index.json`;
      }
      throw error;
    }
    const index = parseIndexFile(
      new TextDecoder().decode(bytes),
      `${reference.path}:index.json`,
    );
    const descriptor = findImageDescriptor(
      index,
      reference,
      `oci-archive:${reference}`,
    );
    return new OciArchiveSource(reference, archive, descriptor);
  } catch (error) {
    await archive.close();
    throw error;
  }
}

/** One image of an OCI archive. */
export class OciArchiveSource implements ImageSource {
  /** The reference opened. */
  readonly reference: OciArchiveReference;
  /** Members are read through separate file handles. */
  readonly capabilities: SourceCapabilities = { concurrentBlobReads: true };
  /** The image's `index.json` entry. */
  readonly descriptor: Descriptor;
  readonly #archive: IndexedArchive;

  /**
   * @param reference The archive and name.
   * @param archive The indexed archive; closed with this source.
   * @param descriptor The image's `index.json` entry.
   */
  constructor(
    reference: OciArchiveReference,
    archive: IndexedArchive,
    descriptor: Descriptor,
  ) {
    this.reference = reference;
    this.#archive = archive;
    this.descriptor = descriptor;
  }

  #memberName(digest: Digest): string {
    return ociBlobPath(".", digest);
  }

  /** Reads a manifest blob, checking it against its digest. */
  async getManifest(options: InstanceOptions = {}): Promise<ManifestBlob> {
    const digest = options.instance ?? this.descriptor.digest;
    const bytes = await this.#read(digest, options);
    verifyBytes(bytes, digest, `manifest ${digest}`);
    return {
      bytes,
      mediaType: options.instance ? "" : this.descriptor.mediaType,
    };
  }

  /** Streams a blob out of the archive. */
  async getBlob(
    info: BlobInfo,
    options: SignalOptions = {},
  ): Promise<BlobStream> {
    if (!info.digest) throw new TypeError("getBlob() needs a digest");
    try {
      return await this.#archive.openMember(
        this.#memberName(info.digest),
        options,
      );
    } catch (error) {
      throw this.#notFound(info.digest, error);
    }
  }

  async #read(digest: Digest, options: SignalOptions): Promise<Uint8Array> {
    try {
      return await this.#archive.readMember(this.#memberName(digest), {
        limit: MAX_METADATA_SIZE,
        signal: options.signal,
      });
    } catch (error) {
      throw this.#notFound(digest, error);
    }
  }

  #notFound(digest: Digest, error: unknown): unknown {
    return error instanceof MissingMemberError
      ? new BlobNotFoundError(digest, `oci-archive:${this.reference.path}`, {
        cause: error,
      })
      : error;
  }

  /** OCI archives hold no simple signatures. */
  getSignatures(): Promise<[]> {
    return Promise.resolve([]);
  }

  /** Removes the spooled copy of the archive, if any. */
  close(): Promise<void> {
    return this.#archive.close();
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
