/**
 * Reads an image from a Docker engine: `GET /images/get` (what `docker
 * save` calls) streams the archive into a temporary file in
 * `context.tmpDir`, which the `docker save` reader then indexes and serves
 * by offset. Nothing is held in memory; the file is removed on close.
 *
 * @module
 */
import { writeStreamToFile } from "../../core/fs_stream.ts";
import type {
  BlobStream,
  ImageSource,
  InstanceOptions,
  OpenOptions,
  SignalOptions,
  SourceCapabilities,
} from "../../core/transport.ts";
import type { BlobInfo, ManifestBlob } from "../../core/types.ts";
import {
  type ArchiveImage,
  loadArchiveImage,
} from "../_docker_tarfile/image.ts";
import { DockerArchiveReader } from "../_docker_tarfile/reader.ts";
import { daemonSettings, EngineClient } from "./engine_client.ts";
import type { DockerDaemonReference } from "./reference.ts";

const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";

/**
 * Saves the image out of the engine into a temporary file and opens it.
 *
 * @throws {Error} With skopeo's wording: `initializing docker engine client:
 * …`, `loading image from docker engine: Error response from daemon: …`,
 * `loading image from docker engine: Cannot connect to the Docker daemon at
 * …`.
 */
export async function openDockerDaemonSource(
  reference: DockerDaemonReference,
  options: OpenOptions = {},
): Promise<DockerDaemonSource> {
  const settings = daemonSettings(options);
  let client: EngineClient;
  try {
    client = await EngineClient.create(settings.host, settings);
  } catch (error) {
    throw prefixed("initializing docker engine client", error);
  }
  const tmpDir = options.context?.tmpDir;
  const signal = options.signal;
  let temp: string | undefined;
  try {
    let response: Response;
    try {
      response = await client.request(
        "GET",
        `/images/get?names=${encodeURIComponent(reference.toString())}`,
        { signal },
      );
    } catch (error) {
      throw prefixed("loading image from docker engine", error);
    }
    temp = await Deno.makeTempFile({
      ...(tmpDir ? { dir: tmpDir } : {}),
      prefix: "docker-daemon-tar",
    });
    await writeStreamToFile(response.body!, temp, signal ? { signal } : {});
    const reader = await DockerArchiveReader.open(temp, { tmpDir, signal });
    return new DockerDaemonSource(reference, reader, temp);
  } catch (error) {
    if (temp !== undefined) await Deno.remove(temp).catch(() => {});
    throw error;
  } finally {
    client.close();
  }
}

/** An image saved out of a Docker engine. */
export class DockerDaemonSource implements ImageSource {
  /** The reference opened. */
  readonly reference: DockerDaemonReference;
  /** Members are read by offset through separate file handles. */
  readonly capabilities: SourceCapabilities = { concurrentBlobReads: true };
  readonly #reader: DockerArchiveReader;
  readonly #file: string;
  #image: Promise<ArchiveImage> | undefined;

  /**
   * @param reference The reference opened.
   * @param reader The saved archive, indexed.
   * @param file The temporary file behind it; removed on close.
   */
  constructor(
    reference: DockerDaemonReference,
    reader: DockerArchiveReader,
    file: string,
  ) {
    this.reference = reference;
    this.#reader = reader;
    this.#file = file;
  }

  #load(options: SignalOptions): Promise<ArchiveImage> {
    // The engine saved exactly the one image asked for.
    this.#image ??= loadArchiveImage(
      this.#reader,
      this.#reader.choose({}).item,
      options,
    );
    return this.#image;
  }

  /** The schema2 manifest skopeo generates for the image. */
  async getManifest(options: InstanceOptions = {}): Promise<ManifestBlob> {
    if (options.instance) {
      throw new Error('Manifest lists are not supported by "docker-daemon:"');
    }
    const image = await this.#load(options);
    return { bytes: image.manifest(), mediaType: DOCKER_V2 };
  }

  /** The config, or a layer (uncompressed, as the engine stores it). */
  async getBlob(
    info: BlobInfo,
    options: SignalOptions = {},
  ): Promise<BlobStream> {
    if (!info.digest) throw new TypeError("getBlob() needs a digest");
    const image = await this.#load(options);
    return await image.openBlob(info.digest, options);
  }

  /** The engine keeps no signatures. */
  getSignatures(): Promise<[]> {
    return Promise.resolve([]);
  }

  /** Removes the temporary copy of the image. */
  async close(): Promise<void> {
    await this.#image?.catch(() => {});
    await this.#reader.close();
    await Deno.remove(this.#file).catch(() => {});
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Prefixes an error's message as Go's `fmt.Errorf("%s: %w")` does. */
export function prefixed(prefix: string, error: unknown): Error {
  if (error instanceof Error) {
    error.message = `${prefix}: ${error.message}`;
    return error;
  }
  return new Error(`${prefix}: ${String(error)}`);
}
