/**
 * Converts image manifests between the Docker schema2 and OCI formats, which
 * differ only in media types. Serialised in Go's field order so the result is
 * byte-identical to what skopeo writes.
 *
 * @module
 */
import { InvalidContentError } from "../errors.ts";
import type { Descriptor, ManifestBlob } from "../types.ts";
import { goJsonStringify } from "./go_json.ts";

const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

const LAYER_TO_OCI: Readonly<Record<string, string>> = {
  "application/vnd.docker.image.rootfs.diff.tar.gzip":
    "application/vnd.oci.image.layer.v1.tar+gzip",
  "application/vnd.docker.image.rootfs.diff.tar.zstd":
    "application/vnd.oci.image.layer.v1.tar+zstd",
  "application/vnd.docker.image.rootfs.diff.tar":
    "application/vnd.oci.image.layer.v1.tar",
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip":
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
};
const LAYER_TO_DOCKER: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(LAYER_TO_OCI).map(([docker, oci]) => [oci, docker]),
);

/** Whether `from` can be converted to `to` by this module. */
export function canConvertManifest(from: string, to: string): boolean {
  return (from === DOCKER_V2 && to === OCI_MANIFEST) ||
    (from === OCI_MANIFEST && to === DOCKER_V2) ||
    (from === DOCKER_LIST && to === OCI_INDEX) ||
    (from === OCI_INDEX && to === DOCKER_LIST);
}

/**
 * A descriptor in Go's field order (OCI: mediaType, digest, size; Docker
 * schema2: mediaType, size, digest), without empty optional fields.
 */
function goDescriptor(
  d: Descriptor,
  mediaType: string,
  options: { oci: boolean; platform: boolean },
): Record<string, unknown> {
  const out: Record<string, unknown> = options.oci
    ? { mediaType, digest: d.digest, size: d.size }
    : { mediaType, size: d.size, digest: d.digest };
  if (d.urls?.length) out.urls = d.urls;
  if (d.annotations && Object.keys(d.annotations).length) {
    out.annotations = d.annotations;
  }
  if (options.platform && d.platform) {
    const p: Record<string, unknown> = {
      architecture: d.platform.architecture,
      os: d.platform.os,
    };
    if (d.platform["os.version"]) p["os.version"] = d.platform["os.version"];
    if (d.platform["os.features"]?.length) {
      p["os.features"] = d.platform["os.features"];
    }
    if (d.platform.variant) p.variant = d.platform.variant;
    out.platform = p;
  }
  return out;
}

function convertLayerType(mediaType: string, toOci: boolean): string {
  const table = toOci ? LAYER_TO_OCI : LAYER_TO_DOCKER;
  const converted = table[mediaType];
  if (converted) return converted;
  throw new InvalidContentError(
    `Cannot convert layer media type ${mediaType} to ${
      toOci ? "OCI" : "Docker schema2"
    }`,
  );
}

/**
 * Converts a manifest or list between Docker schema2 and OCI.
 *
 * @param manifest The raw source manifest.
 * @param targetType The wanted media type.
 * @returns The converted manifest.
 * @throws {InvalidContentError} When the content cannot be expressed in the target type.
 */
export function convertManifest(
  manifest: ManifestBlob,
  targetType: string,
): ManifestBlob {
  if (!canConvertManifest(manifest.mediaType, targetType)) {
    throw new InvalidContentError(
      `Converting manifests from ${manifest.mediaType} to ${targetType} is not supported`,
    );
  }
  const toOci = targetType === OCI_MANIFEST || targetType === OCI_INDEX;
  const json = JSON.parse(new TextDecoder().decode(manifest.bytes)) as {
    config?: Descriptor;
    layers?: Descriptor[];
    manifests?: Descriptor[];
    annotations?: Record<string, string>;
  };
  let out: Record<string, unknown>;
  if (json.manifests) {
    const manifests = json.manifests.map((d) =>
      goDescriptor(
        d,
        d.mediaType === DOCKER_V2 && toOci
          ? OCI_MANIFEST
          : d.mediaType === OCI_MANIFEST && !toOci
          ? DOCKER_V2
          : d.mediaType,
        { oci: toOci, platform: true },
      )
    );
    out = { schemaVersion: 2, mediaType: targetType, manifests };
  } else {
    if (!json.config || !json.layers) {
      throw new InvalidContentError("Manifest has no config or layers");
    }
    if (!toOci && json.config.mediaType !== OCI_CONFIG) {
      throw new InvalidContentError(
        `Cannot convert an image with config type ${json.config.mediaType} to Docker schema2`,
      );
    }
    out = {
      schemaVersion: 2,
      mediaType: targetType,
      config: goDescriptor(
        json.config,
        toOci ? OCI_CONFIG : DOCKER_CONFIG,
        { oci: toOci, platform: false },
      ),
      layers: json.layers.map((l) =>
        goDescriptor(l, convertLayerType(l.mediaType, toOci), {
          oci: toOci,
          platform: false,
        })
      ),
    };
  }
  if (toOci && json.annotations && Object.keys(json.annotations).length) {
    out.annotations = json.annotations;
  }
  return {
    bytes: new TextEncoder().encode(goJsonStringify(out)),
    mediaType: targetType,
  };
}
