/**
 * Reads what a copy produced, so the bench only times copies that worked and
 * that match skopeo's: the manifest digest at the destination, and (once per
 * tool and scenario) a full check that every blob is there and hashes right.
 *
 * @module
 */
import { join } from "node:path";
import { Digester, digestOf } from "../core/digest.ts";
import { readFileStream } from "../core/fs_stream.ts";
import type { Digest } from "../core/types.ts";

/** Where a copy wrote its image. */
export type StoredImage =
  | { kind: "dir"; path: string }
  | { kind: "oci"; path: string; ref: string };

interface IndexFile {
  manifests?: {
    digest?: string;
    annotations?: Record<string, string>;
  }[];
}

/**
 * The digest of the manifest a copy stored, plus the number of index entries
 * for an OCI layout (a re-copy must replace its entry, not add one).
 *
 * @param image The destination.
 * @returns E.g. `sha256:… (1 index entry)`.
 */
export async function storedManifestDigest(
  image: StoredImage,
): Promise<string> {
  if (image.kind === "dir") {
    return digestOf(await Deno.readFile(join(image.path, "manifest.json")));
  }
  const index = JSON.parse(
    await Deno.readTextFile(join(image.path, "index.json")),
  ) as IndexFile;
  const entries = index.manifests ?? [];
  const named = entries.filter((m) =>
    m.annotations?.["org.opencontainers.image.ref.name"] === image.ref
  );
  if (named.length !== 1) {
    throw new Error(
      `${image.path}/index.json has ${named.length} entries for "${image.ref}"`,
    );
  }
  const n = entries.length;
  return `${named[0]!.digest} (${n} index entr${n === 1 ? "y" : "ies"})`;
}

/**
 * Checks that the stored manifest and every blob it lists exist with the
 * right size and digest.
 *
 * @param image The destination.
 * @throws {Error} Naming the first missing or wrong file.
 */
export async function verifyStoredImage(image: StoredImage): Promise<void> {
  const blobPath = (digest: string): string =>
    image.kind === "dir"
      ? join(image.path, digest.slice(digest.indexOf(":") + 1))
      : join(image.path, "blobs", digest.replace(":", "/"));
  let manifestBytes: Uint8Array;
  if (image.kind === "dir") {
    manifestBytes = await Deno.readFile(join(image.path, "manifest.json"));
  } else {
    const digest = (await storedManifestDigest(image)).split(" ")[0]!;
    manifestBytes = await Deno.readFile(blobPath(digest));
    if (digestOf(manifestBytes) !== digest) {
      throw new Error(`${image.path}: manifest blob does not match ${digest}`);
    }
  }
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as {
    config: { digest: string; size: number };
    layers: { digest: string; size: number }[];
  };
  for (const blob of [manifest.config, ...manifest.layers]) {
    const path = blobPath(blob.digest);
    const digester = new Digester();
    for await (const chunk of readFileStream(await Deno.open(path))) {
      digester.update(chunk);
    }
    const actual = digester.digest();
    if (digester.size !== blob.size || actual !== blob.digest) {
      throw new Error(
        `${path}: expected ${blob.digest} (${blob.size} bytes), got ${actual} (${digester.size} bytes)`,
      );
    }
  }
}

/** Digest of text, to compare long outputs compactly. */
export function textDigest(text: string): Digest {
  return digestOf(new TextEncoder().encode(text));
}
