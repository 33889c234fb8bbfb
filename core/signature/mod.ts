/**
 * Image signatures: simple signing (OpenPGP) payloads, verification against
 * trusted keys, policy identity matching, and signing through gpg.
 *
 * @module
 */
export {
  buildPayload,
  InvalidSignatureError,
  parsePayload,
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
