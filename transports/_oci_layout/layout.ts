/**
 * OCI image layout 1.0: `oci-layout`, `index.json`, `blobs/<alg>/<hex>`.
 * Shared by `oci:` (a directory) and `oci-archive:` (a tar of one).
 *
 * @module
 */
import { goJsonStringify } from "../../core/copy/go_json.ts";
import { digestAlgorithm, digestHex, parseDigest } from "../../core/digest.ts";
import { InvalidContentError } from "../../core/errors.ts";
import type { Descriptor, Digest, Platform } from "../../core/types.ts";
import { writeFileAtomicIfChanged } from "../_fs/atomic.ts";
import { goFsError } from "../_fs/go_error.ts";

/** The annotation naming an image in `index.json`. */
export const REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

/** Content of the `oci-layout` file. */
export const OCI_LAYOUT_CONTENT = '{"imageLayoutVersion": "1.0.0"}';

/**
 * `index.json` as a JSON object. Unknown fields are read but dropped when
 * the file is rewritten, as skopeo (Go structs) does.
 */
export interface OciIndexFile {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** Path of a blob in a layout (or in a shared blob directory). */
export function ociBlobPath(
  root: string,
  digest: Digest,
  sharedBlobDir?: string,
): string {
  const base = sharedBlobDir ?? `${root}/blobs`;
  return `${base}/${digestAlgorithm(digest)}/${digestHex(digest)}`;
}

/**
 * Reads and checks `index.json`.
 *
 * @throws {InvalidContentError} When it is not a valid index.
 */
export async function readIndexFile(root: string): Promise<OciIndexFile> {
  const path = `${root}/index.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw goFsError("open", path, error);
  }
  return parseIndexFile(text, path);
}

/**
 * Parses and checks the text of an `index.json`.
 *
 * @param text The file's content.
 * @param path Names the file in errors.
 * @returns The index.
 * @throws {InvalidContentError} When it is not a valid index.
 */
export function parseIndexFile(text: string, path: string): OciIndexFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidContentError(
      `Invalid ${path}: ${error instanceof Error ? error.message : error}`,
    );
  }
  const index = json as Partial<OciIndexFile> | null;
  if (
    typeof index !== "object" || index === null || Array.isArray(index) ||
    !Array.isArray(index.manifests)
  ) {
    throw new InvalidContentError(`Invalid ${path}: no "manifests" array`);
  }
  for (const d of index.manifests) {
    if (typeof d?.mediaType !== "string" || typeof d.size !== "number") {
      throw new InvalidContentError(
        `Invalid ${path}: a descriptor lacks mediaType or size`,
      );
    }
    parseDigest(String(d.digest));
  }
  return index as OciIndexFile;
}

/** Go marshals maps with their keys sorted. */
function sortedMap(
  map: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(map).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
  );
}

function goPlatform(p: Platform): Record<string, unknown> {
  const out: Record<string, unknown> = {
    architecture: p.architecture ?? "",
    os: p.os ?? "",
  };
  if (p["os.version"]) out["os.version"] = p["os.version"];
  if (p["os.features"]?.length) out["os.features"] = p["os.features"];
  if (p.variant) out.variant = p.variant;
  return out;
}

/** A descriptor as image-spec's Go struct marshals it (unknown fields dropped). */
function goDescriptor(d: Descriptor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (d.mediaType) out.mediaType = d.mediaType;
  out.digest = d.digest;
  out.size = d.size;
  if (d.urls?.length) out.urls = d.urls;
  if (d.annotations && Object.keys(d.annotations).length) {
    out.annotations = sortedMap(d.annotations);
  }
  const data = (d as { data?: unknown }).data;
  if (typeof data === "string" && data) out.data = data;
  if (d.platform) out.platform = goPlatform(d.platform);
  if (d.artifactType) out.artifactType = d.artifactType;
  return out;
}

/**
 * Writes `index.json` atomically (not at all when unchanged), byte for byte as skopeo does: Go field
 * order, sorted annotation keys, `<>&` escaped, unknown fields dropped.
 */
export async function writeIndexFile(
  root: string,
  index: OciIndexFile,
): Promise<void> {
  const ordered: Record<string, unknown> = {
    schemaVersion: index.schemaVersion,
  };
  if (index.mediaType) ordered.mediaType = index.mediaType;
  ordered.manifests = index.manifests.map(goDescriptor);
  if (index.annotations && Object.keys(index.annotations).length) {
    ordered.annotations = sortedMap(index.annotations);
  }
  await writeFileAtomicIfChanged(
    `${root}/index.json`,
    goJsonStringify(ordered),
  );
}

/**
 * Adds a descriptor as containers/image does: a new name takes the name
 * away from the entry that had it; an unnamed entry with the same digest is
 * replaced.
 */
export function addToIndex(index: OciIndexFile, entry: Descriptor): void {
  const name = entry.annotations?.[REF_NAME_ANNOTATION];
  if (name) {
    for (const existing of index.manifests) {
      if (existing.annotations?.[REF_NAME_ANNOTATION] === name) {
        const { [REF_NAME_ANNOTATION]: _, ...others } = existing.annotations;
        if (Object.keys(others).length) existing.annotations = others;
        else delete existing.annotations;
      }
    }
  }
  const same = index.manifests.findIndex((m) =>
    m.digest === entry.digest && !m.annotations?.[REF_NAME_ANNOTATION]
  );
  if (same >= 0) index.manifests[same] = entry;
  else index.manifests.push(entry);
}
