/**
 * Manifest type detection from content, for transports that store no MIME
 * type (`dir:`, files given to `manifest-digest`).
 *
 * @module
 */
import { field, isObject, type JsonObject } from "./_json.ts";
import {
  MEDIA_TYPE_DOCKER_CONFIG,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  MEDIA_TYPE_DOCKER_SCHEMA1,
  MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
  MEDIA_TYPE_DOCKER_SCHEMA2,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
} from "./media_types.ts";

const RECOGNIZED = [
  MEDIA_TYPE_DOCKER_SCHEMA2,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  MEDIA_TYPE_OCI_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
];

const DECODER = new TextDecoder("utf-8", { ignoreBOM: true });

function parseObject(bytes: Uint8Array): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(DECODER.decode(bytes));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Go decodes a missing or null value as the zero value and fails on a wrong type. */
function stringOr(value: unknown): string | undefined {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : undefined;
}

/**
 * Guesses a manifest's MIME type from its bytes, as containers/image
 * `manifest.GuessMIMEType` does:
 * - a recognized `mediaType` field wins;
 * - `schemaVersion` 1 is Docker schema1, signed when `signatures` is set;
 * - `schemaVersion` 2 with a `config` whose type is OCI's or Docker's is that
 *   format's manifest;
 * - otherwise non-empty `manifests` make an OCI index, and anything else an
 *   OCI manifest (an artifact).
 *
 * @example Guess a Docker schema1 manifest
 * ```ts
 * import { guessMediaType } from "./guess.ts";
 * const bytes = new TextEncoder().encode('{"schemaVersion":1,"fsLayers":[]}');
 * console.assert(
 *   guessMediaType(bytes) === "application/vnd.docker.distribution.manifest.v1+json",
 * );
 * ```
 *
 * @param bytes The manifest as stored.
 * @returns The MIME type, or `""` when the content is not a manifest.
 */
export function guessMediaType(bytes: Uint8Array): string {
  const object = parseObject(bytes);
  if (object === undefined) return "";
  const mediaType = stringOr(field(object, "mediaType"));
  const versionValue = field(object, "schemaVersion");
  let schemaVersion = 0;
  if (typeof versionValue === "number") {
    if (!Number.isInteger(versionValue)) return "";
    schemaVersion = versionValue;
  } else if (versionValue !== undefined && versionValue !== null) {
    return "";
  }
  if (mediaType === undefined) return "";
  if (RECOGNIZED.includes(mediaType)) return mediaType;

  if (schemaVersion === 1) {
    const signatures = field(object, "signatures");
    return signatures !== undefined && signatures !== null
      ? MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED
      : MEDIA_TYPE_DOCKER_SCHEMA1;
  }
  if (schemaVersion !== 2) return "";

  const config = field(object, "config");
  let configType = "";
  if (isObject(config)) {
    const value = stringOr(field(config, "mediaType"));
    if (value === undefined) return "";
    configType = value;
  } else if (config !== undefined && config !== null) {
    return "";
  }
  if (configType === MEDIA_TYPE_OCI_CONFIG) return MEDIA_TYPE_OCI_MANIFEST;
  if (configType === MEDIA_TYPE_DOCKER_CONFIG) return MEDIA_TYPE_DOCKER_SCHEMA2;

  const manifests = field(object, "manifests");
  if (Array.isArray(manifests) && manifests.length > 0) {
    // containers/image returns the config type here; it is not a manifest type.
    return configType === "" ? MEDIA_TYPE_OCI_INDEX : configType;
  }
  if (
    manifests !== undefined && manifests !== null && !Array.isArray(manifests)
  ) return "";
  return MEDIA_TYPE_OCI_MANIFEST;
}
