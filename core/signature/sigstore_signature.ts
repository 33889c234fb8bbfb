/**
 * Sigstore signatures as containers/image and cosign store them: a
 * simple-signing-like JSON payload (`critical.type` = "cosign container
 * image signature"), signed with a sigstore key; the base64 signature
 * travels in an annotation beside the payload.
 *
 * @module
 */
import type { KeyObject } from "node:crypto";
import { manifestDigest } from "../manifest/mod.ts";
import type { ManifestBlob, Signature } from "../types.ts";
import { signSigstorePayload, verifySigstorePayload } from "./sigstore_key.ts";
import {
  buildPayload,
  InvalidSignatureError,
  parsePayload,
  type SimpleSigningPayload,
} from "./simple_signing.ts";

/** `critical.type` of sigstore payloads. */
export const SIGSTORE_PAYLOAD_TYPE = "cosign container image signature";
/** The media type of a sigstore signature payload (attachment layer). */
export const SIGSTORE_SIGNATURE_MEDIA_TYPE =
  "application/vnd.dev.cosign.simplesigning.v1+json";
/** The annotation holding the base64 signature. */
export const SIGSTORE_SIGNATURE_ANNOTATION =
  "dev.cosignproject.cosign/signature";

/** Options of {@linkcode createSigstoreSignature}. */
export interface CreateSigstoreSignatureOptions {
  /** `optional.creator`; omitted when undefined. */
  creator?: string | undefined;
  /** `optional.timestamp` in seconds (default: now). */
  timestamp?: number | undefined;
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

/**
 * Signs `manifest` for `dockerReference` with a sigstore private key.
 *
 * @returns A `sigstore` signature: the payload, its media type, and the
 *   signature annotation.
 */
export function createSigstoreSignature(
  manifest: Uint8Array,
  dockerReference: string,
  privateKey: KeyObject,
  options: CreateSigstoreSignatureOptions = {},
): Signature {
  const payload = buildPayload({
    dockerManifestDigest: manifestDigest(manifest),
    dockerReference,
    creator: options.creator,
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
  }, { type: SIGSTORE_PAYLOAD_TYPE });
  return {
    format: "sigstore",
    bytes: payload,
    mediaType: SIGSTORE_SIGNATURE_MEDIA_TYPE,
    annotations: {
      [SIGSTORE_SIGNATURE_ANNOTATION]: toBase64(
        signSigstorePayload(payload, privateKey),
      ),
    },
  };
}

/** A copy signer that also says which format it makes (for progress lines). */
export type FormattedSigner =
  & ((manifest: ManifestBlob, dockerReference: string) => Promise<Signature>)
  & { readonly format: Signature["format"] };

/**
 * Makes a signer for `CopyOptions.signers` (`--sign-by-sigstore-private-key`).
 *
 * @param privateKey A key from `decryptSigstorePrivateKey`.
 * @param options `optional.creator` of the payloads.
 * @returns The signer; it rejects with `creating signature: …`.
 */
export function sigstoreManifestSigner(
  privateKey: KeyObject,
  options: { creator?: string | undefined } = {},
): FormattedSigner {
  const signer = (manifest: ManifestBlob, dockerReference: string) => {
    try {
      return Promise.resolve(
        createSigstoreSignature(manifest.bytes, dockerReference, privateKey, {
          creator: options.creator,
        }),
      );
    } catch (error) {
      return Promise.reject(
        new Error(`creating signature: ${(error as Error).message}`, {
          cause: error,
        }),
      );
    }
  };
  return Object.assign(signer, { format: "sigstore" as const });
}

/** Checks applied to a payload whose signature verified; each throws to refuse. */
export interface SigstoreAcceptanceRules {
  /** Whether the signed manifest digest is acceptable. */
  validateSignedDockerManifestDigest(digest: string): void;
  /** Whether the signed Docker reference is acceptable. */
  validateSignedDockerReference(reference: string): void;
}

/**
 * Verifies a sigstore signature with `publicKey`, then applies `rules` to
 * its payload, in containers/image's order (key, digest, reference).
 *
 * @returns The verified payload.
 * @throws {InvalidSignatureError} With containers/image's messages, or
 *   whatever a rule throws.
 */
export function verifySigstoreSignature(
  signature: Signature,
  publicKey: KeyObject,
  rules: SigstoreAcceptanceRules,
): SimpleSigningPayload {
  const base64 = signature.annotations?.[SIGSTORE_SIGNATURE_ANNOTATION];
  if (base64 === undefined) {
    throw new InvalidSignatureError(
      `missing ${SIGSTORE_SIGNATURE_ANNOTATION} annotation`,
    );
  }
  let raw: Uint8Array;
  try {
    raw = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  } catch {
    throw new InvalidSignatureError("base64 decoding: illegal base64 data");
  }
  if (!verifySigstorePayload(signature.bytes, raw, publicKey)) {
    throw new InvalidSignatureError(
      "cryptographic signature verification failed: invalid signature when validating ASN.1 encoded signature",
    );
  }
  const payload = parsePayload(signature.bytes, {
    type: SIGSTORE_PAYLOAD_TYPE,
  });
  rules.validateSignedDockerManifestDigest(payload.dockerManifestDigest);
  rules.validateSignedDockerReference(payload.dockerReference);
  return payload;
}
