/**
 * Image signatures: simple signing (OpenPGP) payloads, verification against
 * trusted keys, policy identity matching, and signing through gpg; sigstore
 * keys, signatures and the `sigstoreSigned` requirement.
 *
 * @module
 */
export {
  buildPayload,
  InvalidSignatureError,
  parsePayload,
  type PayloadOptions,
  SIGNATURE_TYPE,
  type SimpleSigningPayload,
} from "./simple_signing.ts";
export {
  type PublicKeyRing,
  readPublicKeys,
  type VerifiedMessage,
  verifyMessage,
} from "./openpgp.ts";
export {
  type AcceptanceRules,
  manifestMatchesDigest,
  type VerifiedSignature,
  verifyAndExtractSignature,
  verifyDockerManifestSignature,
  type VerifyManifestSignatureOptions,
} from "./verify.ts";
export {
  matchesSignedIdentity,
  type SignedIdentity,
  signedIdentityProblem,
} from "./identity.ts";
export {
  formatNamedReference,
  isNameOnly,
  type NamedReference,
  parseNormalizedReference,
} from "./docker_reference.ts";
export {
  type CreateSignatureOptions,
  createSimpleSignature,
  type OpenPgpSign,
} from "./sign.ts";
export {
  checkPassphraseFile,
  gpgExportPublicKeys,
  gpgSign,
  type GpgSignOptions,
} from "./gpg.ts";
export { evaluateSignedBy, type PolicyImage } from "./signed_by.ts";
export { gpgManifestSigner, type GpgSignerOptions } from "./gpg_signer.ts";
export {
  COSIGN_PRIVATE_KEY_PEM_TYPE,
  decodePem,
  decryptSigstorePrivateKey,
  encodePem,
  generateSigstoreKeyPair,
  parseSigstorePublicKey,
  type PemBlock,
  signSigstorePayload,
  SIGSTORE_PRIVATE_KEY_PEM_TYPE,
  SigstoreKeyError,
  type SigstoreKeyPair,
  verifySigstorePayload,
} from "./sigstore_key.ts";
export {
  createSigstoreSignature,
  type CreateSigstoreSignatureOptions,
  type FormattedSigner,
  SIGSTORE_PAYLOAD_TYPE,
  SIGSTORE_SIGNATURE_ANNOTATION,
  SIGSTORE_SIGNATURE_MEDIA_TYPE,
  type SigstoreAcceptanceRules,
  sigstoreManifestSigner,
  verifySigstoreSignature,
} from "./sigstore_signature.ts";
export {
  evaluateSigstoreSigned,
  sigstoreSignedProblem,
} from "./sigstore_signed.ts";
export { signatureFromBlob, signatureToBlob } from "./blob.ts";
