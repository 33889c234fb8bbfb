/**
 * The `docker save` archive format: `manifest.json` (one item per image:
 * config file, tags, layer files), the legacy `repositories` file and the
 * legacy per-layer directories (`<id>/VERSION`, `<id>/json`,
 * `<id>/layer.tar`).
 *
 * @module
 */
import { goJsonStringify } from "../../core/copy/go_json.ts";
import { InvalidContentError } from "../../core/errors.ts";

/** The archive's index of images. */
export const MANIFEST_FILE = "manifest.json";
/** Legacy tag index: repository → tag → top layer ID. */
export const REPOSITORIES_FILE = "repositories";
/** A legacy layer directory's layer tarball. */
export const LEGACY_LAYER_FILE = "layer.tar";
/** A legacy layer directory's format version (`1.0`). */
export const LEGACY_VERSION_FILE = "VERSION";
/** A legacy layer directory's v1 image JSON. */
export const LEGACY_CONFIG_FILE = "json";

/** Largest `manifest.json` or `repositories` read, as containers/image. */
export const MAX_MANIFEST_SIZE: number = 1 << 20;
/** Largest image config read, as containers/image. */
export const MAX_CONFIG_SIZE: number = 4 << 20;

/** One image of `manifest.json`. */
export interface ManifestItem {
  /** Path of the image config in the archive. */
  Config: string;
  /** Tags, as written (`busybox:latest`, `docker.io/a/b:1`). */
  RepoTags: string[];
  /** Paths of the layer tarballs, base layer first. */
  Layers: string[];
  /** Docker's parent image ID, when known. */
  Parent?: string;
  /** Descriptors of foreign layers, by diff ID. */
  LayerSources?: Record<string, unknown>;
}

/**
 * Parses `manifest.json` as Go's `json.Unmarshal` into `[]ManifestItem`
 * would: `null` fields are empty, unknown fields ignored, wrong types refused.
 *
 * @param bytes The file's content.
 * @returns The items.
 * @throws {InvalidContentError} `decoding tar manifest.json: …`.
 */
export function parseTarManifest(bytes: Uint8Array): ManifestItem[] {
  const fail = (detail: string): never => {
    throw new InvalidContentError(`decoding tar manifest.json: ${detail}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  if (json === null) return [];
  if (!Array.isArray(json)) return fail("expected an array of images");
  return json.map((raw: unknown, i): ManifestItem => {
    if (raw === null) return { Config: "", RepoTags: [], Layers: [] };
    if (typeof raw !== "object" || Array.isArray(raw)) {
      return fail(`item @${i} is not an object`);
    }
    const item = raw as Record<string, unknown>;
    const strings = (key: string): string[] => {
      const value = item[key];
      if (value === undefined || value === null) return [];
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
        return fail(`item @${i}: ${key} is not an array of strings`);
      }
      return value as string[];
    };
    const config = item.Config ?? "";
    if (typeof config !== "string") {
      return fail(`item @${i}: Config is not a string`);
    }
    const result: ManifestItem = {
      Config: config,
      RepoTags: strings("RepoTags"),
      Layers: strings("Layers"),
    };
    if (typeof item.Parent === "string" && item.Parent) {
      result.Parent = item.Parent;
    }
    if (
      typeof item.LayerSources === "object" && item.LayerSources !== null
    ) {
      result.LayerSources = item.LayerSources as Record<string, unknown>;
    }
    return result;
  });
}

/**
 * Serialises `manifest.json` as containers/image writes it (Go field
 * order; `Parent` and `LayerSources` only when set).
 */
export function formatTarManifest(items: readonly ManifestItem[]): string {
  return goJsonStringify(items.map((item) => {
    const out: Record<string, unknown> = {
      Config: item.Config,
      RepoTags: item.RepoTags,
      Layers: item.Layers,
    };
    if (item.Parent) out.Parent = item.Parent;
    if (item.LayerSources && Object.keys(item.LayerSources).length > 0) {
      out.LayerSources = item.LayerSources;
    }
    return out;
  }));
}
