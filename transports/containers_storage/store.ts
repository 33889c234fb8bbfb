/**
 * The containers/storage on-disk store: `<graphroot>/<driver>-images/
 * images.json` and `<driver>-layers/layers.json` (JSON arrays, rewritten
 * whole by a temporary file and a rename), big-data files of each image in
 * `<driver>-images/<id>/` (named by their key, or `=` + base64 of the key
 * when it has characters other than `a-z0-9.`), tar-split files
 * `<driver>-layers/<id>.tar-split.gz`, and layer contents in
 * `vfs/dir/<id>/` or `overlay/<id>/diff/`. Fields we do not know are kept
 * as they are when records are rewritten.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { digestOf } from "../../core/digest.ts";
import { InvalidContentError } from "../../core/errors.ts";
import type { Digest } from "../../core/types.ts";
import { pathExists, writeFileAtomic } from "../_fs/atomic.ts";
import { acquireLock, type StoreLock } from "./lock.ts";
import type { StoreSpec } from "./storage_conf.ts";

/** A layer as layers.json records it. */
export interface LayerRecord {
  id: string;
  parent?: string;
  names?: string[];
  created?: string;
  "compressed-diff-digest"?: Digest;
  "compressed-size"?: number;
  "diff-digest"?: Digest;
  "diff-size"?: number;
  compression?: number;
  uidset?: number[];
  gidset?: number[];
  flags?: Record<string, unknown>;
  [other: string]: unknown;
}

/** An image as images.json records it. */
export interface ImageRecord {
  id: string;
  digest?: Digest;
  names?: string[];
  "names-history"?: string[];
  layer?: string;
  metadata?: string;
  "big-data-names"?: string[];
  "big-data-sizes"?: Record<string, number>;
  "big-data-digests"?: Record<string, Digest>;
  created?: string;
  [other: string]: unknown;
}

/** The big-data key of the image's main manifest. */
export const MANIFEST_KEY = "manifest";

/** The big-data key of the image's signatures (before per-manifest keys). */
export const LEGACY_SIGNATURES_KEY = "signatures";

/** The big-data key of the manifest with `digest`. */
export function manifestKey(digest: Digest): string {
  return `manifest-${digest}`;
}

/** The big-data key of the signatures of the manifest with `digest`. */
export function signatureKey(digest: Digest): string {
  return `signature-${digest.slice(digest.indexOf(":") + 1)}`;
}

/**
 * The file name of a big-data item, as containers/storage makes it.
 *
 * @example
 * ```ts
 * import { bigDataFileName } from "./store.ts";
 * console.assert(bigDataFileName("manifest") === "manifest");
 * console.assert(bigDataFileName("sha256:ab") === "=c2hhMjU2OmFi");
 * ```
 */
export function bigDataFileName(key: string): string {
  return /^[a-z0-9.]*$/.test(key)
    ? key
    : `=${Buffer.from(key).toString("base64")}`;
}

/** The layer drivers this transport handles. */
export const SUPPORTED_DRIVERS: readonly string[] = ["vfs", "overlay"];

/**
 * A store on disk. Reads take shared locks and writes exclusive ones (see
 * lock.ts for what that means next to podman).
 */
export class Store {
  /** Driver (resolved), roots and options. */
  readonly spec: StoreSpec;

  /**
   * @param spec The store; `driver` must be resolved.
   */
  constructor(spec: StoreSpec) {
    this.spec = spec;
  }

  /** `<graphroot>/<driver>-layers`. */
  get layersDir(): string {
    return `${this.spec.graphRoot}/${this.spec.driver}-layers`;
  }

  /** `<graphroot>/<driver>-images`. */
  get imagesDir(): string {
    return `${this.spec.graphRoot}/${this.spec.driver}-images`;
  }

  /** The directory holding a layer's files (its diff, for overlay). */
  layerFilesDir(id: string): string {
    return this.spec.driver === "vfs"
      ? `${this.spec.graphRoot}/vfs/dir/${id}`
      : `${this.spec.graphRoot}/overlay/${id}/diff`;
  }

