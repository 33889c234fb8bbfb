/**
 * The `signedBy` policy requirement: at least one of the image's signatures
 * must be a valid simple signing by one of the trusted keys, for this
 * manifest, naming an identity the `signedIdentity` matcher accepts.
 * Messages follow containers/image's, so a rejection reads as skopeo's.
 *
 * @module
 */
import { goPathErrorText } from "../go_path_error.ts";
import type { Signature } from "../types.ts";
import {
  matchesSignedIdentity,
  type SignedIdentity,
  signedIdentityProblem,
} from "./identity.ts";
import { type PublicKeyRing, readPublicKeys } from "./openpgp.ts";
import { InvalidSignatureError } from "./simple_signing.ts";
import { manifestMatchesDigest, verifyAndExtractSignature } from "./verify.ts";

/** The image a requirement is evaluated on. */
export interface PolicyImage {
  /** The image's own Docker reference, when its transport has one. */
  dockerReference: string | undefined;
  /** The manifest the signatures must vouch for. */
  manifest: Uint8Array;
  /** The image's signatures. */
  signatures: readonly Signature[];
}

const DEFAULT_IDENTITY: SignedIdentity = { type: "matchRepoDigestOrExact" };

async function readKeyData(requirement: Record<string, unknown>) {
  const sources = ["keyPath", "keyPaths", "keyData"].filter((k) =>
    requirement[k] !== undefined
  );
  if (sources.length !== 1) {
    throw new InvalidSignatureError(
      'Internal inconsistency: not exactly one of "keyPath", "keyPaths" and "keyData" specified',
    );
  }
  const read = async (path: unknown): Promise<Uint8Array> => {
    if (typeof path !== "string") {
      throw new InvalidSignatureError('"keyPath" is not a string');
    }
    try {
      return await Deno.readFile(path);
    } catch (error) {
      throw new InvalidSignatureError(goPathErrorText("open", path, error));
    }
  };
  if (requirement.keyPath !== undefined) {
    return [await read(requirement.keyPath)];
  }
  if (requirement.keyPaths !== undefined) {
    if (!Array.isArray(requirement.keyPaths)) {
      throw new InvalidSignatureError('"keyPaths" is not a list');
    }
    return await Promise.all(requirement.keyPaths.map(read));
  }
  if (typeof requirement.keyData !== "string") {
    throw new InvalidSignatureError('"keyData" is not a base64 string');
  }
  // policy.json carries keyData as base64 (Go's []byte encoding).
  return [Uint8Array.from(atob(requirement.keyData), (c) => c.charCodeAt(0))];
}

async function loadKeys(
  requirement: Record<string, unknown>,
  identity: SignedIdentity,
): Promise<PublicKeyRing> {
  const keyType = requirement.keyType;
  if (keyType !== "GPGKeys") {
    const known = ["SignedByGPGKeys", "X509Certificates", "SignedByX509CAs"];
    throw new InvalidSignatureError(
      known.includes(keyType as string)
        ? `Unimplemented "keyType" value "${keyType}"`
        : `Unknown "keyType" value "${keyType}"`,
    );
  }
  const problem = signedIdentityProblem(identity);
  if (problem) throw new InvalidSignatureError(problem);
  return await readPublicKeys(await readKeyData(requirement));
}

/**
 * Evaluates a `signedBy` requirement.
 *
 * @returns Undefined when accepted, else the reason for the rejection.
 */
export async function evaluateSignedBy(
  requirement: Record<string, unknown>,
  image: PolicyImage,
): Promise<string | undefined> {
  const identity =
    (requirement.signedIdentity ?? DEFAULT_IDENTITY) as SignedIdentity;
  // As in containers/image, key problems are reasons to reject a signature,
  // so an unsigned image is still reported as unsigned.
  let ring: Promise<PublicKeyRing> | undefined;
  const keys = () => ring ??= loadKeys(requirement, identity);
  const rejections: string[] = [];
  for (const signature of image.signatures) {
    // skopeo 1.9.3 passes over other formats (sigstore) silently.
    if (signature.format !== "simple-signing") continue;
    try {
      const trusted = await keys();
      await verifyAndExtractSignature(signature.bytes, trusted, {
        validateKeyIdentity(fingerprint) {
          if (!trusted.fingerprints.includes(fingerprint)) {
            throw new InvalidSignatureError(
              `Signature by key ${fingerprint} is not accepted`,
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
        validateSignedDockerManifestDigest(digest) {
          if (!manifestMatchesDigest(image.manifest, digest)) {
            throw new InvalidSignatureError(
              `Signature for digest ${digest} does not match`,
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
    return "A signature was required, but no signature exists";
  }
  if (rejections.length === 1) return rejections[0];
  return `None of the signatures were accepted, reasons: ${
    rejections.join("; ")
  }`;
}
