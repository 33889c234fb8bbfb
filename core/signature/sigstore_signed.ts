/**
 * The `sigstoreSigned` policy requirement: at least one of the image's
 * sigstore signatures must verify with the trusted public key, for this
 * manifest, naming an identity the `signedIdentity` matcher accepts.
 * Messages follow containers/image's, so a rejection reads as skopeo's.
 *
 * @module
 */
import { goPathErrorText } from "../go_path_error.ts";
import type { KeyObject } from "node:crypto";
import { matchesSignedIdentity, type SignedIdentity } from "./identity.ts";
import type { PolicyImage } from "./signed_by.ts";
import { parseSigstorePublicKey, SigstoreKeyError } from "./sigstore_key.ts";
import {
  SIGSTORE_SIGNATURE_MEDIA_TYPE,
  verifySigstoreSignature,
} from "./sigstore_signature.ts";
import { InvalidSignatureError } from "./simple_signing.ts";
import { manifestMatchesDigest } from "./verify.ts";

import { sigstoreSignedProblem } from "./sigstore_signed_problem.ts";

export { sigstoreSignedProblem };

async function loadPublicKey(
  requirement: Record<string, unknown>,
): Promise<KeyObject> {
  let pem: string;
  if (typeof requirement.keyPath === "string") {
    try {
      pem = await Deno.readTextFile(requirement.keyPath);
    } catch (error) {
      throw new InvalidSignatureError(
        goPathErrorText("open", requirement.keyPath, error),
      );
    }
  } else {
    try {
      // policy.json carries keyData as base64 (Go's []byte encoding).
      pem = atob(requirement.keyData as string);
    } catch {
      throw new InvalidSignatureError('"keyData" is not valid base64');
    }
  }
  try {
    return parseSigstorePublicKey(pem);
  } catch (error) {
    if (!(error instanceof SigstoreKeyError)) throw error;
    throw new InvalidSignatureError(`parsing public key: ${error.message}`);
  }
}

/**
 * Evaluates a `sigstoreSigned` requirement.
 *
 * @returns Undefined when accepted, else the reason for the rejection.
 */
export async function evaluateSigstoreSigned(
  requirement: Record<string, unknown>,
  image: PolicyImage,
): Promise<string | undefined> {
  const problem = sigstoreSignedProblem(requirement);
  if (problem) return problem;
  const identity = requirement.signedIdentity as SignedIdentity;
  let key: Promise<KeyObject> | undefined;
  const rejections: string[] = [];
  let nonSigstore = 0;
  let nonSignatures = 0;
  for (const signature of image.signatures) {
    if (signature.format !== "sigstore") {
      nonSigstore++;
      continue;
    }
    if (signature.mediaType !== SIGSTORE_SIGNATURE_MEDIA_TYPE) {
      nonSignatures++;
      continue;
    }
    try {
      const publicKey = await (key ??= loadPublicKey(requirement));
      verifySigstoreSignature(signature, publicKey, {
        validateSignedDockerManifestDigest(digest) {
          if (!manifestMatchesDigest(image.manifest, digest)) {
            throw new InvalidSignatureError(
              `Signature for digest ${digest} does not match`,
            );
          }
        },
        validateSignedDockerReference(reference) {
          if (
            !matchesSignedIdentity(identity, image.dockerReference, reference)
          ) {
            throw new InvalidSignatureError(
              `Signature for identity ${reference} is not accepted`,
            );
          }
        },
      });
      return undefined; // one accepted signature is enough
    } catch (error) {
      if (!(error instanceof InvalidSignatureError)) throw error;
      rejections.push(error.message);
    }
  }
  if (rejections.length === 0) {
    return nonSigstore === 0 && nonSignatures === 0
      ? "A signature was required, but no signature exists"
      : `A signature was required, but no signature exists (${nonSigstore} non-sigstore signatures, ${nonSignatures} sigstore non-signature attachments)`;
  }
  if (rejections.length === 1) return rejections[0];
  return `None of the signatures were accepted, reasons: ${
    rejections.join("; ")
  }`;
}
