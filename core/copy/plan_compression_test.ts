import assert from "node:assert/strict";
import {
  compressionOfMediaType,
  type CompressionStep,
  decideCompressionStep,
  type DesiredCompression,
  layerMediaTypeFor,
} from "./plan_compression.ts";

const CASES: Array<
  [
    string | undefined,
    DesiredCompression,
    string | undefined,
    boolean,
    CompressionStep,
  ]
> = [
  [undefined, "compress", undefined, true, {
    op: "compress",
    algorithm: "gzip",
  }],
  [undefined, "compress", "zstd", true, { op: "compress", algorithm: "zstd" }],
  ["gzip", "compress", undefined, true, { op: "preserve" }],
  ["gzip", "compress", "gzip", true, { op: "preserve" }],
  ["gzip", "compress", "zstd", true, { op: "recompress", algorithm: "zstd" }],
  ["zstd", "compress", "gzip", true, { op: "recompress", algorithm: "gzip" }],
  ["gzip", "decompress", undefined, true, { op: "decompress" }],
  ["zstd", "decompress", "gzip", true, { op: "decompress" }],
  [undefined, "decompress", undefined, true, { op: "preserve" }],
  ["gzip", "preserve", "zstd", true, { op: "preserve" }],
  [undefined, "preserve", undefined, true, { op: "preserve" }],
  [undefined, "compress", undefined, false, { op: "preserve" }],
  ["gzip", "decompress", undefined, false, { op: "preserve" }],
];

for (const [detected, desired, requestedFormat, canModify, expected] of CASES) {
  Deno.test(`decideCompressionStep() ${detected ?? "plain"} → ${desired}${requestedFormat ? ` (${requestedFormat})` : ""}${canModify ? "" : ", frozen"} = ${expected.op}`, () => {
    assert.deepEqual(
      decideCompressionStep({ detected, desired, requestedFormat, canModify }),
      expected,
    );
  });
}

Deno.test("compressionOfMediaType() reads the suffix", () => {
  assert.equal(
    compressionOfMediaType("application/vnd.oci.image.layer.v1.tar+gzip"),
    "gzip",
  );
  assert.equal(
    compressionOfMediaType("application/vnd.oci.image.layer.v1.tar+zstd"),
    "zstd",
  );
  assert.equal(
    compressionOfMediaType("application/vnd.oci.image.layer.v1.tar"),
    undefined,
  );
  assert.equal(
    compressionOfMediaType("application/vnd.docker.image.rootfs.diff.tar.gzip"),
    "gzip",
  );
  assert.equal(
    compressionOfMediaType("application/vnd.docker.image.rootfs.diff.tar"),
    undefined,
  );
  assert.equal(compressionOfMediaType("application/octet-stream"), "unknown");
});

Deno.test("layerMediaTypeFor() maps compression onto each format's types", () => {
  assert.equal(
    layerMediaTypeFor("application/vnd.oci.image.layer.v1.tar+gzip", undefined),
    "application/vnd.oci.image.layer.v1.tar",
  );
  assert.equal(
    layerMediaTypeFor("application/vnd.oci.image.layer.v1.tar", "zstd"),
    "application/vnd.oci.image.layer.v1.tar+zstd",
  );
  assert.equal(
    layerMediaTypeFor(
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
      undefined,
    ),
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
  );
  assert.equal(
    layerMediaTypeFor("application/vnd.docker.image.rootfs.diff.tar", "gzip"),
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
  );
  assert.equal(
    layerMediaTypeFor(
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      undefined,
    ),
    "application/vnd.docker.image.rootfs.diff.tar",
  );
  assert.throws(
    () =>
      layerMediaTypeFor("application/vnd.docker.image.rootfs.diff.tar", "zstd"),
    /zstd compression is not supported for docker images/,
  );
});
