/**
 * `dir:PATH` references: skopeo's directory format, one image per directory.
 *
 * @module
 */
import {
  InvalidReferenceError,
  UnsupportedOperationError,
} from "../../core/errors.ts";
import type {
  ImageDestination,
  ImageReference,
  ImageSource,
  OpenOptions,
  Transport,
} from "../../core/transport.ts";
import type { Digest } from "../../core/types.ts";

/** A directory holding one image. */
export class DirReference implements ImageReference {
  /** The `dir` transport. */
  readonly transport: Transport;
  /** The path as the user wrote it. */
  readonly path: string;

  /**
   * @param transport The `dir` transport.
   * @param path The directory path, as written.
   */
  constructor(transport: Transport, path: string) {
    if (path === "") {
      throw new InvalidReferenceError(
        "dir:",
        "An empty directory path is not permitted",
      );
    }
    this.transport = transport;
    this.path = path;
  }

  /** The path, as written. */
  toString(): string {
    return this.path;
  }

  /** Opens the directory for reading. */
  async openSource(options: OpenOptions = {}): Promise<ImageSource> {
    const { DirSource } = await import("./source.ts");
    return new DirSource(this, options);
  }

  /** Opens the directory for writing. */
  async openDestination(options: OpenOptions = {}): Promise<ImageDestination> {
    const { openDirDestination } = await import("./destination.ts");
    return await openDirDestination(this, options);
  }

  /** The digest of `manifest.json`; undefined when there is none. */
  async getManifestDigest(): Promise<Digest | undefined> {
    const { dirManifestDigest } = await import("./manifest_digest.ts");
    return await dirManifestDigest(this.path);
  }

  /** Not supported: skopeo cannot delete `dir:` images either. */
  deleteImage(): Promise<void> {
    return Promise.reject(
      new UnsupportedOperationError("deleting images", this.transport.name),
    );
  }
}
