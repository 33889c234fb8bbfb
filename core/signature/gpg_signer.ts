/**
 * A copy signer (`--sign-by`): simple signing with a key of the user's gpg
 * keyring.
 *
 * @module
 */
import type { ManifestBlob, Signature } from "../types.ts";
import { gpgSign, type GpgSignOptions } from "./gpg.ts";
import { createSimpleSignature } from "./sign.ts";
import type { FormattedSigner } from "./sigstore_signature.ts";

/** Options of {@linkcode gpgManifestSigner}. */
export interface GpgSignerOptions extends GpgSignOptions {
  /** `optional.creator` of the payloads. */
  creator?: string | undefined;
}

/**
 * Makes a signer for `CopyOptions.signers` that signs with gpg.
 *
 * @returns A function signing a manifest for a Docker reference; it rejects
 *   with `creating signature: <gpg's reason>`.
 */
export function gpgManifestSigner(
  options: GpgSignerOptions,
): FormattedSigner {
  const signer = async (
    manifest: ManifestBlob,
    dockerReference: string,
  ): Promise<Signature> => {
    try {
      return await createSimpleSignature(
        manifest.bytes,
        dockerReference,
        (payload) => gpgSign(payload, options),
        { creator: options.creator },
      );
    } catch (error) {
      throw new Error(`creating signature: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
  return Object.assign(signer, { format: "simple-signing" as const });
}
