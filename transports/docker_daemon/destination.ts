/**
 * Writes an image into a Docker engine: a `docker save` archive is written
 * straight into the body of `POST /images/load` (what `docker load` calls)
 * while the copy runs; the engine's verdict arrives at commit. Layers go in
 * uncompressed, as the engine stores them.
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
  DockerArchiveWriter,
  dockerTarImage,
} from "../_docker_tarfile/writer.ts";
import { formatName } from "../../core/docker_name.ts";
import { daemonSettings, EngineClient } from "./engine_client.ts";
import type { DockerDaemonReference } from "./reference.ts";
import { prefixed } from "./source.ts";

const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";

/**
 * Starts `POST /images/load`; the archive is streamed as the copy writes it.
 *
 * @throws {Error} `Invalid destination docker-daemon:X: a destination must
 * be a name:tag` for an image ID or a digested name;
 * `initializing docker engine client: …` for a bad host.
 */
export async function openDockerDaemonDestination(
  reference: DockerDaemonReference,
  options: OpenOptions = {},
): Promise<DockerDaemonDestination> {
  const name = reference.name;
  if (name?.tag === undefined) {
    throw new Error(
      `Invalid destination docker-daemon:${reference}: a destination must be a name:tag`,
    );
  }
  const settings = daemonSettings(options);
  let client: EngineClient;
  try {
    client = await EngineClient.create(settings.host, settings);
  } catch (error) {
    throw prefixed("initializing docker engine client", error);
  }
  return new DockerDaemonDestination(reference, {
    client,
    tag: { name: formatName(name), tag: name.tag },
    // A remote engine may run another OS (skopeo's rule).
    mustMatchRuntimeOs: settings.isDefault,
    tmpDir: options.context?.tmpDir,
  });
}

/** Construction parameters of {@linkcode DockerDaemonDestination}. */
export interface DockerDaemonDestinationInit {
  /** The engine; closed with the destination. */
  client: EngineClient;
  /** The tag the image gets. */
  tag: { name: string; tag: string };
  /** Whether the image's OS must match ours. */
  mustMatchRuntimeOs: boolean;
  /** Where blobs of unknown size are spooled. */
  tmpDir?: string | undefined;
}

/** An image being loaded into a Docker engine. */
export class DockerDaemonDestination implements ImageDestination {
  /** The reference opened. */
  readonly reference: DockerDaemonReference;
  /** Schema2 only, uncompressed layers, no lists or signatures. */
  readonly capabilities: DestinationCapabilities;
  readonly #client: EngineClient;
  readonly #writer: DockerArchiveWriter;
  readonly #tag: { name: string; tag: string };
  readonly #tmpDir: string | undefined;
  readonly #abort = new AbortController();
  readonly #load: Promise<void>;
  #loadError: { error: unknown } | undefined;
  #committed = false;
  #closed = false;

  /**
   * Starts the load request.
   *
   * @param reference The reference opened.
   * @param init The engine, tag and options.
   */
  constructor(
    reference: DockerDaemonReference,
    init: DockerDaemonDestinationInit,
  ) {
    this.reference = reference;
    this.capabilities = {
      supportedManifestTypes: [DOCKER_V2],
      desiredLayerCompression: "decompress",
      acceptsForeignLayerUrls: false,
      mustMatchRuntimeOs: init.mustMatchRuntimeOs,
      // The archive is one stream: blobs go in one after the other.
      concurrentBlobWrites: false,
      storesSignatures: false,
      storesManifestLists: false,
    };
    this.#client = init.client;
    this.#tag = init.tag;
    this.#tmpDir = init.tmpDir;
    const pipe = new TransformStream<Uint8Array, Uint8Array>();
    this.#writer = new DockerArchiveWriter(pipe.writable);
    this.#load = this.#runLoad(pipe.readable);
    this.#load.catch((error) => {
      this.#loadError = { error };
      // Stop the copy early: nobody reads the archive any more.
      this.#writer.abort(error).catch(() => {});
    });
  }

  async #runLoad(body: ReadableStream<Uint8Array>): Promise<void> {
    let response: Response;
    try {
      response = await this.#client.request("POST", "/images/load?quiet=1", {
        body,
        headers: { "Content-Type": "application/x-tar" },
        signal: this.#abort.signal,
      });
    } catch (error) {
      await body.cancel(error).catch(() => {});
      throw prefixed("starting a load operation in docker engine", error);
    }
    // JSON messages, one a line (Go's json.Encoder); `errorDetail` = failure.
    const text = await response.text();
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      let message: { errorDetail?: { message?: string } } | null;
      try {
        message = JSON.parse(line);
      } catch (error) {
        throw new Error(
          `parsing docker load progress: ${
            error instanceof Error ? error.message : error
          }`,
        );
      }
      if (message?.errorDetail) {
        throw new Error(
          `docker engine reported: ${message.errorDetail.message ?? ""}`,
        );
      }
    }
  }

  /** The engine's failure, in place of the broken pipe it causes here. */
  async #rethrow(error: unknown): Promise<never> {
    // The load request fails a moment after the pipe breaks: wait briefly.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settled = await Promise.race([
      this.#load.then(() => undefined, (e: unknown) => ({ error: e })),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), 200);
      }),
    ]);
    clearTimeout(timer);
    throw (settled ?? this.#loadError)?.error ?? error;
  }

  /** Streams a blob into the archive (via a temporary file when its size is unknown). */
  async putBlob(
    stream: ReadableStream<Uint8Array>,
    info: BlobInfo,
    options: PutBlobOptions,
  ): Promise<UploadedBlob> {
    try {
      return await this.#writer.putBlob(stream, info, {
        isConfig: options.isConfig,
        digestVerified: options.digestVerified,
        tmpDir: this.#tmpDir,
        signal: options.signal,
      });
    } catch (error) {
      return await this.#rethrow(error);
    }
  }

  /** A blob already written in this archive is reused. */
  tryReusingBlob(
    info: BlobInfo,
    _options: ReuseBlobOptions,
  ): Promise<ReusedBlob | undefined> {
    return Promise.resolve(this.#writer.reusableBlob(info));
  }

  /**
   * Records the image in the archive.
   *
   * @throws {ManifestTypeRejectedError} For anything but Docker schema2.
   */
  async putManifest(
    manifest: ManifestBlob,
    options: InstanceOptions = {},
  ): Promise<void> {
    const image = dockerTarImage(manifest, options.instance);
    try {
      await this.#writer.addImage(
        image.config,
        image.layers,
        [this.#tag],
        { signal: options.signal },
      );
    } catch (error) {
      await this.#rethrow(error);
    }
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

  /** Ends the archive and waits for the engine's verdict. */
  async commit(options: CommitOptions): Promise<void> {
    try {
      await this.#writer.finish({ signal: options.signal });
    } catch (error) {
      await this.#rethrow(error);
    }
    this.#committed = true;
    await this.#load;
  }

  /** Without a commit, breaks the upload off so the engine loads nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#committed) {
      const reason = new Error(
        "Aborting upload, daemon destination closed without a previous .Commit()",
      );
      await this.#writer.abort(reason);
      this.#abort.abort(reason);
    }
    await this.#load.catch(() => {});
    this.#client.close();
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
