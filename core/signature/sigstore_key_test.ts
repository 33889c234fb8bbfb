import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import {
  COSIGN_PRIVATE_KEY_PEM_TYPE,
  decodePem,
  decryptSigstorePrivateKey,
  encodePem,
  generateSigstoreKeyPair,
  parseSigstorePublicKey,
  signSigstorePayload,
  SigstoreKeyError,
  verifySigstorePayload,
} from "./sigstore_key.ts";
import { hasCommand } from "../../tests/support/components.ts";

const PAYLOAD = new TextEncoder().encode('{"critical":{}}');

Deno.test("generateSigstoreKeyPair() writes cosign's envelope around a P-256 PKCS#8 key", () => {
  const pair = generateSigstoreKeyPair("pw");
  const block = decodePem(pair.privateKey);
  assert.equal(block?.type, "ENCRYPTED SIGSTORE PRIVATE KEY");
  const envelope = JSON.parse(new TextDecoder().decode(block!.bytes));
  assert.deepEqual(Object.keys(envelope), ["kdf", "cipher", "ciphertext"]);
  assert.deepEqual(envelope.kdf.params, { N: 65536, r: 8, p: 1 });
  assert.equal(envelope.kdf.name, "scrypt");
  assert.equal(atob(envelope.kdf.salt).length, 32);
  assert.equal(envelope.cipher.name, "nacl/secretbox");
  assert.equal(atob(envelope.cipher.nonce).length, 24);
  const publicKey = createPublicKey(pair.publicKey);
  assert.equal(publicKey.asymmetricKeyType, "ec");
  assert.equal(publicKey.asymmetricKeyDetails?.namedCurve, "prime256v1");
  assert.match(pair.publicKey, /^-----BEGIN PUBLIC KEY-----\n/);
});

Deno.test("decryptSigstorePrivateKey() opens our key; its DER signatures verify with the public key only", () => {
  const pair = generateSigstoreKeyPair("secret");
  const key = decryptSigstorePrivateKey(pair.privateKey, "secret");
  const signature = signSigstorePayload(PAYLOAD, key);
  assert.equal(signature[0], 0x30, "ASN.1 DER SEQUENCE, not P1363");
  const publicKey = parseSigstorePublicKey(pair.publicKey);
  assert.ok(verifySigstorePayload(PAYLOAD, signature, publicKey));
  const tampered = new TextEncoder().encode('{"critical":{ }}');
  assert.ok(!verifySigstorePayload(tampered, signature, publicKey));
  const other = parseSigstorePublicKey(generateSigstoreKeyPair("").publicKey);
  assert.ok(!verifySigstorePayload(PAYLOAD, signature, other));
  assert.ok(!verifySigstorePayload(PAYLOAD, new Uint8Array([1, 2]), publicKey));
});

Deno.test("decryptSigstorePrivateKey() refuses a wrong passphrase and foreign PEM blocks", () => {
  const pair = generateSigstoreKeyPair("right");
  assert.throws(
    () => decryptSigstorePrivateKey(pair.privateKey, "wrong"),
    new SigstoreKeyError("decrypt: encrypted: decryption failed"),
  );
  assert.throws(
    () => decryptSigstorePrivateKey("no pem here", "right"),
    { message: "invalid pem block" },
  );
  const rsa = encodePem("RSA PRIVATE KEY", new Uint8Array([1, 2, 3]));
  assert.throws(
    () => decryptSigstorePrivateKey(rsa, "right"),
    { message: "unsupported pem type: RSA PRIVATE KEY" },
  );
  // cosign 1's PEM type holds the same envelope.
  const legacy = pair.privateKey.replaceAll(
    "ENCRYPTED SIGSTORE PRIVATE KEY",
    COSIGN_PRIVATE_KEY_PEM_TYPE,
  );
  assert.equal(
    decryptSigstorePrivateKey(legacy, "right").asymmetricKeyType,
    "ec",
  );
});

Deno.test("parseSigstorePublicKey() names what is wrong", () => {
  assert.throws(() => parseSigstorePublicKey(""), {
    message: "PEM decoding failed",
  });
  assert.throws(
    () => parseSigstorePublicKey(encodePem("CERTIFICATE", new Uint8Array(4))),
    { message: /^unknown Public key PEM file type: CERTIFICATE\./ },
  );
});

Deno.test({
  name: "signSigstorePayload() signatures verify with openssl",
  ignore: !hasCommand("openssl"),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const pair = generateSigstoreKeyPair("x");
      const key = decryptSigstorePrivateKey(pair.privateKey, "x");
      await Deno.writeTextFile(`${dir}/pub.pem`, pair.publicKey);
      await Deno.writeFile(`${dir}/payload`, PAYLOAD);
      await Deno.writeFile(`${dir}/sig`, signSigstorePayload(PAYLOAD, key));
      const output = await new Deno.Command("openssl", {
        args: [
          "dgst",
          "-sha256",
          "-verify",
          `${dir}/pub.pem`,
          "-signature",
          `${dir}/sig`,
          `${dir}/payload`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(new TextDecoder().decode(output.stdout), "Verified OK\n");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
