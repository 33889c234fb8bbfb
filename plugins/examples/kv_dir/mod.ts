/**
 * A key-value transport persisted on disk, `kvdir:PATH`, to show a plugin
 * that works across CLI runs. It stores every value as one file named by its
 * key, the way an object store (S3 and the like) would:
 *
 * - `blobs/<algorithm>/<hex>`: blobs;
 * - `manifests/<algorithm>/<hex>`: instances of a manifest list;
 * - `manifest` and `manifest.type`: the top-level manifest and its MIME
 *   type, written last at commit, so an image is visible only when complete.
 *
 * Values are written to a temporary key and renamed, like a conditional PUT.
 *
 * @example Load it with the CLI
 * ```sh
 * skopeo --transport-plugin plugins/examples/kv_dir/mod.ts \
 *   copy oci:tests/fixtures/oci:demo kvdir:/tmp/kv
 * ```
 *
 * @module
 */
import { InvalidReferenceError } from "../../../core/errors.ts";
import type {
  ImageDestination,
  ImageReference,
  ImageSource,
  OpenOptions,
  Transport,
} from "../../../core/transport.ts";
import type { Digest } from "../../../core/types.ts";
import { type ContentStore, fromContentStore } from "../../partial.ts";

/** The minimal key-value interface the transport needs. */
export interface KeyValueStore {
  /** The value, or `undefined` when the key is absent. */
  get(key: string): Promise<ReadableStream<Uint8Array> | undefined>;
  /** Whether the key exists. */
  has(key: string): Promise<boolean>;
  /** Stores a value; nothing is kept under `key` when the stream errors. */
  put(key: string, value: ReadableStream<Uint8Array>): Promise<void>;
}

/** A {@linkcode KeyValueStore} whose keys are files under a directory. */
export class FileKeyValueStore implements KeyValueStore {
  /** The directory. */
  readonly root: string;

  /** @param root The directory holding the keys. */
  constructor(root: string) {
    this.root = root;
  }

  #path(key: string): string {
    return `${this.root}/${key}`;
  }

  /** Opens the file of a key. */
  async get(key: string): Promise<ReadableStream<Uint8Array> | undefined> {
    try {
      return (await Deno.open(this.#path(key))).readable;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
  }

  /** Whether the key's file exists. */
  async has(key: string): Promise<boolean> {
    try {
      return (await Deno.stat(this.#path(key))).isFile;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  }

  /** Writes a temporary file, then renames it to the key. */
  async put(key: string, value: ReadableStream<Uint8Array>): Promise<void> {
    const path = this.#path(key);
    const dir = path.slice(0, path.lastIndexOf("/"));
    await Deno.mkdir(dir, { recursive: true });
    const temp = await Deno.makeTempFile({ dir, prefix: ".partial-" });
    try {
      const file = await Deno.open(temp, { write: true, truncate: true });
      await value.pipeTo(file.writable);
      await Deno.rename(temp, path);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
  }
}

function digestKey(prefix: string, digest: Digest): string {
  const [algorithm, hex] = digest.split(":");
  return `${prefix}/${algorithm}/${hex}`;
}

async function readAll(
  stream: ReadableStream<Uint8Array> | undefined,
): Promise<Uint8Array | undefined> {
  return stream ? await new Response(stream).bytes() : undefined;
}

/**
 * The content store of one image in a key-value store.
 *
 * @param kv The key-value store.
 * @returns The content store.
 */
export function kvContentStore(kv: KeyValueStore): ContentStore {
  const text = (value: string) =>
    ReadableStream.from([
      new TextEncoder().encode(value),
    ]);
  return {
    hasBlob: (digest) => kv.has(digestKey("blobs", digest)),
    readBlob: (digest) => kv.get(digestKey("blobs", digest)),
    writeBlob: (digest, stream) => kv.put(digestKey("blobs", digest), stream),
    async readManifest(options = {}) {
      if (options.instance) {
        const bytes = await readAll(
          await kv.get(digestKey("manifests", options.instance)),
        );
        return bytes && { bytes, mediaType: "" };
      }
      const bytes = await readAll(await kv.get("manifest"));
      if (!bytes) return undefined;
      const type = await readAll(await kv.get("manifest.type"));
      return {
        bytes,
        mediaType: type ? new TextDecoder().decode(type) : "",
      };
    },
    writeManifest: (manifest, options) =>
      kv.put(
        digestKey("manifests", options.instance),
        ReadableStream.from([manifest.bytes]),
      ),
    async commit(manifest) {
      await kv.put("manifest.type", text(manifest.mediaType));
      await kv.put("manifest", ReadableStream.from([manifest.bytes]));
    },
  };
}

class KvDirReference implements ImageReference {
  readonly transport: Transport;
  readonly path: string;

  constructor(transport: Transport, path: string) {
    this.transport = transport;
    this.path = path;
  }

  toString(): string {
    return this.path;
  }

  #store(): ContentStore {
    return kvContentStore(new FileKeyValueStore(this.path));
  }

  openSource(options?: OpenOptions): Promise<ImageSource> {
    return fromContentStore(this, this.#store()).openSource(options);
  }

  openDestination(options?: OpenOptions): Promise<ImageDestination> {
    return fromContentStore(this, this.#store()).openDestination(options);
  }

  /** Removes the manifest; blobs stay, shared by later copies. */
  async deleteImage(): Promise<void> {
    await Deno.remove(`${this.path}/manifest`);
    await Deno.remove(`${this.path}/manifest.type`).catch(() => {});
  }
}

/** The plugin export: the `kvdir` transport. */
export const transport: Transport = {
  apiVersion: 1,
  name: "kvdir",
  parseReference(text: string): ImageReference {
    if (text === "") {
      throw new InvalidReferenceError(
        "kvdir:",
        "An empty kvdir path is not permitted",
      );
    }
    return new KvDirReference(transport, text);
  },
};
