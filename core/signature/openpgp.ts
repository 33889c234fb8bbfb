/**
 * OpenPGP message verification with openpgp.js, against keys the caller
 * trusts (a policy's keyPath/keyData, or keys exported from gpg). The
 * library is imported lazily: most runs never touch a signature.
 *
 * @module
 */
import type { Key } from "npm:openpgp@6.3.2";
import { InvalidSignatureError } from "./simple_signing.ts";

/** Public keys ready for verification. */
export interface PublicKeyRing {
  /** The parsed keys. */
  readonly keys: readonly Key[];
  /** Primary-key fingerprints (upper-case hex), as gpg prints them. */
  readonly fingerprints: readonly string[];
}

/** A verified OpenPGP message. */
export interface VerifiedMessage {
  /** The signed content. */
  content: Uint8Array;
  /** Fingerprint (upper-case hex) of the key that made the signature. */
  fingerprint: string;
}

const ARMOR_BLOCK =
  /-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/g;

/**
 * Reads public keys, armored (any number of blocks) or binary.
 *
 * @throws {InvalidSignatureError} When no key can be read.
 */
export async function readPublicKeys(
  data: readonly Uint8Array[],
): Promise<PublicKeyRing> {
  const openpgp = await import("npm:openpgp@6.3.2");
  const keys: Key[] = [];
  for (const blob of data) {
    const text = new TextDecoder().decode(blob);
    const blocks = text.match(ARMOR_BLOCK);
    try {
      if (blocks) {
        for (const armoredKeys of blocks) {
          keys.push(...await openpgp.readKeys({ armoredKeys }));
        }
      } else if (blob.length > 0) {
        keys.push(...await openpgp.readKeys({ binaryKeys: blob }));
      }
    } catch (error) {
      throw new InvalidSignatureError(
        `reading public keys: ${(error as Error).message}`,
      );
    }
  }
  return {
    keys,
    fingerprints: keys.map((k) => k.getFingerprint().toUpperCase()),
  };
}

/**
 * Verifies a signed (not detached) OpenPGP message, as `gpg --sign` makes.
 *
 * @throws {InvalidSignatureError} When it is not a message with exactly one
 *   valid signature by one of `ring`'s keys.
 */
export async function verifyMessage(
  bytes: Uint8Array,
  ring: PublicKeyRing,
): Promise<VerifiedMessage> {
  const openpgp = await import("npm:openpgp@6.3.2");
  let result;
  try {
    const message = await openpgp.readMessage({ binaryMessage: bytes });
    result = await openpgp.verify({
      message,
      verificationKeys: [...ring.keys],
      format: "binary",
      expectSigned: true,
    });
  } catch (error) {
    throw new InvalidSignatureError(
      `Invalid GPG signature: ${(error as Error).message}`,
    );
  }
  if (result.signatures.length !== 1) {
    throw new InvalidSignatureError(
      `Unexpected GPG signature count ${result.signatures.length}`,
    );
  }
  const keyID = result.signatures[0]!.keyID;
  // The (sub)key that signed: its fingerprint is what gpg reports.
  const signer = ring.keys.flatMap((k) => k.getKeys(keyID))[0];
  if (!signer) {
    throw new InvalidSignatureError(
      `Invalid GPG signature: no key with ID ${keyID.toHex().toUpperCase()}`,
    );
  }
  return {
    content: result.data as Uint8Array,
    fingerprint: signer.getFingerprint().toUpperCase(),
  };
}
