/**
 * The manifest layer: MIME types, format detection, parsing of OCI, Docker
 * schema2 and Docker schema1 manifests and lists, the manifest digest as
 * skopeo computes it, image-config summaries and platform choice.
 *
 * @example Parse a manifest and pick the instance for linux/arm64
 * ```ts
 * import { choosePlatformInstance, parseManifest } from "./mod.ts";
 * const d = (c: string) => `sha256:${c.repeat(64)}`;
 * const bytes = new TextEncoder().encode(JSON.stringify({
 *   schemaVersion: 2,
 *   mediaType: "application/vnd.oci.image.index.v1+json",
 *   manifests: [
 *     { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d("a"), size: 1,
 *       platform: { architecture: "amd64", os: "linux" } },
 *     { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d("b"), size: 1,
 *       platform: { architecture: "arm64", os: "linux", variant: "v8" } },
 *   ],
 * }));
 * const list = parseManifest({ bytes, mediaType: "application/vnd.oci.image.index.v1+json" });
 * if (list.kind === "list") {
 *   console.assert(choosePlatformInstance(list, { architecture: "arm64", os: "linux" }).digest === d("b"));
 * }
 * ```
 *
 * @module
 */
export * from "./media_types.ts";
export { guessMediaType } from "./guess.ts";
export { effectiveMediaType, manifestDigest, parseManifest } from "./parse.ts";
export type {
  ParsedImageManifest,
  ParsedManifest,
  ParsedManifestList,
} from "./parsed_manifest.ts";
export {
  type OciDescriptorJson,
  type OciIndexJson,
  type OciManifestJson,
  parseOciIndex,
  parseOciManifest,
} from "./oci.ts";
export {
  type DockerDescriptorJson,
  type DockerManifestListJson,
  type DockerPlatformJson,
  type DockerSchema2Json,
  parseDockerManifestList,
  parseDockerSchema2,
} from "./docker_v2.ts";
export {
  type DockerSchema1Json,
  parseDockerSchema1,
  type Schema1Details,
  type Schema1SignatureJson,
  schema1SignedPayload,
  type Schema1V1Compatibility,
} from "./docker_schema1.ts";
export { type ImageConfigSummary, parseImageConfig } from "./config.ts";
export { GO_ZERO_TIME, normalizeGoTime } from "./_go_time.ts";
export {
  choosePlatformInstance,
  NoMatchingPlatformError,
  type PlatformChoiceOptions,
  systemPlatform,
  wantedPlatforms,
} from "./platform.ts";
