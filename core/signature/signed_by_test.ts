import assert from "node:assert/strict";
import * as openpgp from "openpgp";
import { manifestDigest } from "../manifest/mod.ts";
import { readPublicKeys } from "./openpgp.ts";
import { evaluateSignedBy } from "./signed_by.ts";
import { createSimpleSignature } from "./sign.ts";
import { InvalidSignatureError } from "./simple_signing.ts";
import { verifyDockerManifestSignature } from "./verify.ts";

const MANIFEST = new TextEncoder().encode('{"schemaVersion":2,"layers":[]}');
const IDENTITY = "docker.io/library/busybox:latest";

/** A key made by openpgp.js (the CLI tests use gpg's). */
async function makeKey(name: string) {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: "ecc",
    curve: "curve25519Legacy",
    userIDs: [{ name }],
    format: "object",
  });
  const sign = async (payload: Uint8Array) =>
    await openpgp.sign({
      message: await openpgp.createMessage({ binary: payload }),
      signingKeys: privateKey,
      format: "binary",
    }) as Uint8Array;
  return {
    sign,
    armored: publicKey.armor(),
    fingerprint: publicKey.getFingerprint().toUpperCase(),
  };
}

Deno.test("verifyDockerManifestSignature() accepts a good signature and names each mismatch", async () => {
  const key = await makeKey("a");
  const { bytes } = await createSimpleSignature(MANIFEST, IDENTITY, key.sign);
  const ring = await readPublicKeys([new TextEncoder().encode(key.armored)]);
  const options = {
    manifest: MANIFEST,
    expectedDockerReference: "busybox:latest",
    expectedKeyFingerprint: key.fingerprint,
    ring,
  };
  const verified = await verifyDockerManifestSignature(bytes, options);
  assert.equal(verified.dockerManifestDigest, manifestDigest(MANIFEST));
  assert.equal(verified.keyFingerprint, key.fingerprint);
  const failures: Array<[Partial<typeof options>, RegExp]> = [
    [{ expectedDockerReference: "busybox:1" }, /does not match busybox:1$/],
    [
      { expectedKeyFingerprint: "AB" },
      /does not match expected fingerprint AB/,
    ],
    [{ manifest: new Uint8Array([123, 125]) }, /Signature for docker digest/],
  ];
  for (const [change, message] of failures) {
    await assert.rejects(
      verifyDockerManifestSignature(bytes, { ...options, ...change }),
      (e: unknown) =>
        e instanceof InvalidSignatureError && message.test(e.message),
    );
  }
  const tampered = bytes.slice();
  tampered[tampered.length >> 1]! ^= 1;
  await assert.rejects(
    verifyDockerManifestSignature(tampered, options),
    /Invalid GPG signature/,
  );
});

Deno.test("evaluateSignedBy() accepts one good signature among bad ones and explains rejections", async () => {
  const trusted = await makeKey("t");
  const stranger = await makeKey("s");
  const good = await createSimpleSignature(MANIFEST, IDENTITY, trusted.sign);
  const foreign = await createSimpleSignature(
    MANIFEST,
    IDENTITY,
    stranger.sign,
  );
  const requirement = {
    type: "signedBy",
    keyType: "GPGKeys",
    keyData: btoa(trusted.armored),
  };
  const image = (signatures: typeof good[]) => ({
    dockerReference: "docker.io/library/busybox:latest",
    manifest: MANIFEST,
    signatures,
  });
  assert.equal(
    await evaluateSignedBy(requirement, image([foreign, good])),
    undefined,
  );
  assert.equal(
    await evaluateSignedBy(requirement, image([])),
    "A signature was required, but no signature exists",
  );
  assert.match(
    (await evaluateSignedBy(requirement, image([foreign])))!,
    /^Invalid GPG signature: .*Could not find signing key/,
  );
  assert.match(
    (await evaluateSignedBy(
      { ...requirement, signedIdentity: { type: "matchExact" } },
      { ...image([good]), dockerReference: "docker.io/library/busybox:other" },
    ))!,
    /^Signature for identity docker.io\/library\/busybox:latest is not accepted$/,
  );
  assert.match(
    (await evaluateSignedBy(requirement, {
      ...image([good]),
      manifest: new Uint8Array([1]),
    }))!,
    /^Signature for digest sha256:[0-9a-f]{64} does not match$/,
  );
  assert.match(
    (await evaluateSignedBy(
      { ...requirement, keyType: "X509Certificates" },
      image([good]),
    ))!,
    /Unimplemented "keyType" value "X509Certificates"/,
  );
  assert.match(
    (await evaluateSignedBy(
      { ...requirement, keyPath: "/nonexistent" },
      image([good]),
    ))!,
    /not exactly one of "keyPath", "keyPaths" and "keyData"/,
  );
});
