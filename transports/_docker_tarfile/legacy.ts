/**
 * The legacy (pre-1.10) half of the `docker save` format: one directory per
 * layer holding `VERSION`, a v1 image `json` and `layer.tar`, plus the
 * `repositories` tag file. Writers still emit it next to `manifest.json`
 * (docker and skopeo do); archives from old engines have only this half.
 *
 * @module
 */
import { digestHex, digestOf } from "../../core/digest.ts";
import type { Digest } from "../../core/types.ts";
import {
  compactGoJson,
  goString,
  marshalSortedMap,
  rawObjectMembers,
} from "./go_raw_json.ts";

/** Image-config fields copied into the top legacy layer's `json`. */
const TOP_LAYER_FIELDS = [
  "architecture",
  "config",
  "container",
  "container_config",
  "created",
  "docker_version",
  "os",
] as const;

/** One legacy layer directory to write. */
export interface LegacyLayer {
  /** The directory name (a v1 image ID, 64 hex). */
  readonly id: string;
  /** The layer's blob digest (its file is `<hex>.tar`). */
  readonly digest: Digest;
  /** The `json` file's content. */
  readonly json: string;
}

/**
 * Computes the legacy layer directories of an image exactly as
 * containers/image does, so the IDs (directory names) match skopeo's: each
 * ID is the SHA-256 of the layer's v1 JSON with the layer's chain ID added;
 * the top layer's JSON carries the config fields docker reads.
 *
 * @param layers The layer digests, base first.
 * @param configText The image config.
 * @returns The directories, base first; the last ID is the image's v1 ID.
 */
export function legacyLayers(
  layers: readonly Digest[],
  configText: string,
): LegacyLayer[] {
  const result: LegacyLayer[] = [];
  let chainId: Digest | undefined;
  let parent = "";
  for (const [i, digest] of layers.entries()) {
    const members = new Map<string, string>();
    if (parent) members.set("parent", goString(parent));
    if (i === layers.length - 1) {
      const config = rawObjectMembers(configText, "unmarshaling config");
      for (const field of TOP_LAYER_FIELDS) {
        const raw = config.get(field);
        members.set(field, raw === undefined ? "null" : compactGoJson(raw));
      }
    }
    chainId = chainId === undefined
      ? digest
      : digestOf(new TextEncoder().encode(`${chainId} ${digest}`));
    members.set("layer_id", goString(chainId));
    const id = digestHex(
      digestOf(new TextEncoder().encode(marshalSortedMap(members))),
    );
    members.delete("layer_id");
    members.set("id", goString(id));
    result.push({ id, digest, json: marshalSortedMap(members) });
    parent = id;
  }
  return result;
}

/** What a legacy layer's v1 `json` tells about the image. */
export interface LegacyImageJson {
  /** The layer (v1 image) ID. */
  readonly id: string;
  /** The parent layer's ID; empty for the base layer. */
  readonly parent: string;
  /** The raw members, for building an image config from the top layer. */
  readonly members: Map<string, string>;
  /** The history entry this layer stands for, as Go marshals it. */
  readonly history: string;
}

/**
 * Parses a legacy layer's `json`.
 *
 * @param text The file's content.
 * @param where Names the file in errors.
 * @throws {InvalidContentError} When it is not a JSON object.
 */
export function parseLegacyImageJson(
  text: string,
  where: string,
): LegacyImageJson {
  const members = rawObjectMembers(text, `decoding ${where}`);
  const value = JSON.parse(text) as Record<string, unknown>;
  const str = (v: unknown): string => typeof v === "string" ? v : "";
  const containerConfig = value.container_config as
    | { Cmd?: unknown }
    | null
    | undefined;
  const cmd = Array.isArray(containerConfig?.Cmd)
    ? (containerConfig.Cmd as unknown[]).map(str).join(" ")
    : "";
  // docker's image.History: created, author, created_by, comment (omitempty).
  const fields: Array<[string, string]> = [
    ["created", str(value.created)],
    ["author", str(value.author)],
    ["created_by", cmd],
    ["comment", str(value.comment)],
  ];
  const parts = fields.filter(([, v]) => v !== "").map(([k, v]) =>
    `${goString(k)}:${goString(v)}`
  );
  return {
    id: str(value.id),
    parent: str(value.parent),
    members,
    history: `{${parts.join(",")}}`,
  };
}

/**
 * Builds an image config from a legacy image as docker's legacy loader does
 * (`MakeConfigFromV1Config`): the top layer's JSON without its v1 fields,
 * plus `rootfs` (the layers' diff IDs) and `history` (one entry per layer).
 *
 * @param top The top layer's JSON.
 * @param chain Every layer's JSON, base first.
 * @param diffIds The layers' diff IDs, base first.
 * @returns The config's bytes.
 */
export function legacyImageConfig(
  top: LegacyImageJson,
  chain: readonly LegacyImageJson[],
  diffIds: readonly Digest[],
): Uint8Array {
  const members = new Map<string, string>();
  for (const [key, raw] of top.members) members.set(key, compactGoJson(raw));
  for (
    const key of ["id", "parent", "Size", "parent_id", "layer_id", "throwaway"]
  ) {
    members.delete(key);
  }
  members.set(
    "rootfs",
    `{"type":"layers","diff_ids":[${diffIds.map(goString).join(",")}]}`,
  );
  members.set("history", `[${chain.map((l) => l.history).join(",")}]`);
  return new TextEncoder().encode(marshalSortedMap(members));
}
