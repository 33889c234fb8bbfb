/**
 * OCI image manifest and image index: JSON shapes and parsing.
 *
 * @module
 */
import type { Descriptor, Platform } from "../types.ts";
import {
  checkMediaTypeField,
  checkSchemaVersion,
  rejectAmbiguous,
} from "./_common.ts";
import {
  readDescriptor,
  readDescriptors,
  readOptionalDescriptor,
} from "./_descriptor.ts";
import {
  at,
  decodeObject,
  invalid,
  type JsonObject,
  readObject,
  readString,
  readStringMap,
  type Where,
} from "./_json.ts";
import {
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
} from "./media_types.ts";
import type {
  ParsedImageManifest,
  ParsedManifestList,
} from "./parsed_manifest.ts";

/** An OCI content descriptor as JSON. */
export interface OciDescriptorJson {
  /** The content's MIME type. */
  mediaType: string;
  /** The content's digest. */
  digest: string;
  /** The content's size in bytes. */
  size: number;
  /** Where else the content can be fetched. */
  urls?: string[];
  /** Arbitrary metadata. */
  annotations?: Record<string, string>;
  /** The platform an image instance runs on. */
  platform?: Platform;
  /** The artifact's type, for artifacts. */
  artifactType?: string;
  /** The content itself, base64-encoded (embedded descriptors). */
  data?: string;
}

/** An OCI image manifest as JSON (image-spec 1.1). */
export interface OciManifestJson {
  /** Format version. */
  schemaVersion: 2;
  /** The content's MIME type. */
  mediaType?: typeof MEDIA_TYPE_OCI_MANIFEST;
  /** The artifact's type, for artifacts. */
  artifactType?: string;
  /** The config blob. */
  config: OciDescriptorJson;
  /** The layer blobs, base first. */
  layers: OciDescriptorJson[];
  /** The manifest this one refers to. */
  subject?: OciDescriptorJson;
  /** Arbitrary metadata. */
  annotations?: Record<string, string>;
}

/** An OCI image index as JSON (image-spec 1.1). */
export interface OciIndexJson {
  /** Format version. */
  schemaVersion: 2;
  /** The content's MIME type. */
  mediaType?: typeof MEDIA_TYPE_OCI_INDEX;
  /** The artifact's type, for artifacts. */
  artifactType?: string;
  /** The instances. */
  manifests: OciDescriptorJson[];
  /** The manifest this one refers to. */
  subject?: OciDescriptorJson;
  /** Arbitrary metadata. */
  annotations?: Record<string, string>;
}

/** Fields OCI manifests and indexes share. */
function readCommon(
  object: JsonObject,
  where: Where,
): Pick<ParsedImageManifest, "annotations" | "subject" | "artifactType"> {
  const common: {
    annotations?: Record<string, string>;
    subject?: Descriptor;
    artifactType?: string;
  } = {};
  const annotations = readStringMap(object, "annotations", where);
  if (annotations !== undefined) common.annotations = annotations;
  const subject = readOptionalDescriptor(object, "subject", where);
  if (subject !== undefined) common.subject = subject;
  const artifactType = readString(object, "artifactType", where);
  if (artifactType !== "") common.artifactType = artifactType;
  return common;
}

/**
 * Parses an OCI image manifest.
 *
 * @example
 * ```ts
 * import { parseOciManifest } from "./oci.ts";
 * const d = "sha256:" + "a".repeat(64);
 * const m = parseOciManifest(new TextEncoder().encode(JSON.stringify({
 *   schemaVersion: 2,
 *   config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: d, size: 2 },
 *   layers: [],
 * })));
 * console.assert(m.config?.digest === d);
 * ```
 *
 * @param bytes The manifest as stored.
 * @returns The parsed manifest.
 * @throws {InvalidContentError} When the bytes are not a valid OCI manifest.
 */
export function parseOciManifest(bytes: Uint8Array): ParsedImageManifest {
  const where: Where = { what: "OCI image manifest", path: "" };
  const object = decodeObject(bytes, where);
  checkSchemaVersion(object, 2, where);
  checkMediaTypeField(object, MEDIA_TYPE_OCI_MANIFEST, where, {
    optional: true,
  });
  rejectAmbiguous(object, ["config", "layers"], where);
  const config = readObject(object, "config", where);
  if (config === undefined) throw invalid(at(where, "config"), "missing");
  return {
    kind: "image",
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    schemaVersion: 2,
    config: readDescriptor(config, at(where, "config")),
    layers: readDescriptors(object, "layers", where),
    ...readCommon(object, where),
  };
}

/**
 * Parses an OCI image index.
 *
 * @example
 * ```ts
 * import { parseOciIndex } from "./oci.ts";
 * const list = parseOciIndex(new TextEncoder().encode('{"schemaVersion":2,"manifests":[]}'));
 * console.assert(list.manifests.length === 0);
 * ```
 *
 * @param bytes The index as stored.
 * @returns The parsed list.
 * @throws {InvalidContentError} When the bytes are not a valid OCI index.
 */
export function parseOciIndex(bytes: Uint8Array): ParsedManifestList {
  const where: Where = { what: "OCI image index", path: "" };
  const object = decodeObject(bytes, where);
  checkSchemaVersion(object, 2, where);
  checkMediaTypeField(object, MEDIA_TYPE_OCI_INDEX, where, { optional: true });
  rejectAmbiguous(object, ["manifests"], where);
  return {
    kind: "list",
    mediaType: MEDIA_TYPE_OCI_INDEX,
    schemaVersion: 2,
    manifests: readDescriptors(object, "manifests", where),
    ...readCommon(object, where),
  };
}
