/**
 * `oci-archive:PATH[:NAME]` references: a tar of an OCI image layout, and
 * the image's `org.opencontainers.image.ref.name` in it.
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

/** The name grammar containers/image accepts after the path. */
const IMAGE_NAME = /^[A-Za-z0-9._-]+([:@/][A-Za-z0-9._-]+)*$/;

/** skopeo's refusal to delete from an OCI archive. */
export const DELETE_NOT_IMPLEMENTED =
  "Deleting images not implemented for oci: images";

/** An image in (or to write as) an OCI archive. */
export class OciArchiveReference implements ImageReference {
  /** The `oci-archive` transport. */
  readonly transport: Transport;
  /** The archive file. */
  readonly path: string;
  /** The image name; empty when none. */
  readonly image: string;

  /**
   * Parses a reference.
   *
   * @param transport The `oci-archive` transport.
   * @param text `PATH[:NAME]`.
   * @throws {InvalidReferenceError} For an empty path or an invalid name.
   */
  constructor(transport: Transport, text: string) {
    const colon = text.indexOf(":");
    const path = colon < 0 ? text : text.slice(0, colon);
    const image = colon < 0 ? "" : text.slice(colon + 1);
    if (path === "") {
      throw new InvalidReferenceError(
        `oci-archive:${text}`,
        "Invalid OCI reference: path is empty",
      );
    }
    if (image !== "" && !IMAGE_NAME.test(image)) {
      throw new InvalidReferenceError(
        `oci-archive:${text}`,
        `Invalid image ${image}`,
      );
    }
    this.transport = transport;
    this.path = path;
    this.image = image;
  }

  /** `PATH:NAME`, with the colon even without a name, as skopeo prints it. */
  toString(): string {
    return `${this.path}:${this.image}`;
  }

  /** Opens the archive (indexed, not extracted) for reading. */
  async openSource(options: OpenOptions = {}): Promise<ImageSource> {
    const { openOciArchiveSource } = await import("./source.ts");
    return await openOciArchiveSource(this, options);
  }

  /** Opens a new archive; it replaces `PATH` at commit. */
  async openDestination(options: OpenOptions = {}): Promise<ImageDestination> {
    const { openOciArchiveDestination } = await import("./destination.ts");
    return await openOciArchiveDestination(this, options);
  }

  /** Not supported, as in skopeo. */
  deleteImage(): Promise<void> {
    // Not "deleting images": skopeo's message names `oci:`, not this transport.
    const error = new UnsupportedOperationError(
      "deleting OCI archive images",
      this.transport.name,
    );
    error.message = DELETE_NOT_IMPLEMENTED;
    return Promise.reject(error);
  }
}
