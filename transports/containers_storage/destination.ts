/**
 * Writes an image into a containers/storage store. Blobs are spooled to a
 * temporary directory under the graph root as they arrive (with their
 * uncompressed digest computed on the way); `commit` then, holding the
 * store's locks, creates the missing layers in order (IDs are chain IDs, as
 * containers/image makes them), writes the image's big-data items, and
 * updates images.json last, so an interrupted copy leaves no image.
 *
 * @module
 */
import { Digester, digestOf } from "../../core/digest.ts";
import { readFileStream } from "../../core/fs_stream.ts";
import {
  decompressStream,
  detectCompression,
} from "../../core/compression/mod.ts";
import {
  DigestMismatchError,
  ManifestTypeRejectedError,
} from "../../core/errors.ts";
import {
  MEDIA_TYPE_DOCKER_SCHEMA2,
  MEDIA_TYPE_OCI_MANIFEST,
} from "../../core/manifest/media_types.ts";
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
import type {
  BlobInfo,
  Digest,
  ManifestBlob,
  Signature,
} from "../../core/types.ts";
import { applyLayer } from "./apply_layer.ts";
import type { StorageReference } from "./reference.ts";
import { encodeSignatures } from "./signatures.ts";
import { layerDiff, openStore, parseMetadata } from "./source.ts";
import {
  type ImageRecord,
  type LayerRecord,
  LEGACY_SIGNATURES_KEY,
  MANIFEST_KEY,
  manifestKey,
  signatureKey,
  type Store,
} from "./store.ts";

/** containers/storage's archive.Compression values. */
const COMPRESSION_IDS: Readonly<Record<string, number>> = {
  bzip2: 1,
  gzip: 2,
  xz: 3,
  zstd: 4,
};

/**
 * Opens the store for writing.
 *
 * @throws {Error} For a driver other than vfs and overlay, or a reference
 * with a digest (containers/image refuses those as destinations too).
 */
export async function openStorageDestination(
  reference: StorageReference,
  _options: OpenOptions = {},
): Promise<StorageDestination> {
  if (reference.name?.digest) {
    throw new Error(
      `containers-storage: can not write to a reference with a digest (${reference.dockerReference})`,
    );
  }
  const store = openStore(reference);
  const tmpRoot = `${store.spec.graphRoot}/tmp`;
  await Deno.mkdir(tmpRoot, { recursive: true, mode: 0o700 });
  const temp = await Deno.makeTempDir({ dir: tmpRoot, prefix: "skopeo-ts-" });
  return new StorageDestination(reference, store, temp);
}

/** A blob received, spooled or found in the store. */
interface BlobRecord {
  /** Digest as received (compressed, usually). */
  digest: Digest;
  size: number;
  /** Digest of the uncompressed bytes (the layer's diff ID). */
  diffId: Digest;
  /** Size of the uncompressed bytes. */
  diffSize: number;
  /** Compression name, when compressed. */
  compression: string | undefined;
  /** The spool file; absent for a blob an existing layer provides. */
  file?: string;
  /** An existing layer with these contents. */
  layer?: LayerRecord;
}

/** An image being written into a store. */
export class StorageDestination implements ImageDestination {
  /** The reference opened. */
  readonly reference: StorageReference;
  /** Single images (OCI or schema2), any layer compression. */
  readonly capabilities: DestinationCapabilities = {
    supportedManifestTypes: [
      MEDIA_TYPE_OCI_MANIFEST,
      MEDIA_TYPE_DOCKER_SCHEMA2,
    ],
    desiredLayerCompression: "preserve",
    acceptsForeignLayerUrls: false,
    mustMatchRuntimeOs: true,
    concurrentBlobWrites: true,
    storesSignatures: true,
    storesManifestLists: false,
  };
  readonly #store: Store;
  readonly #temp: string;
  readonly #blobs = new Map<Digest, BlobRecord>();
  #manifest: ManifestBlob | undefined;
  #signatures: readonly Signature[] = [];
  #closed = false;

