import assert from "node:assert/strict";
import {
  ALL_MANIFEST_MEDIA_TYPES,
  isManifestListMediaType,
  isManifestMediaType,
  MEDIA_TYPE_DOCKER_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_SCHEMA1,
  MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_ZSTD,
  normalizeMediaType,
} from "./media_types.ts";

Deno.test("normalizeMediaType() drops parameters, trims and lowercases", () => {
  const cases: [string, string][] = [
    ["", ""],
    ["application/vnd.oci.image.index.v1+json", MEDIA_TYPE_OCI_INDEX],
    ["Application/VND.OCI.Image.Index.v1+JSON", MEDIA_TYPE_OCI_INDEX],
    [
      " application/vnd.oci.image.index.v1+json ; charset=utf-8",
      MEDIA_TYPE_OCI_INDEX,
    ],
    ["application/vnd.oci.image.index.v1+json;", MEDIA_TYPE_OCI_INDEX],
    ["text/plain; charset=utf-8", "text/plain"],
  ];
  for (const [input, expected] of cases) {
    assert.equal(normalizeMediaType(input), expected, input);
  }
});

Deno.test("ALL_MANIFEST_MEDIA_TYPES follows containers/image's Accept order", () => {
  assert.deepEqual(ALL_MANIFEST_MEDIA_TYPES, [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
    MEDIA_TYPE_DOCKER_SCHEMA1,
    "application/vnd.docker.distribution.manifest.list.v2+json",
    MEDIA_TYPE_OCI_INDEX,
  ]);
  assert.ok(Object.isFrozen(ALL_MANIFEST_MEDIA_TYPES));
});

Deno.test("media type constants carry the registered names", () => {
  assert.equal(
    MEDIA_TYPE_DOCKER_SCHEMA1,
    "application/vnd.docker.distribution.manifest.v1+json",
  );
  assert.equal(
    MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
  );
  assert.equal(
    MEDIA_TYPE_DOCKER_LAYER_GZIP,
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
  );
  assert.equal(
    MEDIA_TYPE_OCI_LAYER_NONDISTRIBUTABLE_ZSTD,
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
  );
});

Deno.test("isManifestListMediaType() and isManifestMediaType() classify types", () => {
  assert.deepEqual(ALL_MANIFEST_MEDIA_TYPES.filter(isManifestListMediaType), [
    "application/vnd.docker.distribution.manifest.list.v2+json",
    MEDIA_TYPE_OCI_INDEX,
  ]);
  assert.ok(ALL_MANIFEST_MEDIA_TYPES.every(isManifestMediaType));
  assert.equal(isManifestMediaType("application/json"), false);
  assert.equal(isManifestMediaType(MEDIA_TYPE_DOCKER_LAYER_GZIP), false);
});
