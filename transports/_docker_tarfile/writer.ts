/**
 * Writing `docker save` archives, streamed: blobs go into the tar as they
 * arrive (a blob of unknown size or digest, e.g. a layer being
 * decompressed, is spooled to a temporary file first), and `manifest.json`
 * and `repositories` come last. The layout is the one containers/image
 * writes: layers as `<hex>.tar` and configs as `<hex>.json` at the root,
 * legacy layer directories whose `layer.tar` links to them, and tags fully
 * qualified (`docker.io/library/busybox:latest`). Several images may share
 * one archive; blobs are stored once.
 *
 * @module
 */
import { digestHex, DigestVerifierStream } from "../../core/digest.ts";
import {
  InvalidContentError,
  ManifestTypeRejectedError,
} from "../../core/errors.ts";
import { parseManifest } from "../../core/manifest/mod.ts";
import { readFileStream } from "../../core/fs_stream.ts";
import type { ReusedBlob, UploadedBlob } from "../../core/transport.ts";
import type { BlobInfo, Digest, ManifestBlob } from "../../core/types.ts";
import { writeStreamAtomic } from "../_fs/atomic.ts";
import { createTarWriter, type TarWriter } from "../_tar/mod.ts";
import { goString, marshalSortedMap } from "./go_raw_json.ts";
import { legacyLayers } from "./legacy.ts";
import {
  formatTarManifest,
  LEGACY_CONFIG_FILE,
  LEGACY_LAYER_FILE,
  LEGACY_VERSION_FILE,
  MANIFEST_FILE,
  type ManifestItem,
  MAX_CONFIG_SIZE,
  REPOSITORIES_FILE,
} from "./types.ts";

/** Mode of files in the archive, as containers/image writes them. */
const FILE_MODE = 0o444;

/** A tag to record: a fully-qualified repository name and a tag. */
export interface RepoTag {
  /** `docker.io/library/busybox`. */
  readonly name: string;
  /** `latest`. */
  readonly tag: string;
}

/** Options of {@linkcode DockerArchiveWriter.putBlob}. */
export interface ArchivePutBlobOptions {
  /** Whether the blob is an image config (kept in memory, stored as `<hex>.json`). */
  isConfig: boolean;
  /** The stream errors at its end unless it matches `info` (no second hash). */
  digestVerified?: boolean | undefined;
  /** Where to spool blobs of unknown size or digest. */
  tmpDir?: string | undefined;
  /** Aborts the write (and with it the archive). */
  signal?: AbortSignal | undefined;
}

/** A layer of an image to add. */
export interface ArchiveImageLayer {
  /** The layer's digest (a blob already put). */
  readonly digest: Digest;
}

/** A `docker save` archive being written. */
export class DockerArchiveWriter {
  readonly #tar: TarWriter;
  readonly #piped: Promise<void>;
  readonly #blobs = new Map<Digest, number>();
  readonly #configs = new Map<Digest, Uint8Array>();
  readonly #legacyDone = new Set<string>();
  readonly #repositories = new Map<string, Map<string, string>>();
  readonly #items: ManifestItem[] = [];
  readonly #itemByConfig = new Map<Digest, ManifestItem>();
  #failure: { reason: unknown } | undefined;
  #finished = false;

