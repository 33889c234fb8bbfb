/**
 * Reads an image from a containers/storage store. The store keeps layers
 * unpacked, not the blobs that were pulled; like containers/image, we give
 * each layer back as its uncompressed tar (rebuilt from the tar-split
 * metadata and the layer's files). The manifest is the stored one (what
 * `inspect` shows); `layerInfosForCopy` tells the copy engine the layers'
 * uncompressed digests and sizes, and the engine rewrites the copied
 * manifest. Media types are kept as skopeo 1.9.3 keeps them, so the
 * copies' digests are equal to its.
 *
 * @module
 */
import { readFileStream } from "../../core/fs_stream.ts";
import { digestOf } from "../../core/digest.ts";
import { BlobNotFoundError, ImageNotFoundError } from "../../core/errors.ts";
import { guessMediaType } from "../../core/manifest/guess.ts";
import type {
  BlobStream,
  ImageSource,
  InstanceOptions,
  OpenOptions,
  SignalOptions,
  SourceCapabilities,
} from "../../core/transport.ts";
import type {
  BlobInfo,
  Digest,
  ManifestBlob,
  Signature,
} from "../../core/types.ts";
import { normalizeTarName } from "../_tar/entry.ts";
import { formatName, parseNormalizedNamed } from "../../core/docker_name.ts";
import type { StorageReference } from "./reference.ts";
import { decodeSignatures } from "./signatures.ts";
import {
  findImage,
  type ImageRecord,
  type LayerRecord,
  LEGACY_SIGNATURES_KEY,
  MANIFEST_KEY,
  manifestKey,
  signatureKey,
  Store,
  SUPPORTED_DRIVERS,
} from "./store.ts";
import { assembleTar, readTarSplit } from "./tar_split.ts";

/**
 * Opens the store for `reference` and finds its image.
 *
 * @throws {ImageNotFoundError} When no image matches.
 * @throws {Error} For a driver other than vfs and overlay.
 */
export async function openStorageSource(
  reference: StorageReference,
  _options: OpenOptions = {},
): Promise<StorageSource> {
  const store = openStore(reference);
  const { image, layers } = await store.locked(false, async () => ({
    image: await resolveImage(store, reference),
    layers: await store.readLayers(),
  }));
  const chain: LayerRecord[] = [];
  for (let id = image.layer; id;) {
    const layer = layers.find((l) => l.id === id);
    if (!layer) {
      throw new Error(
        `reading layer ${id} of image ${image.id}: layer not known`,
      );
    }
    chain.unshift(layer);
    id = layer.parent;
  }
  let bytes: Uint8Array | undefined;
  if (reference.name?.digest) {
    bytes = await store.readBigData(
      image.id,
      manifestKey(reference.name.digest),
    );
  }
  bytes ??= await store.readBigData(image.id, MANIFEST_KEY);
  if (bytes === undefined) {
    throw new ImageNotFoundError(
      reference.toString(),
      `image ${image.id} has no manifest`,
    );
  }
  return new StorageSource(reference, { store, image, chain, bytes });
}

/** The store of a reference, refusing drivers we cannot read. */
export function openStore(reference: StorageReference): Store {
  if (!SUPPORTED_DRIVERS.includes(reference.store.driver)) {
    throw new Error(
      `containers-storage: the ${
        JSON.stringify(reference.store.driver)
      } storage driver is not supported (only vfs and overlay)`,
    );
  }
  return new Store(reference.store);
}

/**
 * Finds the image as containers/image's `resolveImage` does: by name, by a
 * digest among images of the same repository, or by ID; a named reference
 * must match one of the image's names' repositories.
 *
 * @throws {ImageNotFoundError} When none matches.
 */
