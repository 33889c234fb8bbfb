/**
 * File names of the directory format (containers/image `directory`).
 *
 * @module
 */
import { digestAlgorithm, digestHex } from "../../core/digest.ts";
import type { Digest } from "../../core/types.ts";

/** Content of the `version` file skopeo writes and accepts. */
export const DIR_VERSION = "Directory Transport Version: 1.1\n";

/** Versions whose directories we may read and overwrite. */
export const KNOWN_DIR_VERSIONS: readonly string[] = [
  "Directory Transport Version: 1.0\n",
  DIR_VERSION,
];

/** Path of a blob: the hex digest for sha256, `algo-hex` otherwise. */
export function blobPath(dir: string, digest: Digest): string {
  const algorithm = digestAlgorithm(digest);
  const hex = digestHex(digest);
  return `${dir}/${algorithm === "sha256" ? hex : `${algorithm}-${hex}`}`;
}

/** Path of the manifest: `manifest.json`, or `<hex>.manifest.json` for an instance. */
export function manifestPath(dir: string, instance?: Digest): string {
  return instance
    ? `${dir}/${digestHex(instance)}.manifest.json`
    : `${dir}/manifest.json`;
}

/** Path of signature `index` (0-based), stored 1-based as skopeo does. */
export function signaturePath(
  dir: string,
  index: number,
  instance?: Digest,
): string {
  const prefix = instance ? `${digestHex(instance)}.` : "";
  return `${dir}/${prefix}signature-${index + 1}`;
}

/** Whether a file name is one this format writes (so may be replaced). */
export function isFormatFile(name: string): boolean {
  return name === "manifest.json" || name === "version" ||
    /^([a-z0-9]+-)?[a-f0-9]{64,128}$/.test(name) ||
    /^[a-f0-9]{64,128}\.manifest\.json$/.test(name) ||
    /^([a-f0-9]{64,128}\.)?signature-[0-9]+$/.test(name);
}

/** Signature files begin with this byte when not simple-signing (newer format). */
const FORMAT_MARKER = 0;

/** Encodes a signature as skopeo stores it in `signature-N`. */
export function encodeSignature(
  format: string,
  bytes: Uint8Array,
): Uint8Array {
  if (format === "simple-signing") return bytes;
  const header = new TextEncoder().encode(`\0${format}\n`);
  const out = new Uint8Array(header.length + bytes.length);
  out.set(header);
  out.set(bytes, header.length);
  return out;
}

/** Decodes a `signature-N` file into its format and payload. */
export function decodeSignature(
  data: Uint8Array,
): { format: string; bytes: Uint8Array } {
  if (data[0] !== FORMAT_MARKER) {
    return { format: "simple-signing", bytes: data };
  }
  const newline = data.indexOf(0x0a);
  const format = new TextDecoder().decode(
    data.subarray(1, newline < 0 ? data.length : newline),
  );
  return {
    format,
    bytes: data.subarray(newline < 0 ? data.length : newline + 1),
  };
}
