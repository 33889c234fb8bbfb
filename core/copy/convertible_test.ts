import assert from "node:assert/strict";
import {
  canConvertManifest,
  canConvertSchema1,
  isSchema1,
} from "./convertible.ts";

// Literal strings, not media_types.ts: the test checks those names too.
const SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+prettyjws";
const SCHEMA1_UNSIGNED = "application/vnd.docker.distribution.manifest.v1+json";
const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

Deno.test("isSchema1() knows both schema1 types", () => {
  assert.ok(isSchema1(SCHEMA1));
  assert.ok(isSchema1(SCHEMA1_UNSIGNED));
  assert.ok(!isSchema1(DOCKER_V2));
});

Deno.test("canConvertSchema1() covers schema1 ↔ schema2/OCI only", () => {
  assert.ok(canConvertSchema1(SCHEMA1, OCI_MANIFEST));
  assert.ok(canConvertSchema1(SCHEMA1, DOCKER_V2));
  assert.ok(canConvertSchema1(OCI_MANIFEST, SCHEMA1));
  assert.ok(canConvertSchema1(DOCKER_V2, SCHEMA1));
  assert.ok(!canConvertSchema1(OCI_MANIFEST, DOCKER_V2));
  assert.ok(!canConvertSchema1(OCI_INDEX, SCHEMA1));
});

Deno.test("canConvertManifest() pairs Docker schema2 and OCI types only", () => {
  const cases: Array<[string, string, boolean]> = [
    [DOCKER_V2, OCI_MANIFEST, true],
    [OCI_MANIFEST, DOCKER_V2, true],
    [DOCKER_LIST, OCI_INDEX, true],
    [OCI_INDEX, DOCKER_LIST, true],
    [DOCKER_V2, DOCKER_V2, false],
    [DOCKER_V2, OCI_INDEX, false],
    [OCI_INDEX, DOCKER_V2, false],
    [
      "application/vnd.docker.distribution.manifest.v1+prettyjws",
      OCI_MANIFEST,
      false,
    ],
  ];
  for (const [from, to, expected] of cases) {
    assert.equal(canConvertManifest(from, to), expected, `${from} → ${to}`);
  }
});