export async function resolveImage(
  store: Store,
  reference: StorageReference,
): Promise<ImageRecord> {
  const images = await store.readImages();
  const name = reference.name;
  const full = reference.dockerReference;
  let image: ImageRecord | undefined;
  if (reference.id === undefined && full !== undefined) {
    image = findImage(images, full);
    if (!image && name?.digest) {
      image = images.find((i) =>
        imageDigests(i).includes(name.digest!) && matchesRepo(i, full)
      );
    }
  }
  if (reference.id !== undefined) {
    image = images.find((i) => i.id === reference.id);
  }
  if (!image || (full !== undefined && !matchesRepo(image, full))) {
    throw new StorageImageNotFoundError(reference.toString());
  }
  return image;
}

/** No image matches a reference; containers/image's wording. */
export class StorageImageNotFoundError extends ImageNotFoundError {
  /** @param reference The reference, as text. */
  constructor(reference: string) {
    super(reference);
    this.message = `reference ${
      JSON.stringify(reference)
    } does not resolve to an image ID: identifier is not an image`;
  }
}

function imageDigests(image: ImageRecord): Digest[] {
  const digests = Object.keys(image["big-data-digests"] ?? {})
    .filter((k) => k.startsWith("manifest-"))
    .map((k) => k.slice("manifest-".length) as Digest);
  if (image.digest) digests.push(image.digest);
  return digests;
}

function repositoryOf(text: string): string | undefined {
  try {
    return formatName(parseNormalizedNamed(text));
  } catch {
    return undefined;
  }
}

function matchesRepo(image: ImageRecord, reference: string): boolean {
  const repo = repositoryOf(reference);
  return (image.names ?? []).some((n) => repositoryOf(n) === repo);
}

/** What {@linkcode StorageSource} reads. */
export interface StorageSourceInit {
  /** The store. */
  store: Store;
  /** The image record. */
  image: ImageRecord;
  /** Its layers, base first. */
  chain: LayerRecord[];
  /** The stored manifest. */
  bytes: Uint8Array;
}

/** An image in a containers/storage store. */
export class StorageSource implements ImageSource {
  /** The reference opened. */
  readonly reference: StorageReference;
  /** Layers are rebuilt from separate files: reads may overlap. */
  readonly capabilities: SourceCapabilities = { concurrentBlobReads: true };
  readonly #store: Store;
  readonly #image: ImageRecord;
  readonly #chain: LayerRecord[];
  readonly #stored: ManifestBlob;

