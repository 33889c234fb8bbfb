/**
 * Verification of a simple-signing signature: the OpenPGP message first,
 * then the payload's key, reference and manifest digest, each through a
 * caller's rule (a policy's or `standalone-verify`'s), in containers/image's
 * order so the first failure reported is the same.
 *
 * @module
 */
import { manifestDigest } from "../manifest/mod.ts";
import {
  formatNamedReference,
  parseNormalizedReference,
} from "./docker_reference.ts";
import { type PublicKeyRing, verifyMessage } from "./openpgp.ts";
import {
  InvalidSignatureError,
  parsePayload,
  type SimpleSigningPayload,
} from "./simple_signing.ts";

/** Checks applied to a signature whose OpenPGP layer verified; each throws to refuse. */
export interface AcceptanceRules {
  /** Whether the signing key (fingerprint) is trusted. */
  validateKeyIdentity(fingerprint: string): void;
  /** Whether the signed Docker reference is acceptable. */
  validateSignedDockerReference(reference: string): void;
  /** Whether the signed manifest digest is acceptable. */
  validateSignedDockerManifestDigest(digest: string): void;
}

/** A signature that verified, with its signer. */
export interface VerifiedSignature extends SimpleSigningPayload {
  /** The signing key's fingerprint. */
  keyFingerprint: string;
}

/**
 * Verifies the message with `ring`, then applies `rules` to its payload.
 *
 * @throws {InvalidSignatureError} Or whatever a rule throws.
 */
export async function verifyAndExtractSignature(
  signature: Uint8Array,
  ring: PublicKeyRing,
  rules: AcceptanceRules,
): Promise<VerifiedSignature> {
  const { content, fingerprint } = await verifyMessage(signature, ring);
  rules.validateKeyIdentity(fingerprint);
  const payload = parsePayload(content);
  rules.validateSignedDockerManifestDigest(payload.dockerManifestDigest);
  rules.validateSignedDockerReference(payload.dockerReference);
  return { ...payload, keyFingerprint: fingerprint };
}

/** Whether `digest` is the digest of `manifest` (schema1: of its payload). */
export function manifestMatchesDigest(
  manifest: Uint8Array,
  digest: string,
): boolean {
  return manifestDigest(manifest) === digest;
}

/** Options of {@linkcode verifyDockerManifestSignature}. */
export interface VerifyManifestSignatureOptions {
  /** The manifest the signature must vouch for. */
  manifest: Uint8Array;
  /** The Docker reference the signature must name. */
  expectedDockerReference: string;
  /** The fingerprint of the key that must have signed. */
  expectedKeyFingerprint: string;
  /** The keys to verify with. */
  ring: PublicKeyRing;
}

/**
 * Verifies a signature of one manifest by one key for one reference, as
 * `skopeo standalone-verify` does.
 *
 * @throws {InvalidSignatureError} With containers/image's messages.
 */
export async function verifyDockerManifestSignature(
  signature: Uint8Array,
  options: VerifyManifestSignatureOptions,
): Promise<VerifiedSignature> {
  const expected = formatNamedReference(
    parseNormalizedReference(options.expectedDockerReference),
  );
  return await verifyAndExtractSignature(signature, options.ring, {
    validateKeyIdentity(fingerprint) {
      if (fingerprint !== options.expectedKeyFingerprint) {
        throw new InvalidSignatureError(
          `Signature by ${fingerprint} does not match expected fingerprint ${options.expectedKeyFingerprint}`,
        );
      }
    },
    validateSignedDockerReference(reference) {
      let signed: string;
      try {
        signed = formatNamedReference(parseNormalizedReference(reference));
      } catch {
        throw new InvalidSignatureError(
          `Invalid docker reference ${reference} in signature`,
        );
      }
      if (signed !== expected) {
        throw new InvalidSignatureError(
          `Docker reference ${reference} does not match ${options.expectedDockerReference}`,
        );
      }
    },
    validateSignedDockerManifestDigest(digest) {
      if (!manifestMatchesDigest(options.manifest, digest)) {
        throw new InvalidSignatureError(
          `Signature for docker digest "${digest}" does not match`,
        );
      }
    },
  });
}
