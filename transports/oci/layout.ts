/**
 * OCI image layout 1.0 on disk: `oci-layout`, `index.json`, `blobs/<alg>/<hex>`.
 *
 * @module
 */
import { digestAlgorithm, digestHex, parseDigest } from "../../core/digest.ts";
import { InvalidContentError } from "../../core/errors.ts";
import type { Descriptor, Digest } from "../../core/types.ts";
import { writeFileAtomic } from "../_fs/atomic.ts";
import { goFsError } from "../_fs/go_error.ts";

/** The annotation naming an image in `index.json`. */
export const REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

/** Content of the `oci-layout` file. */
export const OCI_LAYOUT_CONTENT = '{"imageLayoutVersion": "1.0.0"}';

/** `index.json` as a JSON object; unknown fields are kept when rewritten. */
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

/** Writes `index.json` atomically, in the field order skopeo uses. */
export async function writeIndexFile(
  root: string,
  index: OciIndexFile,
): Promise<void> {
  const { schemaVersion, mediaType, manifests, annotations, ...rest } = index;
  const ordered: Record<string, unknown> = { schemaVersion };
  if (mediaType) ordered.mediaType = mediaType;
  ordered.manifests = manifests;
  if (annotations && Object.keys(annotations).length) {
    ordered.annotations = annotations;
  }
  Object.assign(ordered, rest);
  await writeFileAtomic(`${root}/index.json`, JSON.stringify(ordered));
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
