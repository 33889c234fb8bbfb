/**
 * Sigstore (cosign) keys: an ECDSA P-256 pair whose private half is PKCS#8
 * DER encrypted as cosign does it (scrypt key derivation, NaCl secretbox),
 * wrapped in an `ENCRYPTED SIGSTORE PRIVATE KEY` PEM block; the public half
 * is a `PUBLIC KEY` (SPKI) PEM block. Signatures are ASN.1 DER, as sigstore
 * verifiers expect (WebCrypto's would be IEEE P1363, hence node:crypto).
 *
 * @module
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  scryptSync,
  sign,
  verify,
} from "node:crypto";
import { Buffer } from "node:buffer";
import { xsalsa20poly1305 } from "npm:@noble/ciphers@2.4.0/salsa.js";

/** The PEM type of the private keys we write (cosign 2 and later skopeo). */
export const SIGSTORE_PRIVATE_KEY_PEM_TYPE = "ENCRYPTED SIGSTORE PRIVATE KEY";
/** The PEM type cosign 1 wrote; still accepted. */
export const COSIGN_PRIVATE_KEY_PEM_TYPE = "ENCRYPTED COSIGN PRIVATE KEY";

/** Scrypt parameters cosign accepts (go-tuf's legacy, standard, OWASP). */
const SCRYPT_PARAMS = [32768, 65536, 131072].map((N) => ({ N, r: 8, p: 1 }));
/** What we write: cosign's default. */
const SCRYPT_N = 65536;
const SALT_SIZE = 32;
const NONCE_SIZE = 24;
const BOX_KEY_SIZE = 32;

