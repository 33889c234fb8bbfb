/**
 * Making a simple-signing signature: the payload for a manifest and
 * reference, signed by whatever OpenPGP signer the caller brings (gpg, in
 * the CLI), so this module never runs a program itself.
 *
 * @module
 */
import { manifestDigest } from "../manifest/mod.ts";
import type { Signature } from "../types.ts";
import { buildPayload } from "./simple_signing.ts";

/** Signs bytes as an OpenPGP message (not detached). */
export type OpenPgpSign = (payload: Uint8Array) => Promise<Uint8Array>;

/** Options of {@linkcode createSimpleSignature}. */
export interface CreateSignatureOptions {
  /** `optional.creator`; omitted when undefined. */
  creator?: string | undefined;
  /** `optional.timestamp` in seconds (default: now). */
  timestamp?: number | undefined;
}

/**
 * Signs `manifest` for `dockerReference` (not validated, as skopeo's
 * `standalone-sign` does not).
 *
 * @returns The simple-signing signature.
 */
export async function createSimpleSignature(
  manifest: Uint8Array,
  dockerReference: string,
  sign: OpenPgpSign,
  options: CreateSignatureOptions = {},
): Promise<Signature> {
  const payload = buildPayload({
    dockerManifestDigest: manifestDigest(manifest),
    dockerReference,
    creator: options.creator,
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
  });
  return { format: "simple-signing", bytes: await sign(payload) };
}
