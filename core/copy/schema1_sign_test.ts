import assert from "node:assert/strict";
import { digestHex, digestOf } from "../digest.ts";
import { signSchema1 } from "./schema1_sign.ts";

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(b64 + "=".repeat((4 - b64.length % 4) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Decodes libtrust's key ID back into the 30 bytes it encodes. */
function keyIdBytes(kid: string): Uint8Array {
  let bits = "";
  for (const c of kid.replaceAll(":", "")) {
    bits += BASE32.indexOf(c).toString(2).padStart(5, "0");
  }
  return Uint8Array.from(
    bits.match(/.{8}/g)!,
    (b) => parseInt(b, 2),
  );
}

interface Jws {
  header: { jwk: JsonWebKey & { kid: string }; alg: string };
  signature: string;
  protected: string;
}

async function verify(signed: Uint8Array): Promise<{
  payload: string;
  header: Record<string, unknown>;
  jws: Jws;
}> {
  const text = new TextDecoder().decode(signed);
  const { signatures } = JSON.parse(text) as { signatures: Jws[] };
  assert.equal(signatures.length, 1);
  const jws = signatures[0]!;
  const header = JSON.parse(
    new TextDecoder().decode(fromBase64Url(jws.protected)),
  );
  // libtrust's payload: the text up to formatLength, then formatTail.
  const payload = text.slice(0, header.formatLength) +
    new TextDecoder().decode(fromBase64Url(header.formatTail));
  const payload64 = btoa(payload).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
  const { kid: _, ...jwk } = jws.header.jwk;
  const key = await crypto.subtle.importKey(
    "jwk",
    jwk,
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["verify"],
  );
  const ok = await crypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-256" },
    key,
    fromBase64Url(jws.signature),
    new TextEncoder().encode(`${jws.protected}.${payload64}`),
  );
  assert.ok(ok, "the ES256 signature does not verify");
  // The key ID is the SHA-256 of the DER public key, first 240 bits.
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", key));
  const hash = digestHex(digestOf(spki));
  assert.equal(
    [...keyIdBytes(jws.header.jwk.kid)].map((b) =>
      b.toString(16).padStart(2, "0")
    ).join(""),
    hash.slice(0, 60),
  );
  return { payload, header, jws };
}

Deno.test("signSchema1() appends a verifiable libtrust signature to compact JSON", async () => {
  const unsigned = new TextEncoder().encode(
    '{"name":"","tag":"","fsLayers":[],"schemaVersion":1}',
  );
  const signed = await signSchema1(unsigned, {
    now: new Date("2024-01-02T03:04:05.678Z"),
  });
  const text = new TextDecoder().decode(signed);
  assert.ok(
    text.startsWith(
      '{"name":"","tag":"","fsLayers":[],"schemaVersion":1,"signatures":[{"header":{"jwk":{"crv":"P-256","kid":"',
    ),
    text,
  );
  const { payload, header, jws } = await verify(signed);
  assert.equal(payload, new TextDecoder().decode(unsigned));
  assert.deepEqual(header, {
    formatLength: unsigned.length - 1,
    formatTail: "fQ",
    time: "2024-01-02T03:04:05Z",
  });
  assert.equal(jws.header.alg, "ES256");
  assert.match(jws.header.jwk.kid, /^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
});

Deno.test("signSchema1() uses a fresh key each time", async () => {
  const unsigned = new TextEncoder().encode('{"schemaVersion":1}');
  const a = await verify(await signSchema1(unsigned));
  const b = await verify(await signSchema1(unsigned));
  assert.notEqual(a.jws.header.jwk.kid, b.jws.header.jwk.kid);
});

Deno.test("signSchema1() keeps an indented manifest's layout, as libtrust", async () => {
  const unsigned = new TextEncoder().encode(
    '{\n   "schemaVersion": 1,\n   "name": "a"\n}',
  );
  const signed = await signSchema1(unsigned);
  const text = new TextDecoder().decode(signed);
  assert.match(
    text,
    /^\{\n {3}"schemaVersion": 1,\n {3}"name": "a",\n {3}"signatures": \[\n {6}\{\n/,
  );
  assert.ok(text.endsWith("\n   ]\n}"), text);
  const { payload, header } = await verify(signed);
  assert.equal(payload, new TextDecoder().decode(unsigned));
  assert.equal(header.formatTail, "Cn0");
});

Deno.test("signSchema1() rejects text that is not a JSON object", async () => {
  await assert.rejects(
    () => signSchema1(new TextEncoder().encode("[1]")),
    /does not end with \}/,
  );
});

Deno.test("the signature check above accepts the signed schema1 fixture", async () => {
  const fixture = await Deno.readFile(
    new URL(
      "../../tests/fixtures/schema1/signed/manifest.json",
      import.meta.url,
    ),
  );
  const { header } = await verify(fixture);
  assert.equal(header.formatTail, "Cn0");
  // And it rejects the same text with one payload byte changed.
  const tampered = new TextDecoder().decode(fixture).replace(
    '"tag": "latest"',
    '"tag": "lateST"',
  );
  await assert.rejects(
    () => verify(new TextEncoder().encode(tampered)),
    /does not verify/,
  );
});
