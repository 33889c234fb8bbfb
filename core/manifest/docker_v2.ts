/**
 * Docker schema2 image manifest and manifest list: JSON shapes and parsing.
 *
 * @module
 */
import {
  checkMediaTypeField,
  checkSchemaVersion,
  rejectAmbiguous,
} from "./_common.ts";
import { readDescriptor, readDescriptors } from "./_descriptor.ts";
import { at, decodeObject, invalid, readObject, type Where } from "./_json.ts";
import {
  DOCKER_SCHEMA2_LAYER_MEDIA_TYPES,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  MEDIA_TYPE_DOCKER_SCHEMA2,
} from "./media_types.ts";
import type {
  ParsedImageManifest,
  ParsedManifestList,
} from "./parsed_manifest.ts";

/** A Docker schema2 descriptor as JSON. */
export interface DockerDescriptorJson {
  /** The content's MIME type. */
  mediaType: string;
  /** The content's size in bytes. */
  size: number;
  /** The content's digest. */
  digest: string;
  /** Where else the content can be fetched. */
  urls?: string[];
}

/** A Docker manifest list platform as JSON. */
export interface DockerPlatformJson {
  /** CPU architecture (GOARCH names). */
  architecture: string;
  /** Operating system (GOOS names). */
  os: string;
  /** OS version (Windows). */
  "os.version"?: string;
  /** Required OS features (Windows). */
  "os.features"?: string[];
  /** CPU variant, e.g. `v7`. */
  variant?: string;
  /** Dropped by OCI; ignored here. */
  features?: string[];
}

/** A Docker schema2 image manifest as JSON. */
export interface DockerSchema2Json {
  /** Format version. */
  schemaVersion: 2;
  /** The content's MIME type. */
  mediaType: typeof MEDIA_TYPE_DOCKER_SCHEMA2;
  /** The config blob. */
  config: DockerDescriptorJson;
  /** The layer blobs, base first. */
  layers: DockerDescriptorJson[];
}

/** A Docker manifest list as JSON. */
export interface DockerManifestListJson {
  /** Format version. */
  schemaVersion: 2;
  /** The content's MIME type. */
  mediaType: typeof MEDIA_TYPE_DOCKER_MANIFEST_LIST;
  /** The instances. */
  manifests: (DockerDescriptorJson & { platform: DockerPlatformJson })[];
}

/**
 * Parses a Docker schema2 image manifest. Its `mediaType` field is
 * mandatory, and layers must have Docker layer types.
 *
 * @example
 * ```ts
 * import { parseDockerSchema2 } from "./docker_v2.ts";
 * const d = "sha256:" + "a".repeat(64);
 * const m = parseDockerSchema2(new TextEncoder().encode(JSON.stringify({
 *   schemaVersion: 2,
 *   mediaType: "application/vnd.docker.distribution.manifest.v2+json",
 *   config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: d, size: 2 },
 *   layers: [],
 * })));
 * console.assert(m.layers.length === 0);
 * ```
 *
 * @param bytes The manifest as stored.
 * @returns The parsed manifest.
 * @throws {InvalidContentError} When the bytes are not a valid schema2 manifest.
 */
export function parseDockerSchema2(bytes: Uint8Array): ParsedImageManifest {
  const where: Where = { what: "Docker schema2 manifest", path: "" };
  const object = decodeObject(bytes, where);
  checkSchemaVersion(object, 2, where);
  checkMediaTypeField(object, MEDIA_TYPE_DOCKER_SCHEMA2, where, {
    optional: false,
  });
  rejectAmbiguous(object, ["config", "layers"], where);
  const config = readObject(object, "config", where);
  if (config === undefined) throw invalid(at(where, "config"), "missing");
  const layers = readDescriptors(object, "layers", where);
  layers.forEach((layer, i) => {
    if (!DOCKER_SCHEMA2_LAYER_MEDIA_TYPES.includes(layer.mediaType)) {
      throw invalid(
        at(at(at(where, "layers"), i), "mediaType"),
        `unsupported Docker layer type "${layer.mediaType}"`,
      );
    }
  });
  return {
    kind: "image",
    mediaType: MEDIA_TYPE_DOCKER_SCHEMA2,
    schemaVersion: 2,
    config: readDescriptor(config, at(where, "config")),
    layers,
  };
}

/**
 * Parses a Docker manifest list.
 *
 * @example
 * ```ts
 * import { parseDockerManifestList } from "./docker_v2.ts";
 * const list = parseDockerManifestList(new TextEncoder().encode(JSON.stringify({
 *   schemaVersion: 2,
 *   mediaType: "application/vnd.docker.distribution.manifest.list.v2+json",
 *   manifests: [],
 * })));
 * console.assert(list.kind === "list");
 * ```
 *
 * @param bytes The list as stored.
 * @returns The parsed list.
 * @throws {InvalidContentError} When the bytes are not a valid manifest list.
 */
export function parseDockerManifestList(bytes: Uint8Array): ParsedManifestList {
  const where: Where = { what: "Docker manifest list", path: "" };
  const object = decodeObject(bytes, where);
  checkSchemaVersion(object, 2, where);
  checkMediaTypeField(object, MEDIA_TYPE_DOCKER_MANIFEST_LIST, where, {
    optional: false,
  });
  rejectAmbiguous(object, ["manifests"], where);
  return {
    kind: "list",
    mediaType: MEDIA_TYPE_DOCKER_MANIFEST_LIST,
    schemaVersion: 2,
    manifests: readDescriptors(object, "manifests", where),
  };
}
