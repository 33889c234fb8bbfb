/**
 * Reads what describes one image from a source: the top-level manifest, the
 * instance chosen for a platform when it is a list, and the config blob, all
 * verified against their digests.
 *
 * @module
 */
import { verifyBytes } from "../digest.ts";
import { InvalidContentError } from "../errors.ts";
import {
  choosePlatformInstance,
  effectiveMediaType,
  type ParsedImageManifest,
  parseManifest,
} from "../manifest/mod.ts";
import type { ImageSource, SignalOptions } from "../transport.ts";
import type { Digest, ManifestBlob, Platform } from "../types.ts";

/** The largest config blob read into memory. */
export const MAX_CONFIG_SIZE: number = 4 << 20;

/** An image's manifests and config. */
export interface LoadedImage {
  /** The manifest the reference names (a list, or the image's own). */
  topLevel: ManifestBlob;
  /** The single-image manifest. */
  manifest: ManifestBlob;
  /** `manifest`, parsed. */
  parsed: ParsedImageManifest;
  /** The instance digest when chosen from a list. */
  instance: Digest | undefined;
}

/** Options of {@linkcode loadImage}. */
export interface LoadImageOptions extends SignalOptions {
  /** The platform to choose from a list (default: the running system). */
  platform?: Partial<Platform> | undefined;
}

/**
 * Reads the manifest and, for a list, the instance matching the platform.
 *
 * @throws {InvalidContentError} For malformed manifests or nested lists.
 */
export async function loadImage(
  source: ImageSource,
  options: LoadImageOptions = {},
): Promise<LoadedImage> {
  const raw = await source.getManifest({ signal: options.signal });
  const topLevel = { bytes: raw.bytes, mediaType: effectiveMediaType(raw) };
  const top = parseManifest(topLevel);
  if (top.kind === "image") {
    return { topLevel, manifest: topLevel, parsed: top, instance: undefined };
  }
  const chosen = choosePlatformInstance(top, options.platform ?? {});
  const blob = await source.getManifest({
    instance: chosen.digest,
    signal: options.signal,
  });
  verifyBytes(blob.bytes, chosen.digest, `manifest ${chosen.digest}`);
  const manifest = { bytes: blob.bytes, mediaType: effectiveMediaType(blob) };
  const parsed = parseManifest(manifest);
  if (parsed.kind !== "image") {
    throw new InvalidContentError(
      `Manifest list instance ${chosen.digest} is itself a list`,
    );
  }
  return { topLevel, manifest, parsed, instance: chosen.digest };
}

/**
 * Reads an image's config blob, verified, refusing absurd sizes.
 *
 * @returns The bytes, or `undefined` for Docker schema1 (no config blob).
 * @throws {InvalidContentError} When it is larger than {@linkcode MAX_CONFIG_SIZE}.
 */
export async function readConfigBlob(
  source: ImageSource,
  image: LoadedImage,
  options: SignalOptions = {},
): Promise<Uint8Array | undefined> {
  const config = image.parsed.config;
  if (!config) return undefined;
  if (config.size > MAX_CONFIG_SIZE) {
    throw new InvalidContentError(
      `Config blob ${config.digest} is ${config.size} bytes, over the ${MAX_CONFIG_SIZE}-byte limit`,
    );
  }
  const blob = await source.getBlob(config, { signal: options.signal });
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of blob.stream) {
    size += chunk.byteLength;
    if (size > MAX_CONFIG_SIZE) {
      throw new InvalidContentError(
        `Config blob ${config.digest} is over the ${MAX_CONFIG_SIZE}-byte limit`,
      );
    }
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  verifyBytes(bytes, config.digest, `config blob ${config.digest}`);
  return bytes;
}
