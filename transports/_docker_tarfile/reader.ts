/**
 * Reading `docker save` archives: the list of images (from `manifest.json`,
 * or from the legacy `repositories` file and layer directories when there
 * is no `manifest.json`), and the choice of one image by tag, by index or as
 * the only one.
 *
 * @module
 */
import { InvalidContentError } from "../../core/errors.ts";
import {
  IndexedArchive,
  MissingMemberError,
  type OpenIndexedArchiveOptions,
} from "../_archive/indexed_archive.ts";
import {
  formatReference,
  parseNormalizedNamed,
} from "../../core/docker_name.ts";
import {
  LEGACY_CONFIG_FILE,
  LEGACY_LAYER_FILE,
  MANIFEST_FILE,
  type ManifestItem,
  MAX_MANIFEST_SIZE,
  parseTarManifest,
  REPOSITORIES_FILE,
} from "./types.ts";

/** How to pick an image: by tag, by index, or (neither) the only one. */
export interface ImageSelector {
  /** A fully-qualified tagged reference (`docker.io/library/busybox:latest`). */
  tag?: string | undefined;
  /** The position in `manifest.json`. */
  index?: number | undefined;
}

/** An image of the archive. */
export interface ChosenItem {
  /** Its `manifest.json` item (synthesised for legacy archives). */
  readonly item: ManifestItem;
  /** Its position. */
  readonly index: number;
  /** The matching tag's position in `RepoTags`, when chosen by tag. */
  readonly tagIndex: number | undefined;
}

/** A `docker save` archive opened for reading. */
export class DockerArchiveReader {
  /** The indexed tar file. */
  readonly archive: IndexedArchive;
  /** The images, in archive order. */
  readonly items: readonly ManifestItem[];
  /**
   * True when the archive has no `manifest.json`: items were built from
   * `repositories`, their `Config` names the top layer's v1 `json` and
   * their config must be synthesised.
   */
  readonly legacy: boolean;

  /**
   * Use {@linkcode DockerArchiveReader.open}.
   *
   * @param archive The indexed archive.
   * @param items Its images.
   * @param legacy Whether they come from the legacy format.
   */
  constructor(
    archive: IndexedArchive,
    items: readonly ManifestItem[],
    legacy: boolean,
  ) {
    this.archive = archive;
    this.items = items;
    this.legacy = legacy;
  }

  /**
   * Opens an archive (spooling stdin or a compressed file to `tmpDir`) and
   * reads its list of images.
   *
   * @param path The archive file.
   * @param options Temporary directory and cancellation.
   * @returns The reader; close it.
   * @throws {InvalidContentError} On a malformed archive or `manifest.json`.
   */
  static async open(
    path: string,
    options: OpenIndexedArchiveOptions = {},
  ): Promise<DockerArchiveReader> {
    const archive = await IndexedArchive.open(path, {
      tempPrefix: "docker-tar",
      ...options,
    });
    try {
      if (archive.has(MANIFEST_FILE) || !archive.has(REPOSITORIES_FILE)) {
        const bytes = await readComponent(archive, MANIFEST_FILE, options);
        return new DockerArchiveReader(archive, parseTarManifest(bytes), false);
      }
      const items = await legacyItems(archive, options);
      return new DockerArchiveReader(archive, items, true);
    } catch (error) {
      await archive.close();
      throw error;
    }
  }

  /**
   * Picks an image as containers/image does.
   *
   * @throws {Error} With skopeo's messages: `Tag "x" not found`, `Invalid
   * source index @N, only M manifest items available`, `Unexpected tar
   * manifest.json: expected 1 item, got N`.
   */
  choose(selector: ImageSelector): ChosenItem {
    if (selector.tag !== undefined) {
      for (const [index, item] of this.items.entries()) {
        for (const [tagIndex, tag] of item.RepoTags.entries()) {
          if (normalizeTag(tag, index) === selector.tag) {
            return { item, index, tagIndex };
          }
        }
      }
      throw new Error(`Tag ${JSON.stringify(selector.tag)} not found`);
    }
    if (selector.index !== undefined) {
      const item = this.items[selector.index];
      if (!item) {
        throw new Error(
          `Invalid source index @${selector.index}, only ${this.items.length} manifest items available`,
        );
      }
      return { item, index: selector.index, tagIndex: undefined };
    }
    if (this.items.length !== 1) {
      throw new Error(
        `Unexpected tar manifest.json: expected 1 item, got ${this.items.length}`,
      );
    }
    return { item: this.items[0]!, index: 0, tagIndex: undefined };
  }