/** A key that cannot be read, decrypted or used. */
export class SigstoreKeyError extends Error {
  /**
   * Creates an instance.
   *
   * @param message What is wrong (never the passphrase).
   * @param options The cause.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SigstoreKeyError";
  }
}

/** A new key pair, both halves as PEM text. */
export interface SigstoreKeyPair {
  /** The encrypted private key (`ENCRYPTED SIGSTORE PRIVATE KEY`). */
  privateKey: string;
  /** The public key (`PUBLIC KEY`). */
  publicKey: string;
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

function fromBase64(text: string, what: string): Uint8Array {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    throw new SigstoreKeyError(`${what}: illegal base64 data`);
  }
}

/**
 * Encodes one PEM block, 64 base64 characters a line.
 *
 * @returns The PEM text.
 */
export function encodePem(type: string, der: Uint8Array): string {
  const lines = toBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${
    lines.join("\n")
  }\n-----END ${type}-----\n`;
}

/** A decoded PEM block. */
export interface PemBlock {
  /** The text after `BEGIN `. */
  type: string;
  /** The decoded body. */
  bytes: Uint8Array;
}

/**
 * Decodes the first PEM block of `text`.
 *
 * @returns The block, or undefined when there is none (as Go's `pem.Decode`).
 */
export function decodePem(text: string): PemBlock | undefined {
  const match = /-----BEGIN ([^\n-]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(
    text,
  );
  if (!match) return undefined;
  // Headers (`Key: value` lines) may precede the body.
  const body = match[2]!.split(/\r?\n/).filter((line) => !line.includes(":"))
    .join("").replace(/\s+/g, "");
  try {
    return {
      type: match[1]!,
      bytes: Uint8Array.from(atob(body), (c) => c.charCodeAt(0)),
    };
  } catch {
    return undefined;
  }
}

function deriveBoxKey(
  passphrase: string,
  salt: Uint8Array,
  params: { N: number; r: number; p: number },
): Uint8Array {
  // N=65536, r=8 needs 64 MiB; Node's default cap is 32 MiB.
  return new Uint8Array(
    scryptSync(passphrase, salt, BOX_KEY_SIZE, {
      ...params,
      maxmem: 256 * 1024 * 1024,
    }),
  );
}

/**
 * Encrypts DER bytes as cosign (go-tuf `encrypted`) does: the JSON envelope
 * `{kdf, cipher, ciphertext}`.
 */
function encryptKey(plain: Uint8Array, passphrase: string): Uint8Array {
  const salt = new Uint8Array(randomBytes(SALT_SIZE));
  const nonce = new Uint8Array(randomBytes(NONCE_SIZE));
  const params = { N: SCRYPT_N, r: 8, p: 1 };
  const key = deriveBoxKey(passphrase, salt, params);
  const ciphertext = xsalsa20poly1305(key, nonce).encrypt(plain);
  // Field order of go-tuf's Go structs.
  return new TextEncoder().encode(JSON.stringify({
    kdf: { name: "scrypt", params, salt: toBase64(salt) },
    cipher: { name: "nacl/secretbox", nonce: toBase64(nonce) },
    ciphertext: toBase64(ciphertext),
  }));
}

function decryptKey(envelope: Uint8Array, passphrase: string): Uint8Array {
  let json: {
    kdf?: { name?: unknown; params?: Record<string, unknown>; salt?: unknown };
    cipher?: { name?: unknown; nonce?: unknown };
    ciphertext?: unknown;
  };
  try {
    json = JSON.parse(new TextDecoder().decode(envelope));
  } catch (error) {
    throw new SigstoreKeyError(`decrypt: ${(error as Error).message}`);
  }
  if (json?.kdf?.name !== "scrypt") {
    throw new SigstoreKeyError("decrypt: encrypted: unknown kdf name");
  }
  if (json.cipher?.name !== "nacl/secretbox") {
    throw new SigstoreKeyError("decrypt: encrypted: unknown cipher name");
  }
  const params = SCRYPT_PARAMS.find((p) =>
    json.kdf?.params?.N === p.N && json.kdf.params.r === p.r &&
    json.kdf.params.p === p.p
  );
  if (!params) {
    throw new SigstoreKeyError(
      "decrypt: encrypted: unsupported scrypt parameters",
    );
  }
  if (
    typeof json.kdf.salt !== "string" ||
    typeof json.cipher.nonce !== "string" ||
    typeof json.ciphertext !== "string"
  ) {
    throw new SigstoreKeyError("decrypt: encrypted: missing field");
  }
  const salt = fromBase64(json.kdf.salt, "decrypt: salt");
  const nonce = fromBase64(json.cipher.nonce, "decrypt: nonce");
  if (nonce.length !== NONCE_SIZE) {
    throw new SigstoreKeyError("decrypt: encrypted: invalid nonce size");
  }
  const ciphertext = fromBase64(json.ciphertext, "decrypt: ciphertext");
  const key = deriveBoxKey(passphrase, salt, params);
  try {
    return xsalsa20poly1305(key, nonce).decrypt(ciphertext);
  } catch {
    // The only thing a wrong passphrase can be told from.
    throw new SigstoreKeyError("decrypt: encrypted: decryption failed");
  }
}

/**
 * Generates an ECDSA P-256 key pair for sigstore signatures, the private
 * key encrypted with `passphrase` (which may be empty, as cosign allows).
 *
 * @example Generate a pair
 * ```ts ignore
 * import { generateSigstoreKeyPair } from "./sigstore_key.ts";
 * const { privateKey, publicKey } = generateSigstoreKeyPair("secret");
 * console.assert(privateKey.startsWith("-----BEGIN ENCRYPTED SIGSTORE"));
 * console.assert(publicKey.startsWith("-----BEGIN PUBLIC KEY"));
 * ```
 *
 * @returns Both halves as PEM.
 */
export function generateSigstoreKeyPair(passphrase: string): SigstoreKeyPair {
  const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const der = new Uint8Array(
    pair.privateKey.export({ type: "pkcs8", format: "der" }),
  );
  return {
    privateKey: encodePem(
      SIGSTORE_PRIVATE_KEY_PEM_TYPE,
      encryptKey(der, passphrase),
    ),
    publicKey: pair.publicKey.export({ type: "spki", format: "pem" })
      .toString(),
  };
}

/**
 * Decrypts a cosign/sigstore private key (either PEM type).
 *
 * @returns The key, usable with {@linkcode signSigstorePayload}.
 * @throws {SigstoreKeyError} With cosign's wording: `invalid pem block`,
 *   `unsupported pem type: …`, `decrypt: encrypted: decryption failed`
 *   (a wrong passphrase), `parsing private key: …`.
 */
export function decryptSigstorePrivateKey(
  pem: string,
  passphrase: string,
): KeyObject {
  const block = decodePem(pem);
  if (!block) throw new SigstoreKeyError("invalid pem block");
  if (
    block.type !== SIGSTORE_PRIVATE_KEY_PEM_TYPE &&
    block.type !== COSIGN_PRIVATE_KEY_PEM_TYPE
  ) {
    throw new SigstoreKeyError(`unsupported pem type: ${block.type}`);
  }
  const der = decryptKey(block.bytes, passphrase);
  try {
    return createPrivateKey({
      key: Buffer.from(der),
      format: "der",
      type: "pkcs8",
    });
  } catch (error) {
    throw new SigstoreKeyError(
      `parsing private key: ${(error as Error).message}`,
    );
  }
}

/**
 * Reads a public key (`PUBLIC KEY` SPKI PEM, or `RSA PUBLIC KEY`).
 *
 * @throws {SigstoreKeyError} `PEM decoding failed`, or the key type problem.
 */
export function parseSigstorePublicKey(pem: string): KeyObject {
  const block = decodePem(pem);
  if (!block) throw new SigstoreKeyError("PEM decoding failed");
  const type = block.type === "PUBLIC KEY"
    ? "spki"
    : block.type === "RSA PUBLIC KEY"
    ? "pkcs1"
    : undefined;
  if (!type) {
    throw new SigstoreKeyError(
      `unknown Public key PEM file type: ${block.type}. Are you passing the correct public key?`,
    );
  }
  try {
    return createPublicKey({
      key: Buffer.from(block.bytes),
      format: "der",
      type,
    });
  } catch (error) {
    throw new SigstoreKeyError((error as Error).message);
  }
}

/** The hash a key signs with: SHA-256, except Ed25519 (none). */
function hashFor(key: KeyObject): string | null {
  return key.asymmetricKeyType === "ed25519" ? null : "sha256";
}

/**
 * Signs a payload: ECDSA signatures are ASN.1 DER, as sigstore expects.
 *
 * @returns The raw signature.
 */
export function signSigstorePayload(
  payload: Uint8Array,
  privateKey: KeyObject,
): Uint8Array {
  return new Uint8Array(sign(hashFor(privateKey), payload, privateKey));
}

/**
 * Verifies a raw (DER) signature of `payload`.
 *
 * @returns Whether it is valid (a malformed signature is just invalid).
 */
export function verifySigstorePayload(
  payload: Uint8Array,
  signature: Uint8Array,
  publicKey: KeyObject,
): boolean {
  try {
    return verify(hashFor(publicKey), payload, publicKey, signature);
  } catch {
    return false;
  }
}
