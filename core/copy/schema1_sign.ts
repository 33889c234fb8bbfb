/**
 * Signs a schema1 manifest as containers/image does before writing one
 * (registries require a signature even on "unsigned" schema1): a fresh
 * libtrust-style ECDSA P-256 key, an ES256 JWS over the manifest, written
 * in libtrust's "pretty signature" form (the `signatures` member appended
 * to the manifest text). The key and the `time` make every signature
 * unique, as in skopeo.
 *
 * @module
 */
import { digestHex, digestOf } from "../digest.ts";
import { InvalidContentError } from "../errors.ts";
import { goJsonStringify } from "./go_json.ts";

function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(
    /=+$/,
    "",
  );
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * libtrust's key ID: the first 240 bits of the SHA-256 of the DER public
 * key, base32, in groups of four joined by colons.
 */
function libtrustKeyId(spki: Uint8Array): string {
  const hash = digestHex(digestOf(spki));
  const first30 = new Uint8Array(30);
  for (let i = 0; i < 30; i++) {
    first30[i] = parseInt(hash.slice(i * 2, i * 2 + 2), 16);
  }
  return base32(first30).match(/.{1,4}/g)!.join(":");
}

/** Options of {@linkcode signSchema1}. */
export interface SignSchema1Options {
  /** The signing time (default: now), in the protected header. */
  now?: Date;
}

/**
 * Adds a fresh-key ES256 signature to a schema1 manifest.
 *
 * @param unsigned The manifest JSON, without `signatures`.
 * @param options The signing time.
 * @returns The signed manifest (`application/vnd.docker.distribution.manifest.v1+prettyjws`).
 * @throws {InvalidContentError} When the manifest does not end with `}`.
 */
export async function signSchema1(
  unsigned: Uint8Array,
  options: SignSchema1Options = {},
): Promise<Uint8Array> {
  const text = new TextDecoder().decode(unsigned);
  const close = text.trimEnd().length - 1;
  if (text[close] !== "}") {
    throw new InvalidContentError("Schema1 manifest does not end with }");
  }
  const formatLength = text.slice(0, close).trimEnd().length;
  if (text[formatLength - 1] === ",") {
    throw new InvalidContentError("Schema1 manifest ends with a comma");
  }
  const tail = new TextEncoder().encode(text.slice(formatLength));
  const time = (options.now ?? new Date()).toISOString().replace(
    /\.\d+Z$/,
    "Z",
  );
  // libtrust marshals this map, so its keys are sorted.
  const protectedHeader = base64Url(
    new TextEncoder().encode(
      goJsonStringify({ formatLength, formatTail: base64Url(tail), time }),
    ),
  );
  const key = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign"],
  );
  const signingInput = new TextEncoder().encode(
    `${protectedHeader}.${base64Url(unsigned)}`,
  );
  // WebCrypto's ECDSA output is r‖s, JOSE's ES256 form.
  const signature = new Uint8Array(
    await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" },
      key.privateKey,
      signingInput,
    ),
  );
  const jwk = await crypto.subtle.exportKey("jwk", key.publicKey);
  const spki = new Uint8Array(
    await crypto.subtle.exportKey("spki", key.publicKey),
  );
  const signatures = [{
    header: {
      jwk: {
        crv: "P-256",
        kid: libtrustKeyId(spki),
        kty: "EC",
        x: jwk.x,
        y: jwk.y,
      },
      alg: "ES256",
    },
    signature: base64Url(signature),
    protected: protectedHeader,
  }];
  // libtrust keeps the manifest's indentation for the signatures member.
  const indent = /^\{\n( +)"/.exec(text)?.[1] ?? "";
  const member = indent
    ? `,\n${indent}"signatures": ${
      JSON.stringify(signatures, null, indent).replaceAll("\n", `\n${indent}`)
    }\n}`
    : `,"signatures":${goJsonStringify(signatures)}}`;
  return new TextEncoder().encode(text.slice(0, formatLength) + member);
}
