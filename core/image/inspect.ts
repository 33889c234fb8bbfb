/**
 * The `skopeo inspect` summary of an image, built from its manifest and
 * config exactly as skopeo 1.9.3 prints it.
 *
 * @module
 */
import { verifyBytes } from "../digest.ts";
import { InvalidContentError } from "../errors.ts";
import type { Digest, ManifestBlob } from "../types.ts";
import {
  GO_ZERO_TIME,
  type ImageConfigSummary,
  manifestDigest,
  MEDIA_TYPE_DOCKER_SCHEMA2,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_MANIFEST,
  parseImageConfig,
  parseManifest,
} from "../manifest/mod.ts";

/**
 * What `skopeo inspect` prints, field for field and in skopeo 1.9.3's order
 * (its `inspect.Output`; 1.9.3 has no `Variant`, `LayersData` or `Author`).
 */
export interface InspectInfo {
  /** Docker repository name without tag (docker:// only); omitted when empty. */
  Name?: string;
  /** The tag recorded in a schema1 manifest; omitted when empty. */
  Tag?: string;
  /** Digest of the manifest the reference names (a list's, for a list). */
  Digest: Digest;
  /** Tags of the repository (docker:// only); `[]` elsewhere. */
  RepoTags: string[];
  /** Creation time as Go prints it; null when an OCI config has none. */
  Created: string | null;
  /** `docker_version` of the config; `""` when absent. */
  DockerVersion: string;
  /** Config labels; null when the config has none. */
  Labels: Record<string, string> | null;
  /** Architecture of the config. */
  Architecture: string;
  /** OS of the config. */
  Os: string;
  /** Layer digests, base first. */
  Layers: string[];
  /** Config environment; null when the config has none. */
  Env: string[] | null;
}

/** Input of {@linkcode buildInspectInfo}. */
export interface BuildInspectInfoInput {
  /** The Docker reference name without tag (docker:// only). */
  name?: string;
  /** The single-image manifest to describe (for a list: the chosen instance). */
  manifest: ManifestBlob;
  /**
   * The manifest the reference names, when `manifest` was chosen from it;
   * `Digest` is computed from it, as skopeo does.
   */
  topLevelManifest?: ManifestBlob;
  /** The config blob (not needed for schema1); checked against the manifest's digest. */
  configBytes?: Uint8Array;
  /** Repository tags (docker:// only). */
  repoTags: string[];
}

function readConfig(
  configBytes: Uint8Array | undefined,
  descriptor: { digest: Digest; mediaType: string },
): ImageConfigSummary {
  if (configBytes === undefined) {
    throw new InvalidContentError(
      `Cannot inspect the image without its config blob ${descriptor.digest}`,
    );
  }
  verifyBytes(
    configBytes,
    descriptor.digest,
    `config blob ${descriptor.digest}`,
  );
  return parseImageConfig(configBytes);
}

/**
 * Builds the `skopeo inspect` object of an image.
 *
 * Per format, as containers/image 5.23 reads them: OCI takes everything
 * from the config (`Created` null when absent) and refuses artifacts whose
 * config is not an OCI image config; Docker schema2 likewise, with Go's
 * zero time for a missing `created`; schema1 reads the first
 * v1Compatibility history entry and reports the manifest's tag.
 *
 * @example Inspect a schema1 image (no config blob needed)
 * ```ts
 * import { buildInspectInfo } from "./inspect.ts";
 * const id = "a".repeat(64);
 * const bytes = new TextEncoder().encode(JSON.stringify({
 *   schemaVersion: 1, name: "x", tag: "1", architecture: "amd64",
 *   fsLayers: [{ blobSum: "sha256:" + "b".repeat(64) }],
 *   history: [{ v1Compatibility: JSON.stringify({ id, os: "linux" }) }],
 * }));
 * const info = buildInspectInfo({
 *   manifest: { bytes, mediaType: "application/vnd.docker.distribution.manifest.v1+json" },
 *   repoTags: [],
 * });
 * console.assert(info.Tag === "1" && info.Os === "linux");
 * ```
 *
 * @param input The manifest, config and naming details.
 * @returns The object skopeo prints.
 * @throws {InvalidContentError} For a list, an artifact, a malformed manifest or config, or a missing config.
 * @throws {DigestMismatchError} When the config bytes do not match the manifest.
 */
