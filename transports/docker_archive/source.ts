/**
 * Reads one image of a `docker save` archive. The archive is indexed when
 * the source opens; the image is chosen and its config read on the first
 * `getManifest` (so a missing tag is reported where skopeo reports it).
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
import type { BlobInfo, ManifestBlob } from "../../core/types.ts";
import {
  type ArchiveImage,
  loadArchiveImage,
} from "../_docker_tarfile/image.ts";
import { DockerArchiveReader } from "../_docker_tarfile/reader.ts";
import { formatReference } from "../../core/docker_name.ts";
import type { DockerArchiveReference } from "./reference.ts";

const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";

/**
 * Opens the archive a reference names (stdin and compressed archives are
 * spooled to `context.tmpDir` first).
 */
export async function openDockerArchiveSource(
  reference: DockerArchiveReference,
  options: OpenOptions = {},
): Promise<DockerArchiveSource> {
  const reader = await DockerArchiveReader.open(reference.path, {
    tmpDir: options.context?.tmpDir,
    signal: options.signal,
  });
  return new DockerArchiveSource(reference, reader);
}

/** One image of a `docker save` archive. */
export class DockerArchiveSource implements ImageSource {
  /** The reference opened. */
  readonly reference: DockerArchiveReference;
  /** Members are read by offset through separate file handles. */
  readonly capabilities: SourceCapabilities = { concurrentBlobReads: true };
  readonly #reader: DockerArchiveReader;
  #image: Promise<ArchiveImage> | undefined;

  /**
   * @param reference The archive and selector.
   * @param reader The opened archive; closed with this source.
   */
  constructor(reference: DockerArchiveReference, reader: DockerArchiveReader) {
    this.reference = reference;
    this.#reader = reader;
  }

  /** The selected image, loaded once. */
  image(options: SignalOptions = {}): Promise<ArchiveImage> {
    this.#image ??= (async () => {
      const selector = this.reference.selector;
      const { item } = this.#reader.choose(
        selector.kind === "tag"
          ? { tag: formatReference(selector.name) }
          : selector.kind === "index"
          ? { index: selector.index }
          : {},
      );
      return await loadArchiveImage(this.#reader, item, options);
    })();
    return this.#image;
  }

  /** The schema2 manifest skopeo generates for the image. */
  async getManifest(options: InstanceOptions = {}): Promise<ManifestBlob> {
    if (options.instance) {
      throw new Error(
        'Manifest lists are not supported by "docker-archive:"',
      );
    }
    const image = await this.image(options);
    return { bytes: image.manifest(), mediaType: DOCKER_V2 };
  }

  /** The config, or a layer decompressed, with its exact size. */
  async getBlob(
    info: BlobInfo,
    options: SignalOptions = {},
  ): Promise<BlobStream> {
    if (!info.digest) throw new TypeError("getBlob() needs a digest");
    const image = await this.image(options);
    return await image.openBlob(info.digest, options);
  }

  /** Archives hold no signatures. */
  getSignatures(): Promise<[]> {
    return Promise.resolve([]);
  }

  /** Removes the spooled copy of the archive, if any. */
  async close(): Promise<void> {
    await this.#image?.catch(() => {});
    await this.#reader.close();
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
