/**
 * Decides what happens to a layer's compression on the way to the
 * destination (containers/image `copy/compression.go` rules). Pure, so it is
 * table-tested.
 *
 * @module
 */

/** What the destination wants, after the user's flags. */
export type DesiredCompression = "preserve" | "compress" | "decompress";

/** The decision for one layer. */
export type CompressionStep =
  | { op: "preserve" }
  | { op: "compress"; algorithm: string }
  | { op: "decompress" }
  | { op: "recompress"; algorithm: string };

/** Inputs of {@linkcode decideCompressionStep}. */
export interface CompressionInputs {
  /** The layer's current algorithm (`gzip`, `zstd`…), undefined when not compressed. */
  detected: string | undefined;
  /** What the destination wants. */
  desired: DesiredCompression;
  /** `--dest-compress-format`, when given. */
  requestedFormat?: string | undefined;
  /** False when the manifest must not change (`--preserve-digests`, signed images). */
  canModify: boolean;
}

/**
 * Chooses the step: compress uncompressed layers when the destination wants
 * compression; recompress when an explicit format differs; decompress when
 * it wants uncompressed layers; otherwise keep the bytes.
 */
export function decideCompressionStep(
  inputs: CompressionInputs,
): CompressionStep {
  const { detected, desired, requestedFormat, canModify } = inputs;
  if (!canModify) return { op: "preserve" };
  if (desired === "compress") {
    if (detected === undefined) {
      return { op: "compress", algorithm: requestedFormat ?? "gzip" };
    }
    if (requestedFormat !== undefined && requestedFormat !== detected) {
      return { op: "recompress", algorithm: requestedFormat };
    }
    return { op: "preserve" };
  }
  if (desired === "decompress" && detected !== undefined) {
    return { op: "decompress" };
  }
  return { op: "preserve" };
}

const ALGORITHM_BY_SUFFIX: Readonly<Record<string, string>> = {
  "gzip": "gzip",
  "zstd": "zstd",
};

/**
 * The compression a layer media type declares: `gzip`/`zstd`, undefined for
 * plain tar, `unknown` for types that say nothing (the bytes decide).
 */
export function compressionOfMediaType(
  mediaType: string,
): string | undefined | "unknown" {
  if (mediaType.endsWith(".tar") || mediaType.endsWith(".v1.tar")) {
    return undefined;
  }
  const plus = /\+(\w+)$/.exec(mediaType)?.[1];
  if (plus) return ALGORITHM_BY_SUFFIX[plus] ?? "unknown";
  if (mediaType.endsWith(".tar.gzip")) return "gzip";
  if (mediaType.endsWith(".tar.zstd")) return "zstd";
  return "unknown";
}

const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
const OCI_FOREIGN = "application/vnd.oci.image.layer.nondistributable.v1.tar";
const DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
const DOCKER_FOREIGN = "application/vnd.docker.image.rootfs.foreign.diff.tar";

/**
 * The media type of a layer after its compression changed.
 *
 * @param mediaType The layer's current media type.
 * @param algorithm The new algorithm; undefined for uncompressed.
 * @returns The new media type.
 * @throws {Error} For combinations the format cannot express (zstd in Docker schema2).
 */
export function layerMediaTypeFor(
  mediaType: string,
  algorithm: string | undefined,
): string {
  const docker = mediaType.startsWith("application/vnd.docker.");
  const foreign = mediaType.includes("foreign") ||
    mediaType.includes("nondistributable");
  if (docker) {
    const base = foreign ? DOCKER_FOREIGN : DOCKER_LAYER;
    if (algorithm === undefined) return base;
    if (algorithm === "gzip") return `${base}.gzip`;
    throw new Error(
      `${algorithm} compression is not supported for docker images; use --format oci`,
    );
  }
  const base = foreign ? OCI_FOREIGN : OCI_LAYER;
  return algorithm === undefined ? base : `${base}+${algorithm}`;
}
