/**
 * `ImageReference.getManifestDigest` for `dir:`: the digest of
 * `manifest.json`, or undefined when the directory holds no image.
 *
 * @module
 */
import { manifestDigest } from "../../core/manifest/mod.ts";
import type { Digest } from "../../core/types.ts";
import { manifestPath } from "./layout.ts";

/**
 * Hashes the directory's top-level manifest.
 *
 * @param dir The image directory.
 * @returns Its digest, or undefined when there is no manifest.
 */
export async function dirManifestDigest(
  dir: string,
): Promise<Digest | undefined> {
  try {
    return manifestDigest(await Deno.readFile(manifestPath(dir)));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}
