import assert from "node:assert/strict";
import { InvalidContentError } from "../errors.ts";
import { parseDockerSchema1, schema1SignedPayload } from "./docker_schema1.ts";
import {
  MEDIA_TYPE_DOCKER_SCHEMA1,
  MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
} from "./media_types.ts";

const TESTDATA = new URL("./testdata/", import.meta.url).pathname;
const ENCODER = new TextEncoder();

function base64Url(text: string): string {
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(
    /=+$/,
    "",
  );
}

function signedWith(
  protectedHeaders: unknown[],
  body = '{"schemaVersion":1',
): Uint8Array {
  const signatures = protectedHeaders.map((header) => ({
    header: { alg: "ES256" },
    signature: "c2ln",
    protected: typeof header === "string"
      ? header
      : base64Url(JSON.stringify(header)),
  }));
  return ENCODER.encode(`${body},"signatures":${JSON.stringify(signatures)}}`);
}

Deno.test("schema1SignedPayload() of a pretty-signed manifest is the unsigned manifest", async () => {
  const signed = await Deno.readFile(`${TESTDATA}schema1_signed_pretty.json`);
  const unsigned = await Deno.readFile(`${TESTDATA}schema1_unsigned.json`);
  assert.deepEqual(schema1SignedPayload(signed), unsigned);
});

Deno.test("schema1SignedPayload() of skopeo's compact signature drops the signatures member", async () => {
  const signed = await Deno.readFile(`${TESTDATA}schema1_signed_skopeo.json`);
  const payload = new TextDecoder().decode(schema1SignedPayload(signed));
  const expected = JSON.parse(new TextDecoder().decode(signed));
  delete expected.signatures;
  assert.deepEqual(JSON.parse(payload), expected);
  assert.ok(!payload.includes("signatures"));
  assert.ok(payload.endsWith("}"));
});

Deno.test("schema1SignedPayload() follows libtrust for several signatures", () => {
  const body = '{"schemaVersion":1';
  // The first non-zero formatLength and non-empty tail win; equal ones agree.
  assert.equal(
    new TextDecoder().decode(schema1SignedPayload(signedWith([
      { formatLength: 0, formatTail: "" },
      { formatLength: body.length, formatTail: base64Url("}") },
      { formatLength: body.length + 0.9, formatTail: base64Url("}") },
    ]))),
    '{"schemaVersion":1}',
  );
  // No signatures at all: an empty payload, as libtrust computes it.
  assert.equal(
    schema1SignedPayload(ENCODER.encode('{"signatures":[]}')).length,
    0,
  );
});

Deno.test("schema1SignedPayload() rejects malformed JWS parts", () => {
  const body = '{"schemaVersion":1';
  const cases: [string, Uint8Array, RegExp][] = [
    [
      "no signatures member",
      ENCODER.encode('{"Signatures":[]}'),
      /missing signatures$/,
    ],
    [
      "signatures not an array",
      ENCODER.encode('{"signatures":5}'),
      /signatures: expected an array$/,
    ],
    [
      "protected not base64url",
      signedWith(["a+b/"]),
      /protected is not base64url$/,
    ],
    [
      "protected not JSON",
      signedWith([base64Url("nope")]),
      /protected: not valid JSON/,
    ],
    [
      "no formatLength",
      signedWith([{ formatTail: "fQ" }]),
      /missing formatLength$/,
    ],
    [
      "a string formatLength",
      signedWith([{ formatLength: "1", formatTail: "fQ" }]),
      /missing formatLength$/,
    ],
    ["no formatTail", signedWith([{ formatLength: 1 }]), /missing formatTail$/],
    [
      "a formatLength past the end",
      signedWith([{ formatLength: 1000, formatTail: "fQ" }]),
      /formatLength 1000 is outside/,
    ],
    [
      "a negative formatLength",
      signedWith([{ formatLength: -1, formatTail: "fQ" }]),
      /formatLength -1 is outside/,
    ],
    [
      "conflicting lengths",
      signedWith([{ formatLength: body.length, formatTail: "fQ" }, {
        formatLength: 3,
        formatTail: "fQ",
      }]),
      /conflicting formatLength/,
    ],
    [
      "conflicting tails",
      signedWith([{ formatLength: body.length, formatTail: "fQ" }, {
        formatLength: body.length,
        formatTail: "XQ",
      }]),
      /conflicting formatTail/,
    ],
    [
      "a jwk that is no key",
      ENCODER.encode(
        `{"signatures":[{"header":{"jwk":null},"protected":"${
          base64Url('{"formatLength":1,"formatTail":""}')
        }"}]}`,
      ),
      /header\.jwk: not a JSON web key$/,
    ],
  ];
  for (const [name, bytes, expected] of cases) {
    assert.throws(() => schema1SignedPayload(bytes), (error: unknown) => {
      assert.ok(error instanceof InvalidContentError, `${name}: ${error}`);
      assert.match(error.message, /^Invalid signed schema1 manifest: /, name);
      assert.match(error.message, expected, name);
      return true;
    });
  }
});

Deno.test("parseDockerSchema1() takes the signed type from the content unless told", async () => {
  const signed = await Deno.readFile(`${TESTDATA}schema1_signed_pretty.json`);
  const unsigned = await Deno.readFile(`${TESTDATA}schema1_unsigned.json`);
  assert.equal(
    parseDockerSchema1(signed).mediaType,
    MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
  );
  assert.equal(
    parseDockerSchema1(unsigned).mediaType,
    MEDIA_TYPE_DOCKER_SCHEMA1,
  );
  assert.equal(
    parseDockerSchema1(unsigned, { signed: true }).mediaType,
    MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
  );
});

Deno.test("parseDockerSchema1() gives Go's zero time to history without created", () => {
  const id = "a".repeat(64);
  const m = parseDockerSchema1(ENCODER.encode(JSON.stringify({
    schemaVersion: 1,
    fsLayers: [{ blobSum: `sha256:${"b".repeat(64)}` }],
    history: [{ v1Compatibility: JSON.stringify({ id }) }],
  })));
  assert.equal(m.schema1?.history[0]?.created, "0001-01-01T00:00:00Z");
  assert.equal(m.schema1?.tag, "");
});
