import assert from "node:assert/strict";
import { manifestDigest } from "../manifest/mod.ts";
import type { Signature } from "../types.ts";
import {
  decryptSigstorePrivateKey,
  generateSigstoreKeyPair,
  parseSigstorePublicKey,
} from "./sigstore_key.ts";
import {
  createSigstoreSignature,
  SIGSTORE_SIGNATURE_ANNOTATION,
  SIGSTORE_SIGNATURE_MEDIA_TYPE,
  sigstoreManifestSigner,
  verifySigstoreSignature,
} from "./sigstore_signature.ts";
import { evaluateSigstoreSigned } from "./sigstore_signed.ts";

const MANIFEST = new TextEncoder().encode('{"schemaVersion":2,"layers":[]}');
const REF = "registry.example.com/ns/app:v1";
const PAIR = generateSigstoreKeyPair("pw");
const KEY = decryptSigstorePrivateKey(PAIR.privateKey, "pw");
const PUBLIC = parseSigstorePublicKey(PAIR.publicKey);
const KEY_DATA = btoa(PAIR.publicKey);

const accept = {
  validateSignedDockerManifestDigest() {},
  validateSignedDockerReference() {},
};

Deno.test("createSigstoreSignature() makes cosign's payload, media type and annotation", () => {
  const signature = createSigstoreSignature(MANIFEST, REF, KEY, {
    creator: "test",
    timestamp: 1700000000,
  });
  assert.equal(signature.format, "sigstore");
  assert.equal(signature.mediaType, SIGSTORE_SIGNATURE_MEDIA_TYPE);
  assert.equal(
    new TextDecoder().decode(signature.bytes),
    `{"critical":{"identity":{"docker-reference":"${REF}"},"image":{"docker-manifest-digest":"${
      manifestDigest(MANIFEST)
    }"},"type":"cosign container image signature"},"optional":{"creator":"test","timestamp":1700000000}}`,
  );
  const payload = verifySigstoreSignature(signature, PUBLIC, accept);
  assert.equal(payload.dockerReference, REF);
});

Deno.test("verifySigstoreSignature() refuses tampered payloads, other keys and missing annotations", () => {
  const signature = createSigstoreSignature(MANIFEST, REF, KEY);
  const tampered: Signature = {
    ...signature,
    bytes: new TextEncoder().encode(
      new TextDecoder().decode(signature.bytes).replace("v1", "v2"),
    ),
  };
  const crypto =
    "cryptographic signature verification failed: invalid signature when validating ASN.1 encoded signature";
  assert.throws(() => verifySigstoreSignature(tampered, PUBLIC, accept), {
    message: crypto,
  });
  const other = parseSigstorePublicKey(generateSigstoreKeyPair("").publicKey);
  assert.throws(() => verifySigstoreSignature(signature, other, accept), {
    message: crypto,
  });
  assert.throws(
    () =>
      verifySigstoreSignature(
        { ...signature, annotations: {} },
        PUBLIC,
        accept,
      ),
    { message: `missing ${SIGSTORE_SIGNATURE_ANNOTATION} annotation` },
  );
});

Deno.test("sigstoreManifestSigner() says it makes sigstore signatures", async () => {
  const signer = sigstoreManifestSigner(KEY, { creator: "c" });
  assert.equal(signer.format, "sigstore");
  const signature = await signer({ bytes: MANIFEST, mediaType: "x" }, REF);
  assert.equal(
    verifySigstoreSignature(signature, PUBLIC, accept).creator,
    "c",
  );
});

Deno.test("evaluateSigstoreSigned() accepts a matching signature and explains rejections", async () => {
  const good = createSigstoreSignature(MANIFEST, REF, KEY);
  const requirement = {
    type: "sigstoreSigned",
    keyData: KEY_DATA,
    signedIdentity: { type: "matchRepository" },
  };
  const image = (signatures: Signature[], dockerReference = REF) => ({
    dockerReference,
    manifest: MANIFEST,
    signatures,
  });
  assert.equal(
    await evaluateSigstoreSigned(requirement, image([good])),
    undefined,
  );
  assert.equal(
    await evaluateSigstoreSigned(requirement, image([])),
    "A signature was required, but no signature exists",
  );
  assert.equal(
    await evaluateSigstoreSigned(
      requirement,
      image([{ format: "simple-signing", bytes: new Uint8Array(1) }, {
        ...good,
        mediaType: "application/vnd.in-toto+json",
      }]),
    ),
    "A signature was required, but no signature exists (1 non-sigstore signatures, 1 sigstore non-signature attachments)",
  );
  assert.equal(
    await evaluateSigstoreSigned(
      requirement,
      image([good], "registry.example.com/other:v1"),
    ),
    `Signature for identity ${REF} is not accepted`,
  );
  const otherManifest = createSigstoreSignature(new Uint8Array([1]), REF, KEY);
  // One accepted signature is enough, after a rejected one too.
  assert.equal(
    await evaluateSigstoreSigned(requirement, image([otherManifest, good])),
    undefined,
  );
  assert.match(
    (await evaluateSigstoreSigned(requirement, image([otherManifest])))!,
    /^Signature for digest sha256:[0-9a-f]{64} does not match$/,
  );
  const wrongKey = {
    ...requirement,
    keyData: btoa(generateSigstoreKeyPair("").publicKey),
  };
  assert.match(
    (await evaluateSigstoreSigned(wrongKey, image([good, good])))!,
    /^None of the signatures were accepted, reasons: cryptographic signature verification failed: .*; cryptographic/,
  );
});

Deno.test("evaluateSigstoreSigned() rejects malformed requirements with containers/image's words", async () => {
  const image = { dockerReference: REF, manifest: MANIFEST, signatures: [] };
  const cases: [Record<string, unknown>, string][] = [
    [
      { type: "sigstoreSigned", signedIdentity: { type: "matchExact" } },
      "At least one of keyPath and keyData must be specified",
    ],
    [{
      type: "sigstoreSigned",
      keyPath: "/a",
      keyData: "b",
      signedIdentity: { type: "matchExact" },
    }, "keyPath and keyData cannot be used simultaneously"],
    [{ type: "sigstoreSigned", keyPath: "/a" }, "signedIdentity not specified"],
    [{
      type: "sigstoreSigned",
      keyPath: "/a",
      signedIdentity: { type: "matchExact" },
      bogus: 1,
    }, 'Unknown key "bogus"'],
  ];
  for (const [requirement, message] of cases) {
    assert.equal(await evaluateSigstoreSigned(requirement, image), message);
  }
});
