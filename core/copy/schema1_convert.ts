/**
 * Conversions to and from Docker schema1, as containers/image (skopeo 1.9.3)
 * does them.
 *
 * - schema1 → schema2: the top history entry becomes the config (minus the
 *   v1 fields, plus `rootfs` and `history`), throwaway layers leave the
 *   layer list, and the layers' diffIDs (digests of the uncompressed
 *   layers, computed while copying) fill `rootfs.diff_ids`. schema1 → OCI
 *   goes through schema2.
 * - schema2/OCI → schema1: one fsLayer and v1Compatibility entry per config
 *   history entry (empty layers use the well-known gzipped empty tar, which
 *   the caller uploads), chained v1 IDs, and the config itself as the top
 *   entry. The result is unsigned; `schema1_sign.ts` signs it.
 *
 * @module
 */
import { digestHex, digestOf, parseDigest } from "../digest.ts";
import { InvalidContentError } from "../errors.ts";
import { normalizeGoTime } from "../manifest/mod.ts";
import { MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED } from "../manifest/media_types.ts";
import type { ParsedImageManifest } from "../manifest/parsed_manifest.ts";
import type { Digest, ManifestBlob } from "../types.ts";
import { goJsonStringify } from "./go_json.ts";
import { goMarshalRawMembers, rawJsonMembers } from "./schema1_raw_json.ts";

const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
const DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

/**
 * The gzip of an empty tar archive that schema1 lists for empty layers
 * (containers/image's `GzippedEmptyLayer`).
 */
export const GZIPPED_EMPTY_LAYER: Uint8Array = new Uint8Array([
  31,
  139,
  8,
  0,
  0,
  9,
  110,
  136,
  0,
  255,
  98,
  24,
  5,
  163,
  96,
  20,
  140,
  88,
  0,
  8,
  0,
  0,
  255,
  255,
  46,
  175,
  181,
  239,
  0,
  4,
  0,
  0,
]);

/** Digest of {@linkcode GZIPPED_EMPTY_LAYER}. */
export const GZIPPED_EMPTY_LAYER_DIGEST: Digest = parseDigest(
  "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4",
);

/** A schema1 layer as copied: its size at the destination and its diffID. */
export interface Schema1CopiedLayer {
  /** Size of the stored blob. */
  readonly size: number;
  /** Digest of the uncompressed layer. */
  readonly diffId: Digest;
}

interface V1Fields {
  author?: string;
  comment?: string;
  container_config?: { Cmd?: string[] | null } | null;
}

/**
 * Builds the schema2 manifest and config of a schema1 image.
 *
 * @param parsed The parsed schema1 manifest (with `schema1` details).
 * @param layers One entry per `parsed.layers` entry (root first, throwaway
 *   layers included), as copied.
 * @returns The schema2 manifest, with the config it references.
 * @throws {InvalidContentError} When the manifest is inconsistent.
 */
export function schema1ToSchema2(
  parsed: ParsedImageManifest,
  layers: readonly Schema1CopiedLayer[],
): ManifestBlob & { config: Uint8Array } {
  const details = parsed.schema1;
  if (!details || details.history.length === 0) {
    throw new InvalidContentError(
      `Cannot convert an image with 0 history entries to ${DOCKER_V2}`,
    );
  }
  const count = details.history.length;
  if (parsed.layers.length !== count || layers.length !== count) {
    throw new InvalidContentError(
      `Inconsistent schema 1 manifest: ${count} history entries, ${parsed.layers.length} fsLayers entries, ${layers.length} copied layers`,
    );
  }
  const diffIds: Digest[] = [];
  const history: Record<string, unknown>[] = [];
  const descriptors: Record<string, unknown>[] = [];
  // Root first: history is top first, parsed.layers root first.
  for (let v2 = 0; v2 < count; v2++) {
    const compat = details.history[count - 1 - v2]!;
    const fields = JSON.parse(compat.json) as V1Fields;
    const entry: Record<string, unknown> = { created: compat.created };
    if (fields.author) entry.author = fields.author;
    const createdBy = (fields.container_config?.Cmd ?? []).join(" ");
    if (createdBy) entry.created_by = createdBy;
    if (fields.comment) entry.comment = fields.comment;
    if (compat.throwaway) entry.empty_layer = true;
    history.push(entry);
    if (!compat.throwaway) {
      descriptors.push({
        mediaType: DOCKER_LAYER_GZIP,
        size: layers[v2]!.size,
        digest: parsed.layers[v2]!.digest,
      });
      diffIds.push(layers[v2]!.diffId);
    }
  }
  const members = rawJsonMembers(details.history[0]!.json);
  for (
    const key of ["id", "parent", "Size", "parent_id", "layer_id", "throwaway"]
  ) {
    members.delete(key);
  }
  members.set(
    "rootfs",
    goJsonStringify({ type: "layers", diff_ids: diffIds }),
  );
  members.set("history", goJsonStringify(history));
  const config = new TextEncoder().encode(goMarshalRawMembers(members));
  const bytes = new TextEncoder().encode(goJsonStringify({
    schemaVersion: 2,
    mediaType: DOCKER_V2,
    config: {
      mediaType: DOCKER_CONFIG,
      size: config.length,
      digest: digestOf(config),
    },
    layers: descriptors,
  }));
  return { bytes, mediaType: DOCKER_V2, config };
}

