/**
 * Lookaside signature storage (docs/signature-protocols.md of
 * containers/image): signature N of a manifest lives at
 * `<base>/<repository>@<algorithm>=<hex>/signature-N`, N from 1, read until
 * the first missing one. `file://` locations are read and written;
 * `http(s)://` ones are read only.
 *
 * @module
 */
import { digestAlgorithm, digestHex } from "../../core/digest.ts";
import {
  signatureFromBlob,
  signatureToBlob,
} from "../../core/signature/blob.ts";
import type { Digest, Signature } from "../../core/types.ts";
import { readLimited } from "./source.ts";

/** Largest signature read, as containers/image's `MaxSignatureBodySize`. */
export const MAX_SIGNATURE_SIZE = 4 * 1024 * 1024;

/** Signatures read before giving up (a bound against a malicious server). */
const MAX_SIGNATURES = 1000;

/**
 * The URL of signature `index` (from 0) of `digest` under `base`.
 *
 * @returns `<base>@<algorithm>=<hex>/signature-<index + 1>`.
 */
export function lookasideSignatureUrl(
  base: URL,
  digest: Digest,
  index: number,
): URL {
  const url = new URL(base.href);
  url.pathname = `${base.pathname}@${digestAlgorithm(digest)}=${
    digestHex(digest)
  }/signature-${index + 1}`;
  return url;
}

function redacted(url: URL): string {
  if (!url.password) return url.href;
  const copy = new URL(url.href);
  copy.password = "xxxxx";
  return copy.href;
}

async function readOne(
  url: URL,
  signal: AbortSignal | undefined,
): Promise<Uint8Array | undefined> {
  switch (url.protocol) {
    case "file:": {
      const path = decodeURIComponent(url.pathname);
      try {
        return await Deno.readFile(path, signal ? { signal } : {});
      } catch (error) {
        // Not readable under the Deno permissions given: nothing stored
        // there for this process (library users may sandbox it away).
        if (
          error instanceof Deno.errors.NotFound ||
          error instanceof Deno.errors.NotCapable
        ) return undefined;
        throw error;
      }
    }
    case "http:":
    case "https:": {
      const response = await fetch(url, signal ? { signal } : {});
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(
          `Error reading signature from ${
            redacted(url)
          }: status ${response.status} (${response.statusText})`,
        );
      }
      return await readLimited(
        response,
        MAX_SIGNATURE_SIZE,
        `Error reading signature from ${redacted(url)}`,
      );
    }
    default:
      throw new Error(
        `Unsupported scheme when reading signature from ${redacted(url)}`,
      );
  }
}

/**
 * Reads the signatures of `digest`, stopping at the first missing one.
 *
 * @throws {Error} On an unreadable location or a malformed signature.
 */
export async function readLookasideSignatures(
  base: URL,
  digest: Digest,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<Signature[]> {
  const signatures: Signature[] = [];
  for (let index = 0; index < MAX_SIGNATURES; index++) {
    const url = lookasideSignatureUrl(base, digest, index);
    const bytes = await readOne(url, options.signal);
    if (bytes === undefined) break;
    try {
      signatures.push(signatureFromBlob(bytes));
    } catch (error) {
      throw new Error(
        `parsing signature ${JSON.stringify(redacted(url))}: ${
          (error as Error).message
        }`,
      );
    }
  }
  return signatures;
}

/**
 * Writes `signatures` as signature-1…N of `digest` and deletes the ones
 * after them (up to the first missing), as containers/image does. Only
 * `file://` locations can be written.
 *
 * @throws {Error} For another scheme, with containers/image's message.
 */
export async function writeLookasideSignatures(
  base: URL,
  digest: Digest,
  signatures: readonly Signature[],
): Promise<void> {
  if (signatures.length === 0) return;
  if (base.protocol !== "file:") {
    const url = lookasideSignatureUrl(base, digest, 0);
    if (url.protocol === "http:" || url.protocol === "https:") {
      throw new Error(
        `Writing directly to a ${url.protocol.slice(0, -1)} lookaside ${
          redacted(url)
        } is not supported. Configure a lookaside-staging: location`,
      );
    }
    throw new Error(
      `Unsupported scheme when writing signature to ${redacted(url)}`,
    );
  }
  for (const [index, signature] of signatures.entries()) {
    const path = decodeURIComponent(
      lookasideSignatureUrl(base, digest, index).pathname,
    );
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), {
      recursive: true,
      mode: 0o755,
    });
    await Deno.writeFile(path, signatureToBlob(signature), { mode: 0o644 });
  }
  await deleteLookasideSignatures(base, digest, { from: signatures.length });
}

/**
 * Deletes signature `from`+1… of `digest` up to the first missing one, as
 * containers/image does after a write and after deleting an image. Only
 * `file://` locations can be changed.
 *
 * @throws {Error} For another scheme, with containers/image's message.
 */
export async function deleteLookasideSignatures(
  base: URL,
  digest: Digest,
  options: { from?: number } = {},
): Promise<void> {
  for (let index = options.from ?? 0; index < MAX_SIGNATURES; index++) {
    const url = lookasideSignatureUrl(base, digest, index);
    if (url.protocol === "http:" || url.protocol === "https:") {
      throw new Error(
        `Writing directly to a ${url.protocol.slice(0, -1)} lookaside ${
          redacted(url)
        } is not supported. Configure a lookaside-staging: location`,
      );
    }
    if (url.protocol !== "file:") {
      throw new Error(
        `Unsupported scheme when deleting signature from ${redacted(url)}`,
      );
    }
    try {
      await Deno.remove(decodeURIComponent(url.pathname));
    } catch (error) {
      // Outside the Deno permissions given: nothing this process stored.
      if (
        error instanceof Deno.errors.NotFound ||
        error instanceof Deno.errors.NotCapable
      ) break;
      throw error;
    }
  }
}
