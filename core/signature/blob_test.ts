import assert from "node:assert/strict";
import { signatureFromBlob, signatureToBlob } from "./blob.ts";

Deno.test("signatureToBlob() keeps simple signing bytes and frames sigstore as JSON", () => {
  const simple = new Uint8Array([0xa3, 1, 2]);
  assert.deepEqual(
    signatureToBlob({ format: "simple-signing", bytes: simple }),
    simple,
  );
  const blob = signatureToBlob({
    format: "sigstore",
    bytes: new TextEncoder().encode("{}"),
    mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
    annotations: { a: "b" },
  });
  assert.equal(
    new TextDecoder().decode(blob),
    '\0sigstore-json\n{"mimeType":"application/vnd.dev.cosign.simplesigning.v1+json","payload":"e30=","annotations":{"a":"b"}}',
  );
  const back = signatureFromBlob(blob);
  assert.equal(back.format, "sigstore");
  assert.equal(new TextDecoder().decode(back.bytes), "{}");
  assert.deepEqual(back.annotations, { a: "b" });
});

Deno.test("signatureFromBlob() refuses unknown formats", () => {
  assert.throws(
    () => signatureFromBlob(new TextEncoder().encode("\0x509\nabc")),
    { message: 'unrecognized signature format "x509"' },
  );
  assert.deepEqual(
    signatureFromBlob(new TextEncoder().encode("\0simple-signing\nabc")).bytes,
    new TextEncoder().encode("abc"),
  );
});
