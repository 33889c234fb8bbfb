/**
 * Rewrites a manifest's layer descriptors (after compression changed them)
 * or a list's instance descriptors (after instances changed digest), in
 * Go's field order so the bytes are the ones skopeo would write.
 *
 * @module
 */
import { InvalidContentError } from "../errors.ts";
import type { Descriptor, Digest, ManifestBlob } from "../types.ts";
import { goJsonStringify } from "./go_json.ts";

type Json = Record<string, unknown>;

/** New digest, size and media type for one descriptor. */
export interface DescriptorUpdate {
  /** New digest. */
  digest: Digest;
  /** New size. */
  size: number;
  /** New media type. */
  mediaType: string;
}

function isDockerType(mediaType: string): boolean {
  return mediaType.startsWith("application/vnd.docker.");
}

/** A descriptor in Go's field order for its format, keeping optional fields. */
function ordered(d: Json, docker: boolean): Json {
  const out: Json = docker
    ? { mediaType: d.mediaType, size: d.size, digest: d.digest }
    : { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (Array.isArray(d.urls) && d.urls.length) out.urls = d.urls;
  if (!docker && d.annotations && Object.keys(d.annotations).length) {
    out.annotations = sortKeys(d.annotations as Json);
  }
  if (!docker && d.data !== undefined) out.data = d.data;
  if (d.platform) out.platform = orderedPlatform(d.platform as Json);
  if (!docker && d.artifactType) out.artifactType = d.artifactType;
  return out;
}

function orderedPlatform(p: Json): Json {
  const out: Json = { architecture: p.architecture ?? "", os: p.os ?? "" };
  if (p["os.version"]) out["os.version"] = p["os.version"];
  if (Array.isArray(p["os.features"]) && p["os.features"].length) {
    out["os.features"] = p["os.features"];
  }
  if (p.variant) out.variant = p.variant;
  if (Array.isArray(p.features) && p.features.length) {
    out.features = p.features;
  }
  return out;
}

function sortKeys(map: Json): Json {
  return Object.fromEntries(
    Object.entries(map).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
  );
}

function decode(manifest: ManifestBlob): Json {
  try {
    return JSON.parse(new TextDecoder().decode(manifest.bytes)) as Json;
  } catch (error) {
    throw new InvalidContentError(
      `Invalid manifest: ${(error as Error).message}`,
    );
  }
}

function encode(value: Json, mediaType: string): ManifestBlob {
  return {
    bytes: new TextEncoder().encode(goJsonStringify(value)),
    mediaType,
  };
}

/** The top-level fields in Go's order around the edited array. */
function orderedTop(
  json: Json,
  key: "layers" | "manifests",
  docker: boolean,
): Json {
  const out: Json = { schemaVersion: json.schemaVersion };
  if (json.mediaType) out.mediaType = json.mediaType;
  if (!docker && json.artifactType) out.artifactType = json.artifactType;
  if (key === "layers") out.config = ordered(json.config as Json, docker);
  out[key] = (json[key] as Json[]).map((d) => ordered(d, docker));
  if (!docker && json.subject) {
    out.subject = ordered(json.subject as Json, false);
  }
  if (!docker && json.annotations && Object.keys(json.annotations).length) {
    out.annotations = sortKeys(json.annotations as Json);
  }
  return out;
}

/**
 * Replaces the layers' digest, size and media type, index by index.
 *
 * @param manifest An OCI or Docker schema2 image manifest.
 * @param updates One entry per layer; undefined keeps the layer as it is.
 * @returns The edited manifest.
 */
export function updateLayers(
  manifest: ManifestBlob,
  updates: readonly (DescriptorUpdate | undefined)[],
): ManifestBlob {
  const json = decode(manifest);
  const layers = json.layers as Json[] | undefined;
  if (!Array.isArray(layers) || layers.length !== updates.length) {
    throw new InvalidContentError(
      "Cannot update layers: the manifest's layer count differs",
    );
  }
  updates.forEach((update, i) => {
    if (update) Object.assign(layers[i]!, update);
  });
  return encode(
    orderedTop(json, "layers", isDockerType(manifest.mediaType)),
    manifest.mediaType,
  );
}

/**
 * Replaces instance descriptors of a list whose instances changed digest.
 *
 * @param list An OCI index or Docker manifest list.
 * @param updates Old instance digest → new descriptor values.
 * @returns The edited list.
 */
export function updateInstances(
  list: ManifestBlob,
  updates: ReadonlyMap<Digest, DescriptorUpdate>,
): ManifestBlob {
  const json = decode(list);
  for (const entry of json.manifests as Descriptor[]) {
    const update = updates.get(entry.digest);
    if (update) Object.assign(entry, update);
  }
  return encode(
    orderedTop(json, "manifests", isDockerType(list.mediaType)),
    list.mediaType,
  );
}