  /**
   * @param reference The reference opened.
   * @param store The store.
   * @param temp A private temporary directory, removed on close.
   */
  constructor(reference: StorageReference, store: Store, temp: string) {
    this.reference = reference;
    this.#store = store;
    this.#temp = temp;
  }

  /** Spools a blob, computing its digest and its uncompressed digest. */
  async putBlob(
    stream: ReadableStream<Uint8Array>,
    info: BlobInfo,
    options: PutBlobOptions,
  ): Promise<UploadedBlob> {
    const file = `${this.#temp}/${crypto.randomUUID()}`;
    const signal = options.signal;
    const detected = await detectCompression(stream, signal ? { signal } : {});
    // One pass: each chunk is hashed, written, and fed to the decompressor
    // whose output gives the diff ID; awaiting each step bounds memory.
    const digester = new Digester();
    const diff = new Digester();
    const decompressor = detected.algorithm
      ? decompressStream(detected.algorithm)
      : new TransformStream<Uint8Array, Uint8Array>();
    const hashing = (async () => {
      for await (const chunk of decompressor.readable) diff.update(chunk);
    })();
    const feed = decompressor.writable.getWriter();
    const output = await Deno.open(file, {
      write: true,
      createNew: true,
      mode: 0o600,
    });
    try {
      for await (const chunk of detected.stream) {
        signal?.throwIfAborted();
        digester.update(chunk);
        let at = 0;
        while (at < chunk.length) at += await output.write(chunk.subarray(at));
        await Promise.race([feed.write(chunk), hashing]);
      }
      await feed.close();
      await hashing;
    } catch (error) {
      await feed.abort(error).catch(() => {});
      await hashing.catch(() => {});
      output.close();
      await Deno.remove(file).catch(() => {});
      throw error;
    }
    output.close();
    const digest = digester.digest();
    if (info.digest && info.digest !== digest) {
      await Deno.remove(file).catch(() => {});
      throw new DigestMismatchError(info.digest, digest);
    }
    this.#blobs.set(digest, {
      digest,
      size: digester.size,
      diffId: diff.digest(),
      diffSize: diff.size,
      compression: detected.algorithm?.name,
      file,
    });
    return { digest, size: digester.size };
  }

  /** A layer the store already has (by compressed or uncompressed digest). */
  async tryReusingBlob(
    info: BlobInfo,
    _options: ReuseBlobOptions,
  ): Promise<ReusedBlob | undefined> {
    const digest = info.digest;
    if (!digest) return undefined;
    const known = this.#blobs.get(digest);
    if (known) return { digest, size: known.size };
    const layers = await this.#store.readLayers();
    const layer = layers.find((l) => l["compressed-diff-digest"] === digest) ??
      layers.find((l) => l["diff-digest"] === digest);
    if (!layer?.["diff-digest"] || layer["diff-size"] === undefined) {
      return undefined;
    }
    const compressed = layer["compressed-diff-digest"] === digest;
    const size = compressed
      ? layer["compressed-size"] ?? info.size ?? -1
      : layer["diff-size"];
    this.#blobs.set(digest, {
      digest,
      size,
      diffId: layer["diff-digest"],
      diffSize: layer["diff-size"],
      compression: compressed ? compressionName(layer.compression) : undefined,
      layer,
    });
    return { digest, size };
  }

  /**
   * Records the manifest (written at commit).
   *
   * @throws {ManifestTypeRejectedError} For lists and schema1.
   */
  putManifest(
    manifest: ManifestBlob,
    options: InstanceOptions = {},
  ): Promise<void> {
    if (
      options.instance ||
      !this.capabilities.supportedManifestTypes!.includes(manifest.mediaType)
    ) {
      return Promise.reject(
        new ManifestTypeRejectedError(manifest.mediaType),
      );
    }
    this.#manifest = manifest;
    return Promise.resolve();
  }

  /** Records the signatures (written at commit). */
  putSignatures(signatures: readonly Signature[]): Promise<void> {
    this.#signatures = signatures;
    return Promise.resolve();
  }

  /** Creates the layers, then the image; images.json is written last. */
  async commit(options: CommitOptions): Promise<void> {
    const manifest = this.#manifest;
    if (!manifest) throw new Error("commit() before putManifest()");
    const json = JSON.parse(new TextDecoder().decode(manifest.bytes));
    const config = json.config as { digest: Digest };
    const layers = (json.layers ?? []) as { digest: Digest }[];
    const configBlob = this.#blobs.get(config.digest);
    if (!configBlob?.file) {
      throw new Error(`config ${config.digest} was not received`);
    }
    const configBytes = await Deno.readFile(configBlob.file);
    const store = this.#store;
    await store.locked(true, async () => {
      let top: string | undefined;
      for (const descriptor of layers) {
        const blob = this.#blobs.get(descriptor.digest);
        if (!blob) {
          throw new Error(`layer ${descriptor.digest} was not received`);
        }
        top = await this.#ensureLayer(blob, top, options.signal);
      }
      await this.#writeImage(manifest, configBytes, config.digest, {
        top,
        // The source's list, when one instance of it was copied.
        topLevel: options.sourceList ?? options.topLevelManifest,
      });
    });
  }

  /** Creates the layer for `blob` on `parent`, unless it exists. */
  async #ensureLayer(
    blob: BlobRecord,
    parent: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const store = this.#store;
    const hex = blob.diffId.slice(blob.diffId.indexOf(":") + 1);
    const id = parent === undefined
      ? hex
      : digestOf(new TextEncoder().encode(`${parent}+${hex}`)).slice(7);
    const existing = await store.readLayers();
    if (existing.some((l) => l.id === id)) return id;
    let tar: ReadableStream<Uint8Array>;
    if (blob.file) {
      const raw = readFileStream(
        await Deno.open(blob.file),
        signal ? { signal } : {},
      );
      const detected = await detectCompression(raw, signal ? { signal } : {});
      tar = detected.algorithm
        ? detected.stream.pipeThrough(decompressStream(detected.algorithm))
        : detected.stream;
    } else {
      tar = layerDiff(store, blob.layer!.id, { signal });
    }
    const applied = await applyLayer(store, tar, { id, parent, signal });
    if (`sha256:${hex}` !== blob.diffId || applied.diffSize !== blob.diffSize) {
      throw new Error(`layer ${id}: the applied diff differs from the blob`);
    }
    const record: LayerRecord = { id };
    if (parent !== undefined) record.parent = parent;
    record.created = new Date().toISOString();
    if (blob.compression !== undefined) {
      record["compressed-diff-digest"] = blob.digest;
      record["compressed-size"] = blob.size;
    }
    record["diff-digest"] = blob.diffId;
    record["diff-size"] = blob.diffSize;
    record.compression = blob.compression
      ? COMPRESSION_IDS[blob.compression] ?? 0
      : 0;
    record.uidset = applied.uidset;
    record.gidset = applied.gidset;
    // Re-read: the list may have changed while the layer was applied.
    const layers = await store.readLayers();
    await store.writeLayers([...layers.filter((l) => l.id !== id), record]);
    return id;
  }

  async #writeImage(
    manifest: ManifestBlob,
    configBytes: Uint8Array,
    configDigest: Digest,
    layers: { top: string | undefined; topLevel: ManifestBlob },
  ): Promise<void> {
    const { top, topLevel } = layers;
    const store = this.#store;
    const images = await store.readImages();
    const id = this.reference.id ??
      configDigest.slice(configDigest.indexOf(":") + 1);
    let image = images.find((i) => i.id === id);
    const existed = image !== undefined;
    if (image && image.layer !== top) {
      throw new Error(
        `image ${id} exists in the store with other layers (top layer ${image.layer}, not ${top})`,
      );
    }
    if (!image) {
      image = { id, names: [] };
      if (top !== undefined) image.layer = top;
      images.push(image);
    }
    const digest = digestOf(manifest.bytes);
    await store.writeBigData(image, configDigest, configBytes);
    // The list the instance came from, when there is one, is kept too, so
    // `name@<list digest>` finds the image (containers/image does this).
    const topDigest = digestOf(topLevel.bytes);
    if (topDigest !== digest) {
      await store.writeBigData(image, manifestKey(topDigest), topLevel.bytes);
      image.digest ??= topDigest;
    }
    await store.writeBigData(image, manifestKey(digest), manifest.bytes);
    await store.writeBigData(image, MANIFEST_KEY, manifest.bytes);
    // As containers/image: signatures of the image both under the legacy
    // "signatures" key (what readers use for the default instance) and
    // per manifest digest, sizes in the metadata.
    const signatures = encodeSignatures(this.#signatures);
    const metadata = parseMetadata(image.metadata);
    if (signatures.sizes.length > 0) {
      await store.writeBigData(image, LEGACY_SIGNATURES_KEY, signatures.data);
      metadata["signature-sizes"] = signatures.sizes;
    }
    await store.writeBigData(image, signatureKey(digest), signatures.data);
    (metadata["signatures-sizes"] ??= {})[digest] = signatures.sizes;
    image.metadata = JSON.stringify({
      // Go's field order: signature-sizes, then signatures-sizes.
      ...(metadata["signature-sizes"]
        ? { "signature-sizes": metadata["signature-sizes"] }
        : {}),
      ...metadata,
    });
    // containers/storage keeps the first manifest digest an image got.
    image.digest ??= digest;
    // The config's creation time, else now (containers/storage's default).
    image.created ??= configCreated(configBytes) ?? new Date().toISOString();
    // containers/image sets the names to [the reference's name, the
    // image's earlier names]; containers/storage's SetNames takes them from
    // other images and moves each, in order, to the front of the history.
    const name = this.reference.dockerReference;
    const oldNames = existed ? image.names ?? [] : [];
    if (name !== undefined || oldNames.length > 0) {
      const names = [...new Set([...(name ? [name] : []), ...oldNames])];
      for (const other of images) {
        if (other !== image && other.names?.some((n) => names.includes(n))) {
          other.names = other.names.filter((n) => !names.includes(n));
        }
      }
      image.names = names;
      for (const n of names) {
        image["names-history"] = [
          n,
          ...(image["names-history"] ?? []).filter((h) => h !== n),
        ];
      }
    }
    await store.writeImages(images.map(orderImage));
  }

  /** Removes the spooled blobs; nothing is left in the store without commit. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Deno.remove(this.#temp, { recursive: true }).catch(() => {});
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function compressionName(id: number | undefined): string | undefined {
  return Object.entries(COMPRESSION_IDS).find(([, v]) => v === id)?.[0];
}

function configCreated(bytes: Uint8Array): string | undefined {
  try {
    const created = JSON.parse(new TextDecoder().decode(bytes)).created;
    return typeof created === "string" ? created : undefined;
  } catch {
    return undefined;
  }
}

/** containers/storage's field order for an image record; others kept after. */
function orderImage(image: ImageRecord): ImageRecord {
  const order = [
    "id",
    "digest",
    "names",
    "names-history",
    "layer",
    "metadata",
    "big-data-names",
    "big-data-sizes",
    "big-data-digests",
    "created",
  ];
  const out: Record<string, unknown> = {};
  for (const key of order) {
    if (image[key] !== undefined) out[key] = image[key];
  }
  // Go writes maps with sorted keys.
  for (const key of ["big-data-sizes", "big-data-digests"]) {
    const map = out[key] as Record<string, unknown> | undefined;
    if (map) {
      out[key] = Object.fromEntries(
        Object.entries(map).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
      );
    }
  }
  for (const [key, value] of Object.entries(image)) {
    if (!(key in out) && value !== undefined) out[key] = value;
  }
  return out as ImageRecord;
}
