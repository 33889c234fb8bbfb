/**
 * MIME types of manifests, configs and layers, as containers/image names
 * them, and helpers to compare them.
 *
 * @module
 */

/** OCI image manifest. */
export const MEDIA_TYPE_OCI_MANIFEST =
  "application/vnd.oci.image.manifest.v1+json";
/** OCI image index (multi-platform list). */
export const MEDIA_TYPE_OCI_INDEX = "application/vnd.oci.image.index.v1+json";
/** OCI image config. */
export const MEDIA_TYPE_OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
/** OCI empty descriptor content (`{}`), used by artifacts. */
export const MEDIA_TYPE_OCI_EMPTY = "application/vnd.oci.empty.v1+json";
/** OCI layer, uncompressed tar. */
export const MEDIA_TYPE_OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
/** OCI layer, gzip-compressed tar. */
export const MEDIA_TYPE_OCI_LAYER_GZIP =
  "application/vnd.oci.image.layer.v1.tar+gzip";
/** OCI layer, zstd-compressed tar. */
export const MEDIA_TYPE_OCI_LAYER_ZSTD =
  "application/vnd.oci.image.layer.v1.tar+zstd";
/** OCI non-distributable layer, uncompressed tar (deprecated by OCI, still read). */
export const MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE =
  "application/vnd.oci.image.layer.nondistributable.v1.tar";
/** OCI non-distributable layer, gzip-compressed tar. */
export const MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_GZIP =
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
/** OCI non-distributable layer, zstd-compressed tar. */
export const MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_ZSTD =
  "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

/** Docker schema2 image manifest. */
export const MEDIA_TYPE_DOCKER_SCHEMA2 =
  "application/vnd.docker.distribution.manifest.v2+json";
/** Docker schema2 manifest list (multi-platform list). */
export const MEDIA_TYPE_DOCKER_MANIFEST_LIST =
  "application/vnd.docker.distribution.manifest.list.v2+json";
/** Docker schema1 manifest, unsigned. */
export const MEDIA_TYPE_DOCKER_SCHEMA1 =
  "application/vnd.docker.distribution.manifest.v1+json";
/** Docker schema1 manifest carrying a JWS signature. */
export const MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED =
  "application/vnd.docker.distribution.manifest.v1+prettyjws";
/** Docker schema2 image config. */
export const MEDIA_TYPE_DOCKER_CONFIG =
  "application/vnd.docker.container.image.v1+json";
/** Docker layer, uncompressed tar. */
export const MEDIA_TYPE_DOCKER_LAYER =
  "application/vnd.docker.image.rootfs.diff.tar";
/** Docker layer, gzip-compressed tar. */
export const MEDIA_TYPE_DOCKER_LAYER_GZIP =
  "application/vnd.docker.image.rootfs.diff.tar.gzip";
/** Docker layer, zstd-compressed tar. */
export const MEDIA_TYPE_DOCKER_LAYER_ZSTD =
  "application/vnd.docker.image.rootfs.diff.tar.zst";
/** Docker foreign layer (fetched from its `urls`), uncompressed tar. */
export const MEDIA_TYPE_DOCKER_FOREIGN_LAYER =
  "application/vnd.docker.image.rootfs.foreign.diff.tar";
/** Docker foreign layer, gzip-compressed tar. */
export const MEDIA_TYPE_DOCKER_FOREIGN_LAYER_GZIP =
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

/**
 * Every manifest type, in the order containers/image puts them in a
 * registry `Accept` header (`DefaultRequestedManifestMIMETypes`).
 */
export const ALL_MANIFEST_MEDIA_TYPES: readonly string[] = Object.freeze([
  MEDIA_TYPE_OCI_MANIFEST,
  MEDIA_TYPE_DOCKER_SCHEMA2,
  MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
  MEDIA_TYPE_DOCKER_SCHEMA1,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  MEDIA_TYPE_OCI_INDEX,
]);

/**
 * Layer types a Docker schema2 manifest may carry (containers/image
 * `SupportedSchema2MediaType`, restricted to layers).
 */
export const DOCKER_SCHEMA2_LAYER_MEDIA_TYPES: readonly string[] = Object
  .freeze([
    MEDIA_TYPE_DOCKER_LAYER_GZIP,
    MEDIA_TYPE_DOCKER_LAYER,
    MEDIA_TYPE_DOCKER_FOREIGN_LAYER,
    MEDIA_TYPE_DOCKER_FOREIGN_LAYER_GZIP,
  ]);

/**
 * Reduces a MIME type to its comparable form: parameters (`; charset=…`)
 * dropped, surrounding space trimmed, lowercased.
 *
 * @example Normalize a Content-Type header
 * ```ts
 * import { normalizeMediaType } from "./media_types.ts";
 * console.assert(
 *   normalizeMediaType("Application/VND.oci.image.manifest.v1+json; charset=utf-8") ===
 *     "application/vnd.oci.image.manifest.v1+json",
 * );
 * ```
 *
 * @param mediaType The MIME type, possibly with parameters.
 * @returns The bare, lowercase type; `""` for empty input.
 */
export function normalizeMediaType(mediaType: string): string {
  const semicolon = mediaType.indexOf(";");
  const bare = semicolon === -1 ? mediaType : mediaType.slice(0, semicolon);
  return bare.trim().toLowerCase();
}

/**
 * Whether a (normalized) MIME type is a multi-platform list: an OCI index or
 * a Docker manifest list.
 *
 * @example
 * ```ts
 * import { isManifestListMediaType, MEDIA_TYPE_OCI_INDEX } from "./media_types.ts";
 * console.assert(isManifestListMediaType(MEDIA_TYPE_OCI_INDEX));
 * ```
 *
 * @param mediaType A manifest MIME type.
 * @returns True for list types.
 */
export function isManifestListMediaType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPE_OCI_INDEX ||
    mediaType === MEDIA_TYPE_DOCKER_MANIFEST_LIST;
}

/**
 * Whether a (normalized) MIME type is one of the six manifest types this
 * engine parses.
 *
 * @example
 * ```ts
 * import { isManifestMediaType } from "./media_types.ts";
 * console.assert(!isManifestMediaType("application/json"));
 * ```
 *
 * @param mediaType A MIME type.
 * @returns True for the types in {@linkcode ALL_MANIFEST_MEDIA_TYPES}.
 */
export function isManifestMediaType(mediaType: string): boolean {
  return ALL_MANIFEST_MEDIA_TYPES.includes(mediaType);
}