export function buildInspectInfo(input: BuildInspectInfoInput): InspectInfo {
  const parsed = parseManifest(input.manifest);
  if (parsed.kind === "list") {
    throw new InvalidContentError(
      `Cannot inspect a manifest list (${parsed.mediaType}) directly; choose an instance first`,
    );
  }
  let config: ImageConfigSummary;
  let created: string | null;
  if (parsed.schema1 !== undefined) {
    const first = parsed.schema1.history[0]!;
    config = parseImageConfig(new TextEncoder().encode(first.json), {
      what: "schema1 history entry 0",
    });
    created = config.created ?? GO_ZERO_TIME;
  } else {
    const descriptor = parsed.config!;
    if (
      parsed.mediaType === MEDIA_TYPE_OCI_MANIFEST &&
      descriptor.mediaType !== MEDIA_TYPE_OCI_CONFIG
    ) {
      // skopeo's words (containers/image NonImageArtifactError).
      throw new InvalidContentError(
        `unsupported image-specific operation on artifact with type "${descriptor.mediaType}"`,
      );
    }
    config = readConfig(input.configBytes, descriptor);
    created = config.created ??
      (parsed.mediaType === MEDIA_TYPE_DOCKER_SCHEMA2 ? GO_ZERO_TIME : null);
  }
  const info: InspectInfo = {
    Digest: manifestDigest(input.topLevelManifest ?? input.manifest),
    RepoTags: [...input.repoTags],
    Created: created,
    DockerVersion: config.dockerVersion,
    Labels: config.labels ?? null,
    Architecture: config.architecture,
    Os: config.os,
    Layers: parsed.layers.map((layer) => layer.digest),
    Env: config.env ?? null,
  };
  const tag = parsed.schema1?.tag ?? "";
  // Keep skopeo's key order: Name, Tag, then the rest.
  return {
    ...(input.name ? { Name: input.name } : {}),
    ...(tag ? { Tag: tag } : {}),
    ...info,
  };
}

/** Go `encoding/json` string escaping (HTML-safe, as `json.Marshal` does by default; Go 1.19 rules). */
function goJsonString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (
      code < 0x20 || char === "<" || char === ">" || char === "&" ||
      code === 0x2028 || code === 0x2029
    ) {
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += "\\ufffd"; // a lone surrogate is invalid UTF-8 to Go
    } else out += char;
  }
  return out + '"';
}

/** Go sorts map keys by their UTF-8 bytes, i.e. by code point. */
function compareCodePoints(a: string, b: string): number {
  const left = [...a], right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const diff = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!;
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}

/** Go `json.MarshalIndent(value, "", "    ")` for the shapes an InspectInfo holds. */
function marshalIndent(value: unknown, indent: string): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return goJsonString(value);
  if (typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  const inner = indent + "    ";
  if (value instanceof Map) {
    if (value.size === 0) return "{}";
    const lines = [...value].map(([key, item]) =>
      `${inner}${goJsonString(String(key))}: ${marshalIndent(item, inner)}`
    );
    return `{\n${lines.join(",\n")}\n${indent}}`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${
      value.map((item) => inner + marshalIndent(item, inner)).join(",\n")
    }\n${indent}]`;
  }
  return marshalIndent(
    new Map(Object.entries(value as Record<string, unknown>)),
    indent,
  );
}

/**
 * Formats an {@linkcode InspectInfo} byte for byte as skopeo prints it: Go's
 * `json.MarshalIndent` with four spaces (HTML characters escaped, label keys
 * sorted) and a final newline.
 *
 * @example
 * ```ts
 * import { formatInspectJson } from "./inspect.ts";
 * const text = formatInspectJson({
 *   Digest: ("sha256:" + "a".repeat(64)) as never, RepoTags: [], Created: null,
 *   DockerVersion: "", Labels: { b: "<2>", a: "1" }, Architecture: "amd64", Os: "linux",
 *   Layers: [], Env: null,
 * });
 * console.assert(text.includes('"a": "1",\n        "b": "\\u003c2\\u003e"'));
 * ```
 *
 * @param info The inspect object.
 * @returns The text skopeo writes to stdout, ending in a newline.
 */
export function formatInspectJson(info: InspectInfo): string {
  // Maps keep insertion order for every key (objects put integer-like keys first).
  const labels = info.Labels === null ? null : new Map(
    Object.entries(info.Labels).sort(([a], [b]) => compareCodePoints(a, b)),
  );
  const ordered = new Map<string, unknown>();
  if (info.Name) ordered.set("Name", info.Name);
  if (info.Tag) ordered.set("Tag", info.Tag);
  ordered.set("Digest", info.Digest)
    .set("RepoTags", info.RepoTags)
    .set("Created", info.Created)
    .set("DockerVersion", info.DockerVersion)
    .set("Labels", labels)
    .set("Architecture", info.Architecture)
    .set("Os", info.Os)
    .set("Layers", info.Layers)
    .set("Env", info.Env);
  return marshalIndent(ordered, "") + "\n";
}
