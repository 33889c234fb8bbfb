/**
 * `docker-archive:PATH[:REFERENCE]` and `docker-archive:PATH:@INDEX`
 * references, parsed as skopeo 1.9.3 parses them.
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
import {
  type DockerName,
  formatReference,
  parseNormalizedNamed,
  withDefaultTag,
} from "../../core/docker_name.ts";

/** skopeo's refusal to delete from an archive. */
export const DELETE_NOT_IMPLEMENTED =
  "Deleting images not implemented for docker-archive: images";

/** What a reference selects inside the archive. */
export type DockerArchiveSelector =
  | { readonly kind: "only" }
  | { readonly kind: "tag"; readonly name: DockerName }
  | { readonly kind: "index"; readonly index: number };

/** An image in (or to write into) a `docker save` archive. */
export class DockerArchiveReference implements ImageReference {
  /** The `docker-archive` transport. */
  readonly transport: Transport;
  /** The archive file. */
  readonly path: string;
  /** Tag, index or neither. */
  readonly selector: DockerArchiveSelector;

  /**
   * Parses a reference.
   *
   * @param transport The `docker-archive` transport.
   * @param text `PATH`, `PATH:REFERENCE` or `PATH:@INDEX`.
   * @throws {InvalidReferenceError} With skopeo's messages.
   */
  constructor(transport: Transport, text: string) {
    const input = `docker-archive:${text}`;
    if (text === "") {
      throw new InvalidReferenceError(
        input,
        "docker-archive reference  isn't of the form <path>[:<reference>]",
      );
    }
    this.transport = transport;
    const colon = text.indexOf(":");
    this.path = colon < 0 ? text : text.slice(0, colon);
    if (colon < 0) {
      this.selector = { kind: "only" };
      return;
    }
    const rest = text.slice(colon + 1);
    if (rest.startsWith("@")) {
      this.selector = { kind: "index", index: parseIndex(rest, input) };
      return;
    }
    let name: DockerName;
    try {
      name = withDefaultTag(parseNormalizedNamed(rest));
    } catch (error) {
      throw new InvalidReferenceError(
        input,
        `docker-archive parsing reference: ${
          error instanceof Error ? error.message : error
        }`,
      );
    }
    if (name.tag === undefined) {
      throw new InvalidReferenceError(
        input,
        `reference does not include a tag: ${formatReference(name)}`,
      );
    }
    if (name.digest !== undefined) {
      throw new InvalidReferenceError(
        input,
        `docker-archive doesn't support digest references: ${
          formatReference(name)
        }`,
      );
    }
    this.selector = { kind: "tag", name };
  }

  /** `PATH`, `PATH:docker.io/…:tag` (normalised) or `PATH:@N`. */
  toString(): string {
    switch (this.selector.kind) {
      case "tag":
        return `${this.path}:${formatReference(this.selector.name)}`;
      case "index":
        return `${this.path}:@${this.selector.index}`;
      default:
        return this.path;
    }
  }

  /** The tag, fully qualified, when the reference has one. */
  get dockerReference(): string | undefined {
    return this.selector.kind === "tag"
      ? formatReference(this.selector.name)
      : undefined;
  }

  /** Opens the archive and reads the selected image. */
  async openSource(options: OpenOptions = {}): Promise<ImageSource> {
    const { openDockerArchiveSource } = await import("./source.ts");
    return await openDockerArchiveSource(this, options);
  }

  /**
   * Opens the archive file for writing a new archive; tags come from the
   * reference and `context.settings["docker-archive"].additionalTags`.
   */
  async openDestination(options: OpenOptions = {}): Promise<ImageDestination> {
    if (this.selector.kind === "index") {
      throw new Error(
        `Destination reference must not contain a manifest index @${this.selector.index}`,
      );
    }
    const { openDockerArchiveDestination } = await import("./destination.ts");
    return await openDockerArchiveDestination(this, options);
  }

  /** Not supported, as in skopeo. */
  deleteImage(): Promise<void> {
    const error = new UnsupportedOperationError(
      "deleting images",
      this.transport.name,
    );
    error.message = DELETE_NOT_IMPLEMENTED;
    return Promise.reject(error);
  }

  /**
   * The archive's tags as `skopeo list-tags docker-archive:PATH` lists them
   * (the reference's own tag or index is ignored): each `RepoTags` entry as
   * written, `@N` for an untagged image.
   */
  async listTags(options: OpenOptions = {}): Promise<string[]> {
    const { DockerArchiveReader } = await import(
      "../_docker_tarfile/reader.ts"
    );
    await using reader = await DockerArchiveReader.open(this.path, {
      tmpDir: options.context?.tmpDir,
      signal: options.signal,
    });
    return reader.listTags();
  }
}

/** Go's `strconv.Atoi` on the text after `@`, with skopeo's messages. */
function parseIndex(text: string, input: string): number {
  const digits = text.slice(1);
  const fail = (reason: string): never => {
    throw new InvalidReferenceError(
      input,
      `Invalid source index ${text}: strconv.Atoi: parsing ${
        JSON.stringify(digits)
      }: ${reason}`,
    );
  };
  if (!/^[+-]?[0-9]+$/.test(digits)) fail("invalid syntax");
  const value = BigInt(digits);
  if (value > 9223372036854775807n || value < -9223372036854775808n) {
    fail("value out of range");
  }
  if (value < 0n) {
    throw new InvalidReferenceError(
      input,
      `Invalid source index @${value}: must not be negative`,
    );
  }
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    // No archive has that many images; keep the number exact for messages.
    return Number.MAX_SAFE_INTEGER;
  }
  return Number(value);
}
