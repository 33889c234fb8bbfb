/**
 * One image of a `docker save` archive, as containers/image presents it:
 * a Docker schema2 manifest generated from the config, whose layers are the
 * uncompressed layer tarballs addressed by their diff IDs (a compressed
 * layer file is decompressed when read, and its size is the uncompressed
 * one).
 *
 * @module
 */
import {
  type CompressionAlgorithm,
  decompressStream,
  matchMagic,
  MAX_MAGIC_LENGTH,
} from "../../core/compression/mod.ts";
import { Digester, digestOf, parseDigest } from "../../core/digest.ts";
import { BlobNotFoundError, InvalidContentError } from "../../core/errors.ts";
import { disposeChunk } from "../../core/fs_stream.ts";
import type { BlobStream } from "../../core/transport.ts";
import type { Digest } from "../../core/types.ts";
import {
  type IndexedArchive,
  MissingMemberError,
} from "../_archive/indexed_archive.ts";
import { normalizeTarName, type TarIndexEntry } from "../_tar/mod.ts";
import {
  legacyImageConfig,
  type LegacyImageJson,
  parseLegacyImageJson,
} from "./legacy.ts";
import { type DockerArchiveReader, readComponent } from "./reader.ts";
import {
  LEGACY_CONFIG_FILE,
  type ManifestItem,
  MAX_CONFIG_SIZE,
} from "./types.ts";

const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
/**
 * The layer type skopeo 1.9.3 puts in the manifest it generates (its
 * `DockerV2Schema2LayerMediaType`), although the layers it serves are
 * uncompressed: kept so our manifest, and its digest, are skopeo's.
 */
const DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/** A layer file of the archive. */
export interface ArchiveLayer {
  /** The path in `manifest.json`. */
  readonly path: string;
  /** The regular file behind it (links followed). */
  readonly entry: TarIndexEntry;
  /** The uncompressed size: what `getBlob` serves. */
  readonly size: number;
  /** How the file is compressed, if it is. */
  readonly compression: CompressionAlgorithm | undefined;
}

/** Options of {@linkcode loadArchiveImage}. */
export interface LoadArchiveImageOptions {
  /** Aborts reading. */
  signal?: AbortSignal | undefined;
}

/** An image of a `docker save` archive, ready to serve. */
export class ArchiveImage {
  /** The config's bytes. */
  readonly config: Uint8Array;
  /** The config's digest (its ID). */
  readonly configDigest: Digest;
  /** The layers' diff IDs, base first; may repeat. */
  readonly diffIds: readonly Digest[];
  /** Layer files by diff ID. */
  readonly layers: ReadonlyMap<Digest, ArchiveLayer>;
  readonly #archive: IndexedArchive;
  #manifest: Uint8Array | undefined;

  /**
   * Use {@linkcode loadArchiveImage}.
   *
   * @param archive The archive the layers are in.
   * @param config The config's bytes.
   * @param diffIds The layers' diff IDs.
   * @param layers Layer files by diff ID.
   */
  constructor(
    archive: IndexedArchive,
    config: Uint8Array,
    diffIds: readonly Digest[],
    layers: ReadonlyMap<Digest, ArchiveLayer>,
  ) {
    this.#archive = archive;
    this.config = config;
    this.configDigest = digestOf(config);
    this.diffIds = diffIds;
    this.layers = layers;
  }

  /** The schema2 manifest, byte for byte as skopeo 1.9.3 generates it. */
  manifest(): Uint8Array {
    this.#manifest ??= new TextEncoder().encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_V2,
      config: {
        mediaType: DOCKER_CONFIG,
        size: this.config.length,
        digest: this.configDigest,
      },
      layers: this.diffIds.map((digest) => ({
        mediaType: DOCKER_LAYER,
        size: this.layers.get(digest)!.size,
        digest,
      })),
    }));
    return this.#manifest;
  }

  /**
   * Streams the config or a layer (decompressed).
   *
   * @throws {BlobNotFoundError} For any other digest.
   */
  async openBlob(
    digest: Digest,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<BlobStream> {
    if (digest === this.configDigest) {
      return {
        stream: ReadableStream.from([this.config]),
        size: this.config.length,
      };
    }
    const layer = this.layers.get(digest);
    if (!layer) {
      throw new BlobNotFoundError(
        digest,
        `docker-archive:${this.#archive.source}`,
      );
    }
    const { stream } = await this.#archive.openEntry(layer.entry, options);
    return {
      stream: layer.compression
        ? stream.pipeThrough(decompressStream(layer.compression))
        : stream,
      size: layer.size,
    };
  }
}

/**
 * Reads an image's config and finds its layer files and their sizes.
 *
 * @param reader The archive.
 * @param item The image's `manifest.json` item.
 * @param options Cancellation.
 * @returns The image.
 * @throws {InvalidContentError} When the config or a layer file is missing
 * or inconsistent.
 */
export async function loadArchiveImage(
  reader: DockerArchiveReader,
  item: ManifestItem,
  options: LoadArchiveImageOptions = {},
): Promise<ArchiveImage> {
  return reader.legacy
    ? await loadLegacyImage(reader.archive, item, options)
    : await loadImage(reader.archive, item, options);
}