  /**
   * @param reference The reference opened.
   * @param init The store, image, layers and manifest.
   */
  constructor(reference: StorageReference, init: StorageSourceInit) {
    this.reference = reference;
    this.#store = init.store;
    this.#image = init.image;
    this.#chain = init.chain;
    this.#stored = {
      bytes: init.bytes,
      mediaType: guessMediaType(init.bytes),
    };
  }

  /** The image's storage ID. */
  get imageId(): string {
    return this.#image.id;
  }

  /** The manifest exactly as stored (what `skopeo inspect` shows). */
  storedManifest(): ManifestBlob {
    return this.#stored;
  }

  /**
   * The stored manifest, or an instance of the stored list (kept when one
   * instance was copied); copies read the layers `layerInfosForCopy` gives.
   */
  async getManifest(options: InstanceOptions = {}): Promise<ManifestBlob> {
    if (!options.instance) return this.#stored;
    const bytes = await this.#store.readBigData(
      this.#image.id,
      manifestKey(options.instance),
    );
    if (bytes === undefined) {
      throw new ImageNotFoundError(
        this.reference.toString(),
        `image ${this.#image.id} has no manifest ${options.instance}`,
      );
    }
    return { bytes, mediaType: guessMediaType(bytes) };
  }

  /**
   * What containers/image's `LayerInfosForCopy` gives: each layer as this
   * source serves it (uncompressed digest and size). skopeo 1.9.3 keeps the
   * layers' media types (even "+gzip") while serving uncompressed bytes:
   * so do we, so that the copies' digests are equal. `undefined` when the
   * manifest's layers do not map onto the image's (schema1).
   */
  async layerInfosForCopy(
    options: InstanceOptions = {},
  ): Promise<BlobInfo[] | undefined> {
    const manifest = await this.getManifest(options);
    const json = JSON.parse(new TextDecoder().decode(manifest.bytes));
    const layers = json.layers as { mediaType?: string }[] | undefined;
    if (!Array.isArray(layers) || layers.length !== this.#chain.length) {
      return undefined;
    }
    return this.#chain.map((layer, i) => {
      const digest = layer["diff-digest"];
      const size = layer["diff-size"];
      if (digest === undefined || size === undefined) {
        throw new Error(`layer ${layer.id} has no uncompressed digest`);
      }
      return { digest, size, mediaType: String(layers[i]!.mediaType ?? "") };
    });
  }

  /** The config (a big-data item) or a layer's uncompressed tar. */
  async getBlob(
    info: BlobInfo,
    options: SignalOptions = {},
  ): Promise<BlobStream> {
    const digest = info.digest;
    if (!digest) throw new TypeError("getBlob() needs a digest");
    const layer = this.#chain.find((l) => l["diff-digest"] === digest) ??
      this.#chain.find((l) => l["compressed-diff-digest"] === digest);
    if (layer) {
      return {
        stream: layerDiff(this.#store, layer.id, options),
        size: layer["diff-size"],
      };
    }
    const data = await this.#store.readBigData(this.#image.id, digest);
    if (data === undefined) {
      throw new BlobNotFoundError(digest, this.reference.toString());
    }
    return { stream: new Blob([data as BlobPart]).stream(), size: data.length };
  }

  /**
   * The signatures stored with the manifest. (The copy engine refuses to
   * copy them when `layerInfosForCopy` changes the layers.)
   */
  getSignatures(_options: InstanceOptions = {}): Promise<Signature[]> {
    return this.#storedSignatures();
  }

  async #storedSignatures(): Promise<Signature[]> {
    // containers/image reads the legacy item for the image itself; images
    // with only per-manifest signatures are read from their item.
    const metadata = parseMetadata(this.#image.metadata);
    const legacySizes = metadata["signature-sizes"];
    if (legacySizes?.length) {
      const legacy = await this.#store.readBigData(
        this.#image.id,
        LEGACY_SIGNATURES_KEY,
      );
      if (legacy !== undefined) return decodeSignatures(legacy, legacySizes);
    }
    const digest = digestOf(this.#stored.bytes);
    const sizes = metadata["signatures-sizes"]?.[digest];
    const data = await this.#store.readBigData(
      this.#image.id,
      signatureKey(digest),
    );
    return data !== undefined && sizes ? decodeSignatures(data, sizes) : [];
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** The image metadata field skopeo writes: signature sizes per manifest. */
export interface ImageMetadata {
  "signatures-sizes"?: Record<string, number[]>;
  "signature-sizes"?: number[];
}

/** Parses an image's `metadata` JSON string; `{}` when absent or foreign. */
export function parseMetadata(text: string | undefined): ImageMetadata {
  if (!text) return {};
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

const SMALL_FILE = 1 << 20;

/**
 * A layer's uncompressed tar, rebuilt from its tar-split file and its
 * files on disk.
 *
 * @param store The store.
 * @param id The layer.
 * @param options Cancellation.
 * @returns The tar stream; errors when a file does not match its checksum.
 */
export function layerDiff(
  store: Store,
  id: string,
  options: SignalOptions = {},
): ReadableStream<Uint8Array> {
  const root = store.layerFilesDir(id);
  const signal = options.signal ? { signal: options.signal } : {};
  async function* entries() {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(store.tarSplitPath(id));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      throw new Error(
        `layer ${id} has no tar-split metadata (${
          store.tarSplitPath(id)
        }): its diff cannot be rebuilt byte for byte`,
        { cause: error },
      );
    }
    yield* readTarSplit(readFileStream(file, signal));
  }
  return assembleTar(entries(), async (name, size) => {
    const path = `${root}/${normalizeTarName(name)}`;
    // Small files in one read: most of a layer's files are small, and a
    // stream per file costs more than the bytes.
    return size <= SMALL_FILE
      ? [await Deno.readFile(path, signal)]
      : readFileStream(await Deno.open(path), signal);
  });
}
