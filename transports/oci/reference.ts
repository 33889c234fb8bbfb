/**
 * `oci:PATH[:NAME]` references (also `oci:PATH:@INDEX` to read by position).
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

/** The name grammar containers/image accepts after the path. */
const IMAGE_NAME = /^[A-Za-z0-9._-]+([:@/][A-Za-z0-9._-]+)*$/;

/** Settings of the `oci` transport under `context.settings.oci`. */
export interface OciSettings {
  /** A directory holding `<alg>/<hex>` blobs shared by several layouts. */
  sharedBlobDir?: string;
}

/** Reads `context.settings.oci`. */
export function ociSettings(options: OpenOptions): OciSettings {
  const raw = options.context?.settings?.["oci"] ?? {};
  const dir = raw["sharedBlobDir"];
  return typeof dir === "string" && dir ? { sharedBlobDir: dir } : {};
}

/** An image in an OCI layout. */
export class OciReference implements ImageReference {
  /** The `oci` transport. */
  readonly transport: Transport;
  /** The layout directory. */
  readonly path: string;
  /** The image name (ref.name annotation); empty when none. */
  readonly image: string;
  /** The position in `index.json` when written `:@N`. */
  readonly sourceIndex: number | undefined;

  /**
   * @param transport The `oci` transport.
   * @param text `PATH[:NAME]` or `PATH:@INDEX`.
   */
  constructor(transport: Transport, text: string) {
    const colon = text.indexOf(":");
    const path = colon < 0 ? text : text.slice(0, colon);
    const image = colon < 0 ? "" : text.slice(colon + 1);
    if (path === "") {
      throw new InvalidReferenceError(
        `oci:${text}`,
        "Invalid OCI reference: path is empty",
      );
    }
    this.transport = transport;
    this.path = path;
    this.sourceIndex = undefined;
    if (/^@[0-9]+$/.test(image)) {
      this.sourceIndex = Number(image.slice(1));
      this.image = "";
    } else {
      if (image !== "" && !IMAGE_NAME.test(image)) {
        throw new InvalidReferenceError(
          `oci:${text}`,
          `Invalid image ${image}`,
        );
      }
      this.image = image;
    }
  }

  /** `PATH[:NAME]`, as written. */
  toString(): string {
    if (this.sourceIndex !== undefined) {
      return `${this.path}:@${this.sourceIndex}`;
    }
    return this.image ? `${this.path}:${this.image}` : this.path;
  }

  /** Opens the layout for reading. */
  async openSource(options: OpenOptions = {}): Promise<ImageSource> {
    const { openOciSource } = await import("./source.ts");
    return await openOciSource(this, options);
  }

  /**
   * The digest `index.json` lists for this name; undefined when the layout
   * or the entry does not exist (sync asks before copying).
   */
  async getManifestDigest(): Promise<Digest | undefined> {
    if (this.image === "") return undefined;
    const { readIndexFile, REF_NAME_ANNOTATION } = await import("./layout.ts");
    let index;
    try {
      index = await readIndexFile(this.path);
    } catch {
      return undefined;
    }
    return index.manifests.find((d) =>
      d.annotations?.[REF_NAME_ANNOTATION] === this.image
    )?.digest;
  }

  /** Opens the layout for writing. */
  async openDestination(options: OpenOptions = {}): Promise<ImageDestination> {
    if (this.sourceIndex !== undefined) {
      throw new InvalidReferenceError(
        `oci:${this}`,
        "Destination reference must not contain a manifest index @" +
          this.sourceIndex,
      );
    }
    const { openOciDestination } = await import("./destination.ts");
    return await openOciDestination(this, options);
  }

  /** Not supported by skopeo 1.9.3 either. */
  deleteImage(): Promise<void> {
    return Promise.reject(
      new UnsupportedOperationError("deleting images", this.transport.name),
    );
  }
}