async function loadImage(
  archive: IndexedArchive,
  item: ManifestItem,
  options: LoadArchiveImageOptions,
): Promise<ArchiveImage> {
  const config = await readComponent(archive, item.Config, {
    limit: MAX_CONFIG_SIZE,
    signal: options.signal,
  });
  const diffIds = configDiffIds(config, item.Config);
  if (item.Layers.length !== diffIds.length) {
    throw new InvalidContentError(
      `Inconsistent layer count: ${item.Layers.length} in manifest, ${diffIds.length} in config`,
    );
  }
  const layers = new Map<Digest, ArchiveLayer>();
  const pathUsedBy = new Map<string, Digest>();
  for (const [i, diffId] of diffIds.entries()) {
    // The same layer twice in one image: (docker save) links the copies.
    if (layers.has(diffId)) continue;
    const path = normalizeTarName(item.Layers[i]!);
    if (pathUsedBy.has(path)) {
      throw new InvalidContentError(
        `Layer tarfile ${
          JSON.stringify(path)
        } used for two different DiffID values`,
      );
    }
    pathUsedBy.set(path, diffId);
    const entry = layerEntry(archive, path);
    const compression = matchMagic(await archive.peek(entry, MAX_MAGIC_LENGTH));
    const size = compression
      ? (await measure(archive, entry, compression, {
        ...options,
        hash: false,
      }))
        .size
      : entry.size;
    layers.set(diffId, { path, entry, size, compression });
  }
  return new ArchiveImage(archive, config, diffIds, layers);
}

/** The diff IDs of a config, checked. */
function configDiffIds(config: Uint8Array, where: string): Digest[] {
  let parsed: { rootfs?: { diff_ids?: unknown } | null } | null;
  try {
    parsed = JSON.parse(new TextDecoder().decode(config));
  } catch (error) {
    throw new InvalidContentError(
      `decoding tar config ${JSON.stringify(where)}: ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || !parsed.rootfs) {
    throw new InvalidContentError(
      `Invalid image config (rootFS is not set): ${JSON.stringify(where)}`,
    );
  }
  const ids = parsed.rootfs.diff_ids ?? [];
  if (!Array.isArray(ids)) {
    throw new InvalidContentError(
      `decoding tar config ${
        JSON.stringify(where)
      }: rootfs.diff_ids is not an array`,
    );
  }
  return ids.map((id) => parseDigest(String(id)));
}

function layerEntry(archive: IndexedArchive, path: string): TarIndexEntry {
  try {
    return archive.member(path);
  } catch (error) {
    if (error instanceof MissingMemberError) {
      error.message = `loading tar component ${path}: file does not exist`;
    }
    throw error;
  }
}

/** Reads a layer through, decompressing it: its size and, if asked, digest. */
async function measure(
  archive: IndexedArchive,
  entry: TarIndexEntry,
  compression: CompressionAlgorithm | undefined,
  options: { signal?: AbortSignal | undefined; hash: boolean },
): Promise<{ size: number; digest: Digest | undefined }> {
  const { stream } = await archive.openEntry(entry, options);
  const plain = compression
    ? stream.pipeThrough(decompressStream(compression))
    : stream;
  const digester = options.hash ? new Digester() : undefined;
  let size = 0;
  try {
    for await (const chunk of plain) {
      size += chunk.length;
      digester?.update(chunk);
      disposeChunk(chunk);
    }
  } catch (error) {
    throw new InvalidContentError(
      `reading ${JSON.stringify(entry.name)} to find its size: ${
        error instanceof Error ? error.message : error
      }`,
      { cause: error },
    );
  }
  return { size, digest: digester?.digest() };
}

/**
 * An image of a legacy archive: the config is built from the layers' v1
 * JSON and the diff IDs by hashing each layer (nothing else records them).
 */
async function loadLegacyImage(
  archive: IndexedArchive,
  item: ManifestItem,
  options: LoadArchiveImageOptions,
): Promise<ArchiveImage> {
  const chain: LegacyImageJson[] = [];
  const diffIds: Digest[] = [];
  const layers = new Map<Digest, ArchiveLayer>();
  for (const path of item.Layers) {
    const dir = path.slice(0, path.lastIndexOf("/"));
    const jsonPath = `${dir}/${LEGACY_CONFIG_FILE}`;
    const text = new TextDecoder().decode(
      await readComponent(archive, jsonPath, {
        limit: MAX_CONFIG_SIZE,
        signal: options.signal,
      }),
    );
    chain.push(parseLegacyImageJson(text, jsonPath));
    const entry = layerEntry(archive, path);
    const compression = matchMagic(await archive.peek(entry, MAX_MAGIC_LENGTH));
    const { size, digest } = await measure(archive, entry, compression, {
      ...options,
      hash: true,
    });
    diffIds.push(digest!);
    if (!layers.has(digest!)) {
      layers.set(digest!, { path, entry, size, compression });
    }
  }
  const config = legacyImageConfig(chain.at(-1)!, chain, diffIds);
  return new ArchiveImage(archive, config, diffIds, layers);
}
