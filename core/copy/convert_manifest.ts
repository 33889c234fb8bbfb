/**
 * Converts image manifests between the Docker schema2 and OCI formats as
 * containers/image (skopeo 1.9.3) does: media types change, fields the
 * target format lacks (annotations, Docker `features`) are dropped, and
 * Docker schema2 → OCI re-encodes the config as an OCI image config.
 * Serialised in Go's field order so the bytes equal skopeo's.
 *
 * @module
 */
import { InvalidContentError } from "../errors.ts";
import { digestOf } from "../digest.ts";
import { toOciConfig } from "../image/oci_config_json.ts";
import { systemPlatform } from "../manifest/platform.ts";
import type { Descriptor, ManifestBlob, Platform } from "../types.ts";
import { goJsonStringify } from "./go_json.ts";
import { canConvertManifest } from "./convertible.ts";

const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
const OCI_FOREIGN_ZSTD =
  "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

/** Docker schema2 layer type → OCI layer type (containers/image's table). */
const LAYER_TO_OCI: Readonly<Record<string, string>> = {
  "application/vnd.docker.image.rootfs.diff.tar.gzip":
    "application/vnd.oci.image.layer.v1.tar+gzip",
  "application/vnd.docker.image.rootfs.diff.tar":
    "application/vnd.oci.image.layer.v1.tar",
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip":
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  "application/vnd.docker.image.rootfs.foreign.diff.tar":
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
};
const LAYER_TO_DOCKER: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(LAYER_TO_OCI).map(([docker, oci]) => [oci, docker]),
);

/** Options of {@linkcode convertManifest}. */
export interface ConvertManifestOptions {
  /**
   * The source image's raw config blob. Docker schema2 → OCI re-encodes it
   * as an OCI image config (Docker-only fields dropped, Go field order),
   * which changes its digest unless it already was in that form. Without
   * it the config descriptor is kept, which is only right in that case.
   */
  config?: Uint8Array | undefined;
}

/** A converted manifest, with the config blob it needs when that changed. */
export interface ConvertedManifest extends ManifestBlob {
  /**
   * The config blob the manifest references, present when the conversion
   * re-encoded it (Docker schema2 → OCI with `options.config`): the caller
   * writes it to the destination instead of the source's config.
   */
  readonly config?: Uint8Array;
}

/**
 * A descriptor in Go's field order (OCI: mediaType, digest, size; Docker
 * schema2: mediaType, size, digest) with the URLs; annotations are dropped
 * because one side of every conversion is Docker, which has none.
 */
function goDescriptor(
  d: Descriptor,
  mediaType: string,
  oci: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = oci
    ? { mediaType, digest: d.digest, size: d.size }
    : { mediaType, size: d.size, digest: d.digest };
  if (d.urls?.length) out.urls = d.urls;
  return out;
}

/**
 * A list entry's platform. Docker lists always carry one, so an OCI entry
 * without one gets this machine's OS and architecture (as Go's runtime
 * values in containers/image); Docker-only `features` are dropped.
 */
function goPlatform(
  platform: Platform | undefined,
  toOci: boolean,
): Record<string, unknown> {
  let p: Partial<Platform> = platform ?? {};
  if (!platform && !toOci) {
    const { architecture, os } = systemPlatform();
    p = { architecture, os };
  }
  const out: Record<string, unknown> = {
    architecture: p.architecture ?? "",
    os: p.os ?? "",
  };
  // OCI's Platform and Docker's Schema2PlatformSpec share this order.
  if (p["os.version"]) out["os.version"] = p["os.version"];
  if (p["os.features"]?.length) out["os.features"] = p["os.features"];
  if (p.variant) out.variant = p.variant;
  return out;
}

function convertLayerType(mediaType: string, toOci: boolean): string {
  const converted = (toOci ? LAYER_TO_OCI : LAYER_TO_DOCKER)[mediaType];
  if (converted) return converted;
  if (
    !toOci && (mediaType === OCI_LAYER_ZSTD || mediaType === OCI_FOREIGN_ZSTD)
  ) {
    throw new InvalidContentError(
      `Error during manifest conversion: "${mediaType}": zstd compression is not supported for docker images`,
    );
  }
  throw new InvalidContentError(
    `Unknown media type during manifest conversion: "${mediaType}"`,
  );
}

/**
 * Converts a manifest or list between Docker schema2 and OCI. List entries
 * keep their digests: the caller replaces them with the converted
 * instances' digests.
 *
 * @example Docker schema2 to OCI
 * ```ts
 * import { convertManifest } from "./convert_manifest.ts";
 * const docker = {
 *   mediaType: "application/vnd.docker.distribution.manifest.v2+json",
 *   bytes: new TextEncoder().encode(JSON.stringify({
 *     schemaVersion: 2,
 *     mediaType: "application/vnd.docker.distribution.manifest.v2+json",
 *     config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 2, digest: "sha256:" + "4".repeat(64) },
 *     layers: [],
 *   })),
 * };
 * const oci = convertManifest(docker, "application/vnd.oci.image.manifest.v1+json", {
 *   config: new TextEncoder().encode("{}"),
 * });
 * console.assert(oci.config !== undefined);
 * ```
 *
 * @param manifest The raw source manifest.
 * @param targetType The wanted media type.
 * @param options The source config, needed for Docker schema2 → OCI.
 * @returns The converted manifest (and config, when re-encoded).
 * @throws {InvalidContentError} When the content cannot be expressed in the target type.
 */
export function convertManifest(
  manifest: ManifestBlob,
  targetType: string,
  options: ConvertManifestOptions = {},
): ConvertedManifest {
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
  };
  const encode = (value: unknown) =>
    new TextEncoder().encode(goJsonStringify(value));

  if (json.manifests) {
    const manifests = json.manifests.map((d) => ({
      ...goDescriptor(
        d,
        d.mediaType === DOCKER_V2 && toOci
          ? OCI_MANIFEST
          : d.mediaType === OCI_MANIFEST && !toOci
          ? DOCKER_V2
          : d.mediaType,
        toOci,
      ),
      platform: goPlatform(d.platform, toOci),
    }));
    return {
      bytes: encode({ schemaVersion: 2, mediaType: targetType, manifests }),
      mediaType: targetType,
    };
  }

  if (!json.config || !json.layers) {
    throw new InvalidContentError("Manifest has no config or layers");
  }
  if (!toOci && json.config.mediaType !== OCI_CONFIG) {
    throw new InvalidContentError(
      `unsupported image-specific operation on artifact with type "${json.config.mediaType}"`,
    );
  }
  const layers = json.layers.map((l) =>
    goDescriptor(l, convertLayerType(l.mediaType, toOci), toOci)
  );
  if (!toOci) {
    return {
      bytes: encode({
        schemaVersion: 2,
        mediaType: targetType,
        config: goDescriptor(json.config, DOCKER_CONFIG, false),
        layers,
      }),
      mediaType: targetType,
    };
  }
  let config = goDescriptor(json.config, OCI_CONFIG, true);
  let configBytes: Uint8Array | undefined;
  if (options.config) {
    // containers/image unmarshals the config into the OCI Image struct and
    // marshals it again; the new blob is what the OCI manifest references.
    configBytes = encode(toOciConfig(options.config));
    config = {
      mediaType: OCI_CONFIG,
      digest: digestOf(configBytes),
      size: configBytes.length,
    };
  }
  const bytes = encode({
    schemaVersion: 2,
    mediaType: targetType,
    config,
    layers,
  });
  return configBytes
    ? { bytes, mediaType: targetType, config: configBytes }
    : { bytes, mediaType: targetType };
}