  /**
   * The archive's tags as `skopeo list-tags` prints them: each tag as
   * written in `manifest.json` (of the first image carrying it), `@N` for an
   * untagged image.
   *
   * @throws {Error} When a tag is not a valid tagged reference.
   */
  listTags(): string[] {
    const tags: string[] = [];
    for (const [index, item] of this.items.entries()) {
      if (item.RepoTags.length === 0) {
        tags.push(`@${index}`);
        continue;
      }
      for (const tag of item.RepoTags) {
        const wanted = normalizeTag(tag, index);
        const chosen = this.choose({ tag: wanted });
        tags.push(chosen.item.RepoTags[chosen.tagIndex!]!);
      }
    }
    return tags;
  }

  /** Removes a spooled copy of the archive, if any. */
  close(): Promise<void> {
    return this.archive.close();
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A `RepoTags` entry in its fully-qualified form. */
function normalizeTag(tag: string, index: number): string {
  let name;
  try {
    name = parseNormalizedNamed(tag);
  } catch (error) {
    throw new InvalidContentError(
      `Invalid tag ${JSON.stringify(tag)} in manifest.json item @${index}: ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
  if (name.tag === undefined || name.digest !== undefined) {
    throw new InvalidContentError(
      `Invalid tag ${tag} (${formatReference(name)}): does not contain a tag`,
    );
  }
  return formatReference(name);
}

/** Reads a small member, worded like containers/image when missing. */
export async function readComponent(
  archive: IndexedArchive,
  name: string,
  options: { signal?: AbortSignal | undefined; limit?: number } = {},
): Promise<Uint8Array> {
  try {
    return await archive.readMember(name, {
      limit: options.limit ?? MAX_MANIFEST_SIZE,
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof MissingMemberError) {
      error.message = `loading tar component ${name}: file does not exist`;
    }
    throw error;
  }
}

/** Maximum parent chain followed in a legacy archive (a loop guard). */
const MAX_LEGACY_DEPTH = 1000;

/**
 * Items of a legacy archive: one per image ID named in `repositories`, its
 * layers found by following `parent` links through the layer directories.
 */
async function legacyItems(
  archive: IndexedArchive,
  options: { signal?: AbortSignal | undefined },
): Promise<ManifestItem[]> {
  const text = new TextDecoder().decode(
    await readComponent(archive, REPOSITORIES_FILE, options),
  );
  let repositories: unknown;
  try {
    repositories = JSON.parse(text);
  } catch (error) {
    throw new InvalidContentError(
      `decoding tar repositories: ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
  if (
    typeof repositories !== "object" || repositories === null ||
    Array.isArray(repositories)
  ) {
    throw new InvalidContentError(
      "decoding tar repositories: not a JSON object",
    );
  }
  const byId = new Map<string, ManifestItem>();
  for (const [repo, tags] of Object.entries(repositories)) {
    if (typeof tags !== "object" || tags === null || Array.isArray(tags)) {
      throw new InvalidContentError(
        `decoding tar repositories: ${repo} is not an object`,
      );
    }
    for (const [tag, id] of Object.entries(tags as Record<string, unknown>)) {
      if (typeof id !== "string" || !/^[a-f0-9]{64}$/.test(id)) {
        throw new InvalidContentError(
          `decoding tar repositories: invalid image ID ${
            JSON.stringify(id)
          } for ${repo}:${tag}`,
        );
      }
      let item = byId.get(id);
      if (!item) {
        item = {
          Config: `${id}/${LEGACY_CONFIG_FILE}`,
          RepoTags: [],
          Layers: await legacyChain(archive, id, options),
        };
        byId.set(id, item);
      }
      item.RepoTags.push(`${repo}:${tag}`);
    }
  }
  return [...byId.values()];
}

/** The layer files of a legacy image, base first. */
async function legacyChain(
  archive: IndexedArchive,
  top: string,
  options: { signal?: AbortSignal | undefined },
): Promise<string[]> {
  const layers: string[] = [];
  const seen = new Set<string>();
  for (let id = top; id !== "";) {
    if (seen.has(id) || seen.size >= MAX_LEGACY_DEPTH) {
      throw new InvalidContentError(
        `Invalid legacy image ${top}: its parent chain loops`,
      );
    }
    seen.add(id);
    layers.unshift(`${id}/${LEGACY_LAYER_FILE}`);
    const name = `${id}/${LEGACY_CONFIG_FILE}`;
    const text = new TextDecoder().decode(
      await readComponent(archive, name, options),
    );
    let json: { parent?: unknown } | null;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new InvalidContentError(
        `decoding ${name}: ${error instanceof Error ? error.message : error}`,
      );
    }
    const parent = json?.parent;
    id = typeof parent === "string" ? parent : "";
    if (id !== "" && !/^[a-f0-9]{64}$/.test(id)) {
      throw new InvalidContentError(
        `Invalid legacy image ${top}: parent ${JSON.stringify(id)}`,
      );
    }
  }
  return layers;
}
