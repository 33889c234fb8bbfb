/**
 * An in-memory transport, `memory:NAME`: images live in a `Map` of this
 * process, so it suits library users and tests (a CLI run forgets them when
 * it exits). Built with {@linkcode fromContentStore}.
 *
 * @example Copy an image into memory and read it back
 * ```ts ignore
 * import { copyImage, createTransportRegistry } from "../../../mod.ts";
 * import { createMemoryTransport } from "./mod.ts";
 * const registry = createTransportRegistry();
 * registry.add(createMemoryTransport());
 * const source = await registry.parseImageName("oci:tests/fixtures/oci:demo");
 * const memory = await registry.parseImageName("memory:demo");
 * console.log((await copyImage(source, memory)).digest);
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
import type { ManifestBlob } from "../../../core/types.ts";
import { type ContentStore, fromContentStore } from "../../partial.ts";

/** One stored image: its top-level manifest and list instances. */
interface StoredImage {
  manifest: ManifestBlob | undefined;
  instances: Map<string, ManifestBlob>;
}

/** Blobs shared by every image of one transport, and the images by name. */
interface MemoryState {
  blobs: Map<string, Uint8Array>;
  images: Map<string, StoredImage>;
}

/** Options of {@linkcode createMemoryTransport}. */
export interface MemoryTransportOptions {
  /** The transport's name; `memory` by default. */
  name?: string;
}

/** A memory transport, with a way to see what it holds. */
export interface MemoryTransport extends Transport {
  /** Names of the committed images. */
  imageNames(): string[];
  /** Forgets every image and blob. */
  clear(): void;
}

function storeFor(state: MemoryState, name: string): ContentStore {
  const image = (): StoredImage => {
    let stored = state.images.get(name);
    if (!stored) {
      stored = { manifest: undefined, instances: new Map() };
      state.images.set(name, stored);
    }
    return stored;
  };
  return {
    hasBlob: (digest) => Promise.resolve(state.blobs.has(digest)),
    readBlob: (digest) => Promise.resolve(state.blobs.get(digest)),
    async writeBlob(digest, stream) {
      // Read everything first: the stream errors at its end on a bad digest.
      const bytes = await new Response(stream).bytes();
      state.blobs.set(digest, bytes);
    },
    readManifest(options = {}) {
      const stored = state.images.get(name);
      return Promise.resolve(
        options.instance
          ? stored?.instances.get(options.instance)
          : stored?.manifest,
      );
    },
    writeManifest(manifest, options) {
      image().instances.set(options.instance, copyManifest(manifest));
      return Promise.resolve();
    },
    commit(manifest) {
      image().manifest = copyManifest(manifest);
      return Promise.resolve();
    },
  };
}

function copyManifest(manifest: ManifestBlob): ManifestBlob {
  return { bytes: manifest.bytes.slice(), mediaType: manifest.mediaType };
}

class MemoryReference implements ImageReference {
  readonly transport: Transport;
  readonly #name: string;
  readonly #state: MemoryState;

  constructor(transport: Transport, state: MemoryState, name: string) {
    this.transport = transport;
    this.#state = state;
    this.#name = name;
  }

  toString(): string {
    return this.#name;
  }

  openSource(options?: OpenOptions): Promise<ImageSource> {
    return fromContentStore(this, storeFor(this.#state, this.#name))
      .openSource(options);
  }

  openDestination(options?: OpenOptions): Promise<ImageDestination> {
    return fromContentStore(this, storeFor(this.#state, this.#name))
      .openDestination(options);
  }

  deleteImage(): Promise<void> {
    this.#state.images.delete(this.#name);
    return Promise.resolve();
  }

  listTags(): Promise<string[]> {
    return Promise.resolve(
      [...this.#state.images.entries()]
        .filter(([, image]) => image.manifest !== undefined)
        .map(([name]) => name).sort(),
    );
  }
}

/**
 * Creates a memory transport with its own, empty storage.
 *
 * @param options The transport's name.
 * @returns The transport.
 */
export function createMemoryTransport(
  options: MemoryTransportOptions = {},
): MemoryTransport {
  const state: MemoryState = { blobs: new Map(), images: new Map() };
  const transport: MemoryTransport = {
    apiVersion: 1,
    name: options.name ?? "memory",
    parseReference(text: string): ImageReference {
      if (text === "" || text.includes("/")) {
        throw new InvalidReferenceError(
          text,
          `invalid memory image name "${text}": expected a non-empty name without "/"`,
        );
      }
      return new MemoryReference(transport, state, text);
    },
    imageNames: () =>
      [...state.images.entries()].filter(([, i]) => i.manifest).map(([n]) => n)
        .sort(),
    clear() {
      state.blobs.clear();
      state.images.clear();
    },
  };
  return transport;
}

/** The plugin export: one memory transport per process, named `memory`. */
export const transport: MemoryTransport = createMemoryTransport();
