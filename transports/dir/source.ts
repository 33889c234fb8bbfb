/**
 * Reads an image from a `dir:` directory.
 *
 * @module
 */
import type {
  BlobStream,
  ImageSource,
  InstanceOptions,
  OpenOptions,
  SignalOptions,
  SourceCapabilities,
} from "../../core/transport.ts";
import type { BlobInfo, ManifestBlob, Signature } from "../../core/types.ts";
import { openBlobFile } from "../_fs/blob_stream.ts";
import { readFileGo } from "../_fs/go_error.ts";
import { blobPath, manifestPath, signaturePath } from "./layout.ts";
import type { DirReference } from "./reference.ts";
import { signatureFromFile } from "./signature_codec.ts";

/** Reads one `dir:` image. */
export class DirSource implements ImageSource {
  /** The reference opened. */
  readonly reference: DirReference;
  /** Files can be read in parallel. */
  readonly capabilities: SourceCapabilities = { concurrentBlobReads: true };

  /**
   * @param reference The directory.
   * @param _options Unused: `dir:` has no settings.
   */
  constructor(reference: DirReference, _options: OpenOptions = {}) {
    this.reference = reference;
  }

  /** Reads `manifest.json` (or an instance's); the type is guessed by the engine. */
  async getManifest(options: InstanceOptions = {}): Promise<ManifestBlob> {
    const bytes = await readFileGo(
      manifestPath(this.reference.path, options.instance),
    );
    return { bytes, mediaType: "" };
  }

  /** Opens the blob file named by its digest. */
  getBlob(info: BlobInfo, options: SignalOptions = {}): Promise<BlobStream> {
    if (!info.digest) throw new TypeError("getBlob() needs a digest");
    return openBlobFile(
      blobPath(this.reference.path, info.digest),
      info.digest,
      `dir:${this.reference.path}`,
      options.signal,
    );
  }

  /** Reads `signature-1`, `signature-2`… until one is missing. */
  async getSignatures(options: InstanceOptions = {}): Promise<Signature[]> {
    const signatures: Signature[] = [];
    for (let i = 0;; i++) {
      const path = signaturePath(this.reference.path, i, options.instance);
      let data: Uint8Array;
      try {
        data = await Deno.readFile(path);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return signatures;
        throw error;
      }
      signatures.push(signatureFromFile(data, path));
    }
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
