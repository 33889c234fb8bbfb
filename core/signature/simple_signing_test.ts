import assert from "node:assert/strict";
import {
  buildPayload,
  InvalidSignatureError,
  parsePayload,
} from "./simple_signing.ts";

const DIGEST =
  "sha256:fdc7bd2001eeb685d15c04f7e19600e69deb19e9195838988684dd96e2c542c4";
const encode = (text: string) => new TextEncoder().encode(text);

Deno.test("buildPayload() writes containers/image's bytes: sorted keys, Go escaping", () => {
  const text = new TextDecoder().decode(buildPayload({
    dockerManifestDigest: DIGEST,
    dockerReference: "docker.io/library/busybox:latest",
    creator: "a<b>&c",
    timestamp: 1795621476,
  }));
  assert.equal(
    text,
    `{"critical":{"identity":{"docker-reference":"docker.io/library/busybox:latest"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"atomic container signature"},"optional":{"creator":"a\\u003cb\\u003e\\u0026c","timestamp":1795621476}}`,
  );
});

Deno.test("buildPayload() leaves out absent optional fields and refuses empty content", () => {
  const text = new TextDecoder().decode(
    buildPayload({ dockerManifestDigest: DIGEST, dockerReference: "x" }),
  );
  assert.match(text, /"optional":\{\}\}$/);
  assert.throws(
    () => buildPayload({ dockerManifestDigest: "", dockerReference: "x" }),
    InvalidSignatureError,
  );
});

Deno.test("parsePayload() round-trips buildPayload()", () => {
  const payload = {
    dockerManifestDigest: DIGEST,
    dockerReference: "example.com/a/b:1",
    creator: "me",
    timestamp: 12,
  };
  assert.deepEqual(parsePayload(buildPayload(payload)), payload);
});

Deno.test("parsePayload() rejects unknown or missing critical keys but ignores unknown optional keys", () => {
  const critical = (extra: string) =>
    `{"type":"atomic container signature","image":{"docker-manifest-digest":"${DIGEST}"},"identity":{"docker-reference":"x"}${extra}}`;
  assert.deepEqual(
    parsePayload(encode(`{"critical":${critical("")},"optional":{"x":1}}`)),
    { dockerManifestDigest: DIGEST, dockerReference: "x" },
  );
  for (
    const bad of [
      `{"critical":${critical(',"more":1')},"optional":{}}`,
      `{"critical":${critical("")}}`,
      `{"critical":${critical("")},"optional":{},"extra":{}}`,
      `{"critical":${
        critical("").replace("atomic container signature", "other")
      },"optional":{}}`,
      `{"critical":${critical("")},"optional":{"timestamp":1.5}}`,
      `{"critical":${critical("")},"optional":{"creator":3}}`,
      `not json`,
    ]
  ) {
    assert.throws(() => parsePayload(encode(bad)), InvalidSignatureError, bad);
  }
});