  /** `<driver>-layers/<id>.tar-split.gz`. */
  tarSplitPath(id: string): string {
    return `${this.layersDir}/${id}.tar-split.gz`;
  }

  /** A big-data file of an image. */
  bigDataPath(imageId: string, key: string): string {
    return `${this.imagesDir}/${imageId}/${bigDataFileName(key)}`;
  }

  /** Complete layers (containers/storage drops incomplete ones on load). */
  async readLayers(): Promise<LayerRecord[]> {
    const all = await readJsonArray<LayerRecord>(
      `${this.layersDir}/layers.json`,
    );
    return all.filter((l) => l.flags?.incomplete !== true);
  }

  /** Every image. */
  readImages(): Promise<ImageRecord[]> {
    return readJsonArray<ImageRecord>(`${this.imagesDir}/images.json`);
  }

  /** Rewrites layers.json (temporary file, then rename). */
  async writeLayers(layers: readonly LayerRecord[]): Promise<void> {
    await Deno.mkdir(this.layersDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(
      `${this.layersDir}/layers.json`,
      JSON.stringify(layers),
      { mode: 0o600 },
    );
  }

  /** Rewrites images.json (temporary file, then rename). */
  async writeImages(images: readonly ImageRecord[]): Promise<void> {
    await Deno.mkdir(this.imagesDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(
      `${this.imagesDir}/images.json`,
      JSON.stringify(images),
      { mode: 0o600 },
    );
  }

  /** Reads a big-data item; `undefined` when the image has none by that key. */
  async readBigData(
    imageId: string,
    key: string,
  ): Promise<Uint8Array | undefined> {
    try {
      return await Deno.readFile(this.bigDataPath(imageId, key));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
  }

  /**
   * Writes a big-data item and records its size and digest on the image
   * record (which the caller writes to images.json).
   */
  async writeBigData(
    image: ImageRecord,
    key: string,
    data: Uint8Array,
  ): Promise<void> {
    await Deno.mkdir(`${this.imagesDir}/${image.id}`, {
      recursive: true,
      mode: 0o700,
    });
    await writeFileAtomic(this.bigDataPath(image.id, key), data, {
      mode: 0o600,
    });
    const names = image["big-data-names"] ??= [];
    if (!names.includes(key)) names.push(key);
    (image["big-data-sizes"] ??= {})[key] = data.length;
    (image["big-data-digests"] ??= {})[key] = digestOf(data);
  }

  /**
   * Runs `fn` holding the layers and images locks (in containers/storage's
   * order), exclusive for writes, then marks what changed.
   */
  async locked<T>(
    exclusive: boolean,
    fn: () => Promise<T>,
  ): Promise<T> {
    const held: StoreLock[] = [];
    try {
      for (const dir of [this.layersDir, this.imagesDir]) {
        if (exclusive) await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
        else if (!await pathExists(dir)) continue;
        const name = dir === this.layersDir ? "layers.lock" : "images.lock";
        held.push(await acquireLock(`${dir}/${name}`, { exclusive }));
      }
      const result = await fn();
      if (exclusive) { for (const lock of held) await lock.touch(); }
      return result;
    } finally {
      for (const lock of held.reverse()) await lock.release();
    }
  }
}

/**
 * Finds an image as containers/storage's `Image(id)` does: by ID, then by
 * name, then by a unique ID prefix.
 */
export function findImage(
  images: readonly ImageRecord[],
  idOrName: string,
): ImageRecord | undefined {
  const byId = images.find((i) => i.id === idOrName);
  if (byId) return byId;
  const byName = images.find((i) => i.names?.includes(idOrName));
  if (byName) return byName;
  const prefixed = images.filter((i) => i.id.startsWith(idOrName));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

async function readJsonArray<T>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  if (text.trim() === "") return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidContentError(`parsing ${path}: ${error}`);
  }
  if (!Array.isArray(value)) {
    throw new InvalidContentError(`parsing ${path}: not a JSON array`);
  }
  return value as T[];
}