  /**
   * Starts an archive; its bytes go to `output` as entries are added.
   *
   * @param output Where the archive is written; closed at the end.
   */
  constructor(output: WritableStream<Uint8Array>) {
    this.#tar = createTarWriter();
    this.#piped = this.#tar.readable.pipeTo(output).catch((error) => {
      this.#failure ??= { reason: error };
      throw error;
    });
    this.#piped.catch(() => {});
  }

  /** The stored blob's size, when this archive already has it. */
  blobSize(digest: Digest): number | undefined {
    return this.#blobs.get(digest);
  }

  /** A blob already in this archive, for `tryReusingBlob`. */
  reusableBlob(info: BlobInfo): ReusedBlob | undefined {
    const size = info.digest ? this.#blobs.get(info.digest) : undefined;
    return size === undefined || !info.digest
      ? undefined
      : { digest: info.digest, size };
  }

  /**
   * Adds a blob. The bytes go straight into the archive when digest and
   * size are known; otherwise through a temporary file.
   *
   * @param stream The content; read to the end or cancelled.
   * @param info Its digest and size when known.
   * @param options Its role, verification state and temporary directory.
   * @returns Its digest and size.
   * @throws {DigestMismatchError} When the content does not match `info`;
   * the archive is then unusable.
   */
  async putBlob(
    stream: ReadableStream<Uint8Array>,
    info: BlobInfo,
    options: ArchivePutBlobOptions,
  ): Promise<UploadedBlob> {
    this.#checkUsable();
    const known = info.digest ? this.#blobs.get(info.digest) : undefined;
    if (info.digest && known !== undefined) {
      await stream.cancel().catch(() => {});
      return { digest: info.digest, size: known };
    }
    const size = info.size ?? -1;
    if (!info.digest || size < 0) {
      return await this.#putSpooled(stream, info, options);
    }
    const digest = info.digest;
    const verified = options.digestVerified
      ? stream
      : stream.pipeThrough(new DigestVerifierStream(digest, { size }));
    if (options.isConfig) {
      if (size > MAX_CONFIG_SIZE) {
        await verified.cancel().catch(() => {});
        throw new InvalidContentError(
          `Config ${digest} is too large: ${size} bytes`,
        );
      }
      const bytes = new Uint8Array(await new Response(verified).arrayBuffer());
      await this.#add({ name: configPath(digest), body: bytes }, options);
      this.#configs.set(digest, bytes);
    } else {
      await this.#add(
        { name: layerPath(digest), body: verified, size },
        options,
      );
    }
    this.#blobs.set(digest, size);
    return { digest, size };
  }

  /** Spools a blob to learn its digest and size, then adds it. */
  async #putSpooled(
    stream: ReadableStream<Uint8Array>,
    info: BlobInfo,
    options: ArchivePutBlobOptions,
  ): Promise<UploadedBlob> {
    const dir = await Deno.makeTempDir({
      ...(options.tmpDir ? { dir: options.tmpDir } : {}),
      prefix: "docker-tarfile-blob",
    });
    try {
      const stored = await writeStreamAtomic(
        stream,
        (digest) => `${dir}/${digestHex(digest)}`,
        {
          expectedDigest: info.digest,
          expectedSize: info.size,
          trusted: options.digestVerified,
          signal: options.signal,
        },
      );
      if (this.#blobs.has(stored.digest)) return stored;
      const path = `${dir}/${digestHex(stored.digest)}`;
      const body = readFileStream(await Deno.open(path, { read: true }));
      return await this.putBlob(
        body,
        { digest: stored.digest, size: stored.size },
        { ...options, digestVerified: true },
      );
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }

  /**
   * Records an image whose blobs were put: its legacy layer directories now,
   * its `manifest.json` item and tags at {@linkcode finish}. An image added
   * twice (same config) gets the union of the tags.
   *
   * @param config The config's digest.
   * @param layers The layers, base first.
   * @param repoTags Its tags.
   * @throws {Error} When a blob or the config was not put first.
   */
  async addImage(
    config: Digest,
    layers: readonly Digest[],
    repoTags: readonly RepoTag[],
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<void> {
    this.#checkUsable();
    const configBytes = this.#configs.get(config);
    if (!configBytes) {
      throw new Error(`Internal error: config ${config} was not written`);
    }
    for (const digest of layers) {
      if (!this.#blobs.has(digest)) {
        throw new Error(`Internal error: layer ${digest} was not written`);
      }
    }
    const legacy = legacyLayers(layers, new TextDecoder().decode(configBytes));
    for (const layer of legacy) {
      if (this.#legacyDone.has(layer.id)) continue;
      await this.#add({
        name: `${layer.id}/${LEGACY_LAYER_FILE}`,
        type: "symlink",
        linkName: `../${layerPath(layer.digest)}`,
        mode: 0,
      }, options);
      await this.#add({
        name: `${layer.id}/${LEGACY_VERSION_FILE}`,
        body: new TextEncoder().encode("1.0"),
      }, options);
      await this.#add({
        name: `${layer.id}/${LEGACY_CONFIG_FILE}`,
        body: new TextEncoder().encode(layer.json),
      }, options);
      this.#legacyDone.add(layer.id);
    }
    const topId = legacy.at(-1)?.id;
    if (topId !== undefined) {
      for (const { name, tag } of repoTags) {
        const tags = this.#repositories.get(name) ?? new Map<string, string>();
        tags.set(tag, topId);
        this.#repositories.set(name, tags);
      }
    }
    let item = this.#itemByConfig.get(config);
    if (!item) {
      item = {
        Config: configPath(config),
        RepoTags: [],
        Layers: layers.map(layerPath),
      };
      this.#itemByConfig.set(config, item);
      this.#items.push(item);
    }
    for (const { name, tag } of repoTags) {
      const text = `${name}:${tag}`;
      if (!item.RepoTags.includes(text)) item.RepoTags.push(text);
    }
  }

  /**
   * Writes `manifest.json` and `repositories` and ends the archive.
   *
   * @throws {Error} When writing failed at any point.
   */
  async finish(options: { signal?: AbortSignal | undefined } = {}): Promise<
    void
  > {
    this.#checkUsable();
    this.#finished = true;
    await this.#add({
      name: MANIFEST_FILE,
      body: new TextEncoder().encode(formatTarManifest(this.#items)),
    }, options);
    await this.#add({
      name: REPOSITORIES_FILE,
      body: new TextEncoder().encode(this.#formatRepositories()),
    }, options);
    await this.#tar.close();
    await this.#piped;
  }

  /** Abandons the archive (its output stream is aborted). */
  async abort(reason?: unknown): Promise<void> {
    this.#failure ??= { reason: reason ?? new Error("archive abandoned") };
    this.#tar.abort(this.#failure.reason);
    await this.#piped.catch(() => {});
  }

  /** `map[string]map[string]string` marshalled by Go: keys sorted. */
  #formatRepositories(): string {
    const outer = new Map<string, string>();
    for (const [name, tags] of this.#repositories) {
      const inner = new Map<string, string>();
      for (const [tag, id] of tags) inner.set(tag, goString(id));
      outer.set(name, marshalSortedMap(inner));
    }
    return marshalSortedMap(outer);
  }

  async #add(
    entry: Parameters<TarWriter["add"]>[0],
    options: { signal?: AbortSignal | undefined },
  ): Promise<void> {
    const full = {
      mode: FILE_MODE,
      ...entry,
    };
    try {
      await this.#tar.add(
        full,
        options.signal ? { signal: options.signal } : {},
      );
    } catch (error) {
      // Part of an entry may be in the archive: it cannot be continued.
      this.#failure ??= { reason: error };
      this.#tar.abort(error);
      if (entry.body instanceof ReadableStream && !entry.body.locked) {
        await entry.body.cancel(error).catch(() => {});
      }
      throw error;
    }
  }

  #checkUsable(): void {
    if (this.#failure) {
      throw new Error("The archive cannot be written after an earlier error", {
        cause: this.#failure.reason,
      });
    }
    if (this.#finished) {
      throw new Error("Internal error: the archive was already finished");
    }
  }
}

/** Where a config is stored: `<hex>.json`. */
export function configPath(digest: Digest): string {
  return `${digestHex(digest)}.json`;
}

/** Where a layer is stored: `<hex>.tar`. */
export function layerPath(digest: Digest): string {
  return `${digestHex(digest)}.tar`;
}

const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";

/**
 * The config and layer digests of a manifest a docker tar file can hold:
 * one Docker schema2 image (no lists), as skopeo requires.
 *
 * @throws {ManifestTypeRejectedError} For any other manifest type.
 */
export function dockerTarImage(
  manifest: ManifestBlob,
  instance: Digest | undefined,
): { config: Digest; layers: Digest[] } {
  if (instance) {
    throw new Error("Manifest lists are not supported for docker tar files");
  }
  if (manifest.mediaType !== DOCKER_V2) {
    throw new ManifestTypeRejectedError(manifest.mediaType);
  }
  const parsed = parseManifest(manifest);
  if (parsed.kind !== "image" || !parsed.config) {
    throw new Error(
      "Unsupported manifest type, need a Docker schema 2 manifest",
    );
  }
  return {
    config: parsed.config.digest,
    layers: parsed.layers.map((l) => l.digest),
  };
}
