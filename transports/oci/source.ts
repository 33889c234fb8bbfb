/**
 * Reads an image from an OCI layout.
 *
 * @module
 */
import { verifyBytes } from "../../core/digest.ts";
import { BlobNotFoundError, InvalidContentError } from "../../core/errors.ts";
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
import { openBlobFile } from "../_fs/blob_stream.ts";
import { goFsError } from "../_fs/go_error.ts";
import { findImageDescriptor } from "../_oci_layout/find_descriptor.ts";
import { ociBlobPath, type OciIndexFile, readIndexFile } from "./layout.ts";
import { type OciReference, ociSettings } from "./reference.ts";

export { MORE_THAN_ONE_IMAGE } from "../_oci_layout/find_descriptor.ts";

/**
 * Finds the descriptor a reference names in `index.json`.
 *
 * @throws {ImageNotFoundError} When no entry matches.
 */
export function findDescriptor(
  index: OciIndexFile,
  reference: OciReference,
): Descriptor {
  return findImageDescriptor(index, reference, `oci:${reference}`);
}

/** Opens an OCI layout image for reading. */
export async function openOciSource(
  reference: OciReference,
  options: OpenOptions,
): Promise<OciSource> {
  const index = await readIndexFile(reference.path);
  const descriptor = findDescriptor(index, reference);
  return new OciSource(
    reference,
    descriptor,
    ociSettings(options).sharedBlobDir,
  );
}

/** Reads one image of an OCI layout. */
export class OciSource implements ImageSource {
  /** The reference opened. */
  readonly reference: OciReference;
  /** Files can be read in parallel. */
  readonly capabilities: SourceCapabilities = { concurrentBlobReads: true };
  /** The `index.json` entry of this image. */
  readonly descriptor: Descriptor;
  readonly #sharedBlobDir: string | undefined;

  /**
   * @param reference The layout and name.
   * @param descriptor The image's entry in `index.json`.
   * @param sharedBlobDir Where blobs live when shared between layouts.
   */
  constructor(
    reference: OciReference,
    descriptor: Descriptor,
    sharedBlobDir?: string,
  ) {
    this.reference = reference;
    this.descriptor = descriptor;
    this.#sharedBlobDir = sharedBlobDir;
  }

  #blobPath(digest: Digest): string {
    return ociBlobPath(this.reference.path, digest, this.#sharedBlobDir);
  }

  #root: Promise<string> | undefined;

  /**
   * Refuses a blob file that resolves, through symbolic links, outside the
   * layout (or the shared blob directory): a layout from elsewhere must not
   * make us read (and copy out) arbitrary files.
   */
  async #checkInside(path: string, digest: Digest): Promise<void> {
    let real: string;
    try {
      real = await Deno.realPath(path);
    } catch {
      return; // missing or unreadable: opening it reports that
    }
    this.#root ??= Deno.realPath(this.#sharedBlobDir ?? this.reference.path);
    const root = await this.#root;
    if (
      real !== root && !real.startsWith(root.endsWith("/") ? root : `${root}/`)
    ) {
      throw new InvalidContentError(
        `blob ${digest} in oci:${this.reference.path} is a symbolic link pointing outside the layout`,
      );
    }
  }

  /** Reads the manifest blob, checking it against its digest. */
  async getManifest(options: InstanceOptions = {}): Promise<ManifestBlob> {
    const digest = options.instance ?? this.descriptor.digest;
    const path = this.#blobPath(digest);
    await this.#checkInside(path, digest);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (error) {
      throw goFsError("open", path, error);
    }
    verifyBytes(bytes, digest, `manifest ${digest}`);
    return {
      bytes,
      mediaType: options.instance ? "" : this.descriptor.mediaType,
    };
  }

  /** Opens a blob file (a foreign layer with URLs is not supported yet). */
  async getBlob(
    info: BlobInfo,
    options: SignalOptions = {},
  ): Promise<BlobStream> {
    if (!info.digest) throw new TypeError("getBlob() needs a digest");
    const path = this.#blobPath(info.digest);
    await this.#checkInside(path, info.digest);
    return await openBlobFile(
      path,
      info.digest,
      `oci:${this.reference.path}`,
      options.signal,
    ).catch((error) => {
      if (error instanceof BlobNotFoundError && info.urls?.length) {
        error.message +=
          " (foreign layers fetched from URLs are not supported yet)";
      }
      throw error;
    });
  }

  /** OCI layouts hold no simple signatures. */
  getSignatures(): Promise<[]> {
    return Promise.resolve([]);
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