interface Schema2ConfigFields {
  architecture?: string;
  history?: {
    created?: string;
    author?: string;
    created_by?: string;
    comment?: string;
    empty_layer?: boolean;
  }[];
}

/** `sha256(hex + " " + others…)` in hex: Docker's v1 ID recipe. */
function v1Id(blob: Digest, ...others: string[]): string {
  return digestHex(
    digestOf(new TextEncoder().encode([digestHex(blob), ...others].join(" "))),
  );
}

/** The path and tag of a Docker reference (`host/path:tag`), as schema1 records them. */
function nameAndTag(dockerReference: string | undefined): [string, string] {
  if (!dockerReference) return ["", ""];
  const withoutDigest = dockerReference.split("@")[0]!;
  const slash = withoutDigest.indexOf("/");
  const rest = withoutDigest.slice(slash + 1);
  const colon = rest.lastIndexOf(":");
  return colon > rest.lastIndexOf("/")
    ? [rest.slice(0, colon), rest.slice(colon + 1)]
    : [rest, ""];
}

/** An unsigned schema1 manifest built from a schema2/OCI image. */
export interface Schema1Conversion {
  /** The manifest JSON, compact, without signatures. */
  readonly unsigned: Uint8Array;
  /** Whether it lists {@linkcode GZIPPED_EMPTY_LAYER}, which the destination needs. */
  readonly usesEmptyLayer: boolean;
}

/**
 * Builds the (unsigned) schema1 manifest of a schema2 or OCI image.
 *
 * @param parsed The parsed schema2/OCI manifest, with the layers as stored
 *   at the destination.
 * @param config The raw config blob.
 * @param options `dockerReference`: the destination's Docker reference,
 *   whose path and tag schema1 records (empty for other transports).
 * @returns The manifest and whether it needs the empty layer blob.
 * @throws {InvalidContentError} When the config's history does not match the layers.
 */
export function schema2ToSchema1(
  parsed: ParsedImageManifest,
  config: Uint8Array,
  options: { dockerReference?: string | undefined } = {},
): Schema1Conversion {
  const configText = new TextDecoder().decode(config);
  const image = JSON.parse(configText) as Schema2ConfigFields;
  const history = image.history ?? [];
  if (history.length === 0) {
    throw new InvalidContentError(
      `Cannot convert an image with 0 history entries to ${MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED}`,
    );
  }
  const fsLayers: { blobSum: Digest }[] = new Array(history.length);
  const v1History: { v1Compatibility: string }[] = new Array(history.length);
  let nonEmpty = 0;
  let id = "";
  let parent = "";
  let usesEmptyLayer = false;
  for (const [v2, entry] of history.entries()) {
    parent = id;
    const v1 = history.length - 1 - v2;
    let blob: Digest;
    if (entry.empty_layer) {
      blob = GZIPPED_EMPTY_LAYER_DIGEST;
      usesEmptyLayer = true;
    } else {
      const layer = parsed.layers[nonEmpty++];
      if (!layer) {
        throw new InvalidContentError(
          `Invalid image configuration, needs more than the ${parsed.layers.length} distributed layers`,
        );
      }
      blob = layer.digest;
    }
    id = v1Id(blob, parent);
    // containers/image's Schema1V1Compatibility field order.
    const fake: Record<string, unknown> = { id };
    if (parent) fake.parent = parent;
    if (entry.comment) fake.comment = entry.comment;
    fake.created = entry.created === undefined
      ? GO_ZERO_TIME
      : normalizeGoTime(entry.created);
    fake.container_config = { Cmd: [entry.created_by ?? ""] };
    if (entry.author) fake.author = entry.author;
    if (entry.empty_layer) fake.throwaway = true;
    fsLayers[v1] = { blobSum: blob };
    v1History[v1] = { v1Compatibility: goJsonStringify(fake) };
  }
  // The top entry carries the whole config.
  const topId = v1Id(fsLayers[0]!.blobSum, parent, configText);
  const members = rawJsonMembers(configText);
  members.delete("rootfs");
  members.delete("history");
  members.set("id", goJsonStringify(topId));
  if (parent) members.set("parent", goJsonStringify(parent));
  if (history.at(-1)!.empty_layer) members.set("throwaway", "true");
  v1History[0] = { v1Compatibility: goMarshalRawMembers(members) };

  const [name, tag] = nameAndTag(options.dockerReference);
  const unsigned = new TextEncoder().encode(goJsonStringify({
    name,
    tag,
    architecture: image.architecture ?? "",
    fsLayers,
    history: v1History,
    schemaVersion: 1,
  }));
  return { unsigned, usesEmptyLayer };
}
