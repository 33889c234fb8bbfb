/**
 * `docker-daemon:NAME:TAG`, `docker-daemon:NAME@DIGEST` and
 * `docker-daemon:sha256:HEX` (an image ID) references, parsed as skopeo
 * 1.9.3 parses them.
 *
 * @module
 */
import { InvalidReferenceError } from "../../core/errors.ts";
import type {
  ImageDestination,
  ImageReference,
  ImageSource,
  OpenOptions,
  Transport,
} from "../../core/transport.ts";
import type { Digest } from "../../core/types.ts";
import {
  type DockerName,
  familiarName,
  familiarString,
  formatReference,
  parseNormalizedNamed,
} from "../../core/docker_name.ts";

const DIGEST_LENGTHS: Readonly<Record<string, number>> = {
  sha256: 64,
  sha384: 96,
  sha512: 128,
};

/** An image in a Docker engine: by image ID, or by a tagged or digested name. */
export class DockerDaemonReference implements ImageReference {
  /** The `docker-daemon` transport. */
  readonly transport: Transport;
  /** The image ID (config digest), for `docker-daemon:sha256:HEX`. */
  readonly id: Digest | undefined;
  /** The name, for every other form; tagged or digested, never both. */
  readonly name: DockerName | undefined;

  /**
   * Parses a reference.
   *
   * @param transport The `docker-daemon` transport.
   * @param text `NAME:TAG`, `NAME@DIGEST` or `sha256:HEX`.
   * @throws {InvalidReferenceError} With skopeo's messages.
   */
  constructor(transport: Transport, text: string) {
    this.transport = transport;
    const input = `docker-daemon:${text}`;
    const colon = text.indexOf(":");
    const algorithm = text.slice(0, colon);
    const length = DIGEST_LENGTHS[algorithm];
    // go-digest's Parse: an "algo:hex" text is a digest, not "name:tag".
    if (
      colon > 0 && length !== undefined &&
      text.length - colon - 1 === length &&
      /^[a-f0-9]+$/.test(text.slice(colon + 1))
    ) {
      if (algorithm !== "sha256") {
        throw new InvalidReferenceError(
          input,
          `Invalid docker-daemon: reference ${text}: only digest algorithm sha256 accepted`,
        );
      }
      this.id = text as Digest;
      this.name = undefined;
      return;
    }
    const name = parseNormalizedNamed(text, { input });
    if (familiarName(name) === "sha256") {
      throw new InvalidReferenceError(
        input,
        `Invalid docker-daemon: reference ${text}: The sha256 repository name is reserved for (non-shortened) digest references`,
      );
    }
    if (name.tag === undefined && name.digest === undefined) {
      throw new InvalidReferenceError(
        input,
        `docker-daemon: reference ${
          familiarString(name)
        } has neither a tag nor a digest`,
      );
    }
    if (name.tag !== undefined && name.digest !== undefined) {
      throw new InvalidReferenceError(
        input,
        "docker-daemon: references with both a tag and digest are currently not supported",
      );
    }
    this.id = undefined;
    this.name = name;
  }

  /** The image ID, or the familiar name (`busybox:latest`). */
  toString(): string {
    return this.id ?? familiarString(this.name!);
  }

  /** The fully-qualified name; none for an image ID. */
  get dockerReference(): string | undefined {
    return this.name ? formatReference(this.name) : undefined;
  }

  /** Streams the image out of the engine (`docker save`). */
  async openSource(options: OpenOptions = {}): Promise<ImageSource> {
    const { openDockerDaemonSource } = await import("./source.ts");
    return await openDockerDaemonSource(this, options);
  }

  /** Streams the image into the engine (`docker load`); needs `NAME:TAG`. */
  async openDestination(options: OpenOptions = {}): Promise<ImageDestination> {
    const { openDockerDaemonDestination } = await import("./destination.ts");
    return await openDockerDaemonDestination(this, options);
  }
}
