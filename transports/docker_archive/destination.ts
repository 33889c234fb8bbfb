/**
 * Writes an image as a `docker save` archive, streamed into a temporary file
 * beside the destination and renamed into place at commit (a pipe or device
 * is written directly). Layers are stored as the engine gives them; the
 * destination asks for them decompressed, as docker stores them.
 *
 * Tags: the reference's, then `context.settings["docker-archive"]
 * .additionalTags` (a `string[]`, what `copy --additional-tag` gives), each
 * stored fully qualified as skopeo 1.9.3 does (`docker.io/library/x:1`).
 *
 * @module
 */
import type {
  CommitOptions,
  DestinationCapabilities,
  ImageDestination,
  InstanceOptions,
  OpenOptions,
  PutBlobOptions,
  ReuseBlobOptions,
  ReusedBlob,
  UploadedBlob,
} from "../../core/transport.ts";
import type { BlobInfo, ManifestBlob, Signature } from "../../core/types.ts";
import {
  type ArchiveOutput,
  openArchiveOutput,
} from "../_archive/output_file.ts";
import {
  DockerArchiveWriter,
  dockerTarImage,
  type RepoTag,
} from "../_docker_tarfile/writer.ts";
import {
  type DockerName,
  formatName,
  parseNormalizedNamed,
} from "../../core/docker_name.ts";
import type { DockerArchiveReference } from "./reference.ts";

const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";

/** skopeo's refusal to write into an existing archive. */
export const EXISTING_ARCHIVE_MESSAGE =
  "docker-archive doesn't support modifying existing images";

/** Settings of the transport under `context.settings["docker-archive"]`. */
export interface DockerArchiveSettings {
  /** More tags for the image (`copy --additional-tag`), e.g. `busybox:1`. */
  additionalTags?: readonly string[];
}

/**
 * Reads and checks `context.settings["docker-archive"]`.
 *
 * @throws {Error} With skopeo's messages for a tag that does not parse or
 * has no tag.
 */
export function additionalTags(options: OpenOptions): RepoTag[] {
  const raw = options.context?.settings?.["docker-archive"]?.["additionalTags"];
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || raw.some((t) => typeof t !== "string")) {
    throw new TypeError(
      'settings["docker-archive"].additionalTags must be an array of strings',
    );
  }
  return (raw as string[]).map((text) => {
    let name: DockerName;
    try {
      name = parseNormalizedNamed(text);
    } catch (error) {
      throw new Error(
        `error parsing additional-tag '${text}': ${
          error instanceof Error ? error.message : error
        }`,
      );
    }
    if (name.tag === undefined) {
      throw new Error(`additional-tag '${text}' must be a tagged reference`);
    }
    return { name: formatName(name), tag: name.tag };
  });
}

/** Opens the archive file; refuses a non-empty existing regular file. */
export async function openDockerArchiveDestination(
  reference: DockerArchiveReference,
  options: OpenOptions = {},
): Promise<DockerArchiveDestination> {
  const tags: RepoTag[] = [];
  if (reference.selector.kind === "tag") {
    const name = reference.selector.name;
    tags.push({ name: formatName(name), tag: name.tag! });
  }
  tags.push(...additionalTags(options));
  const output = await openArchiveOutput(reference.path, {
    refuseExisting: EXISTING_ARCHIVE_MESSAGE,
  });
  return new DockerArchiveDestination(reference, {
    writer: new DockerArchiveWriter(output.writable),
    output,
    repoTags: tags,
    tmpDir: options.context?.tmpDir,
  });
}

/** Construction parameters of {@linkcode DockerArchiveDestination}. */
export interface DockerArchiveDestinationInit {
  /** The archive being written (possibly shared by several images). */
  writer: DockerArchiveWriter;
  /**
   * The file the archive goes to; committed with the image. Absent when the
   * writer is shared: its owner finishes it.
   */
  output?: ArchiveOutput | undefined;
  /** Tags of this image. */
  repoTags: readonly RepoTag[];
  /** Where to spool layers of unknown size. */
  tmpDir?: string | undefined;
}

/** Writes one image into a `docker save` archive. */
export class DockerArchiveDestination implements ImageDestination {
  /** The reference opened. */
  readonly reference: DockerArchiveReference;
  /** Schema2 only, uncompressed layers, no lists or signatures. */
  readonly capabilities: DestinationCapabilities = {
    supportedManifestTypes: [DOCKER_V2],
    desiredLayerCompression: "decompress",
    acceptsForeignLayerUrls: false,
    mustMatchRuntimeOs: false,
    // The archive is one stream: blobs go in one after the other.
    concurrentBlobWrites: false,
    storesSignatures: false,
    storesManifestLists: false,
  };
  readonly #writer: DockerArchiveWriter;
  readonly #output: ArchiveOutput | undefined;
  readonly #repoTags: readonly RepoTag[];
  readonly #tmpDir: string | undefined;
  #committed = false;

  /**
   * @param reference The archive and tag.
   * @param init The writer, output file, tags and temporary directory.
   */
  constructor(
    reference: DockerArchiveReference,
    init: DockerArchiveDestinationInit,
  ) {
    this.reference = reference;
    this.#writer = init.writer;
    this.#output = init.output;
    this.#repoTags = init.repoTags;
    this.#tmpDir = init.tmpDir;
  }

  /** Streams a blob into the archive (via a temporary file when its size is unknown). */
  putBlob(
    stream: ReadableStream<Uint8Array>,
    info: BlobInfo,
    options: PutBlobOptions,
  ): Promise<UploadedBlob> {
    return this.#writer.putBlob(stream, info, {
      isConfig: options.isConfig,
      digestVerified: options.digestVerified,
      tmpDir: this.#tmpDir,
      signal: options.signal,
    });
  }

  /** A blob already in this archive (an earlier layer or image) is reused. */
  tryReusingBlob(
    info: BlobInfo,
    _options: ReuseBlobOptions,
  ): Promise<ReusedBlob | undefined> {
    return Promise.resolve(this.#writer.reusableBlob(info));
  }

  /**
   * Records the image: legacy layer directories now, `manifest.json` at
   * commit.
   *
   * @throws {ManifestTypeRejectedError} For anything but Docker schema2.
   */
  async putManifest(
    manifest: ManifestBlob,
    options: InstanceOptions = {},
  ): Promise<void> {
    const image = dockerTarImage(manifest, options.instance);
    await this.#writer.addImage(
      image.config,
      image.layers,
      this.#repoTags,
      { signal: options.signal },
    );
  }

  /** Refuses, with skopeo's message: docker tar files hold no signatures. */
  supportsSignatures(): Promise<void> {
    return Promise.reject(
      new Error("Storing signatures for docker tar files is not supported"),
    );
  }

  /** Refuses non-empty signatures (see {@linkcode supportsSignatures}). */
  putSignatures(signatures: readonly Signature[]): Promise<void> {
    return signatures.length === 0
      ? Promise.resolve()
      : this.supportsSignatures();
  }

  /** Ends the archive and gives it its final name. */
  async commit(options: CommitOptions): Promise<void> {
    if (this.#output) {
      await this.#writer.finish({ signal: options.signal });
      await this.#output.commit();
    }
    this.#committed = true;
  }

  /** Without a commit, abandons the archive and removes its temporary file. */
  async close(): Promise<void> {
    if (this.#committed || !this.#output) return;
    await this.#writer.abort(new Error("docker-archive destination closed"));
    await this.#output.discard();
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
