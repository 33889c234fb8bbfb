/**
 * Manifest parsing for every supported format, and the manifest digest as
 * skopeo computes it.
 *
 * @module
 */
import { digestOf } from "../digest.ts";
import { InvalidContentError } from "../errors.ts";
import type { Digest, ManifestBlob } from "../types.ts";
import { parseDockerSchema1, schema1SignedPayload } from "./docker_schema1.ts";
import { parseDockerManifestList, parseDockerSchema2 } from "./docker_v2.ts";
import { guessMediaType } from "./guess.ts";
import {
  isManifestMediaType,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  MEDIA_TYPE_DOCKER_SCHEMA1,
  MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
  MEDIA_TYPE_DOCKER_SCHEMA2,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
  normalizeMediaType,
} from "./media_types.ts";
import { parseOciIndex, parseOciManifest } from "./oci.ts";
import type { ParsedManifest } from "./parsed_manifest.ts";

export type {
  ParsedImageManifest,
  ParsedManifest,
  ParsedManifestList,
} from "./parsed_manifest.ts";

/**
 * The manifest type to parse `blob` as: its declared type when that is a
 * manifest type, otherwise the type guessed from its content (transports
 * such as `dir:` declare none; registries sometimes send `text/plain`).
 *
 * @example
 * ```ts
 * import { effectiveMediaType } from "./parse.ts";
 * const bytes = new TextEncoder().encode('{"schemaVersion":2,"manifests":[{}]}');
 * console.assert(
 *   effectiveMediaType({ bytes, mediaType: "" }) === "application/vnd.oci.image.index.v1+json",
 * );
 * ```
 *
 * @param blob The manifest and its declared type.
 * @returns A manifest MIME type, or `""` when the content is not recognized.
 */
export function effectiveMediaType(blob: ManifestBlob): string {
  const declared = normalizeMediaType(blob.mediaType);
  return isManifestMediaType(declared) ? declared : guessMediaType(blob.bytes);
}

/**
 * Parses a manifest of any supported format into an image or a list.
 *
 * The declared type decides the format (see
 * {@linkcode effectiveMediaType}); content that contradicts it (a different
 * `mediaType` field, another format's fields, the wrong `schemaVersion`) is
 * rejected.
 *
 * @example Parse an OCI manifest
 * ```ts
 * import { parseManifest } from "./parse.ts";
 * const d = "sha256:" + "a".repeat(64);
 * const bytes = new TextEncoder().encode(JSON.stringify({
 *   schemaVersion: 2,
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: d, size: 2 },
 *   layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: d, size: 3 }],
 * }));
 * const parsed = parseManifest({ bytes, mediaType: "application/vnd.oci.image.manifest.v1+json" });
 * console.assert(parsed.kind === "image" && parsed.layers.length === 1);
 * ```
 *
 * @param blob The manifest bytes and declared MIME type.
 * @returns The parsed manifest; `kind` tells an image from a list.
 * @throws {InvalidContentError} When the manifest is malformed or of an unknown type.
 */
export function parseManifest(blob: ManifestBlob): ParsedManifest {
  const mediaType = effectiveMediaType(blob);
  switch (mediaType) {
    case MEDIA_TYPE_OCI_MANIFEST:
      return parseOciManifest(blob.bytes);
    case MEDIA_TYPE_OCI_INDEX:
      return parseOciIndex(blob.bytes);
    case MEDIA_TYPE_DOCKER_SCHEMA2:
      return parseDockerSchema2(blob.bytes);
    case MEDIA_TYPE_DOCKER_MANIFEST_LIST:
      return parseDockerManifestList(blob.bytes);
    case MEDIA_TYPE_DOCKER_SCHEMA1:
      return parseDockerSchema1(blob.bytes, { signed: false });
    case MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED:
      return parseDockerSchema1(blob.bytes, { signed: true });
  }
  const declared = blob.mediaType === ""
    ? ""
    : ` (declared type "${blob.mediaType}")`;
  throw new InvalidContentError(
    mediaType === ""
      ? `Unrecognized manifest format${declared}`
      : `Unsupported manifest type "${mediaType}"${declared}`,
  );
}

/**
 * The digest of a manifest as skopeo computes it (containers/image
 * `manifest.Digest`, printed by `skopeo manifest-digest`): the SHA-256 of
 * the bytes, except for a signed schema1 manifest (recognized from its
 * content, whatever its declared type), whose JWS signatures are stripped
 * first. Bytes that are not a manifest at all are digested as they are.
 *
 * @example
 * ```ts
 * import { manifestDigest } from "./parse.ts";
 * const d = manifestDigest(new TextEncoder().encode("{}"));
 * console.assert(d === "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
 * ```
 *
 * @param manifest The manifest, as a blob or as bytes.
 * @returns Its digest.
 * @throws {InvalidContentError} When a signed schema1 manifest's JWS part is malformed.
 */
export function manifestDigest(manifest: ManifestBlob | Uint8Array): Digest {
  const bytes = manifest instanceof Uint8Array ? manifest : manifest.bytes;
  if (guessMediaType(bytes) === MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED) {
    return digestOf(schema1SignedPayload(bytes));
  }
  return digestOf(bytes);
}
