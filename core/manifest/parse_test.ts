import assert from "node:assert/strict";
import { componentTest } from "../../tests/support/components.ts";
import { InvalidContentError } from "../errors.ts";
import {
  MEDIA_TYPE_DOCKER_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  MEDIA_TYPE_DOCKER_SCHEMA1,
  MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
  MEDIA_TYPE_DOCKER_SCHEMA2,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
} from "./media_types.ts";
import { effectiveMediaType, manifestDigest, parseManifest } from "./parse.ts";
import type {
  ParsedImageManifest,
  ParsedManifestList,
} from "./parsed_manifest.ts";

const TESTDATA = new URL("./testdata/", import.meta.url).pathname;
const ENCODER = new TextEncoder();
const D = (c: string) => `sha256:${c.repeat(64)}`;

async function sample(file: string): Promise<Uint8Array> {
  return await Deno.readFile(`${TESTDATA}${file}`);
}

function image(parsed: ReturnType<typeof parseManifest>): ParsedImageManifest {
  assert.equal(parsed.kind, "image");
  return parsed as ParsedImageManifest;
}

function list(parsed: ReturnType<typeof parseManifest>): ParsedManifestList {
  assert.equal(parsed.kind, "list");
  return parsed as ParsedManifestList;
}

Deno.test("parseManifest() reads every field of an OCI manifest", async () => {
  const m = image(
    parseManifest({
      bytes: await sample("oci_manifest.json"),
      mediaType: MEDIA_TYPE_OCI_MANIFEST,
    }),
  );
  assert.equal(m.mediaType, MEDIA_TYPE_OCI_MANIFEST);
  assert.equal(m.schemaVersion, 2);
  assert.deepEqual(m.config, {
    mediaType: "application/vnd.oci.image.config.v1+json",
    digest:
      "sha256:876fc949a3a3b1eb4e0611624185f36fff15467ad1827d5758f05cd31ad7fbd8",
    size: 316,
  });
  assert.deepEqual(m.layers.map((l) => [l.mediaType, l.size]), [
    ["application/vnd.oci.image.layer.v1.tar+gzip", 99],
    ["application/vnd.oci.image.layer.v1.tar+zstd", 32],
    ["application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", 1024],
  ]);
  assert.deepEqual(m.layers[0]!.annotations, {
    "org.opencontainers.image.title": "hello.txt",
  });
  assert.deepEqual(m.layers[2]!.urls, ["https://example.com/layer.tar.gz"]);
  assert.equal(m.subject?.size, 527);
  assert.deepEqual(m.annotations, {
    "org.opencontainers.image.created": "2023-01-01T00:00:00Z",
  });
  assert.equal(m.schema1, undefined);
});

Deno.test("parseManifest() reads an OCI index with platforms", async () => {
  const l = list(
    parseManifest({
      bytes: await sample("oci_index.json"),
      mediaType: MEDIA_TYPE_OCI_INDEX,
    }),
  );
  assert.equal(l.mediaType, MEDIA_TYPE_OCI_INDEX);
  assert.deepEqual(l.manifests.map((d) => d.platform), [
    { architecture: "amd64", os: "linux" },
    { architecture: "arm", os: "linux", variant: "v7" },
    {
      architecture: "amd64",
      os: "windows",
      "os.version": "10.0.17763.1577",
      "os.features": ["win32k"],
    },
    undefined,
  ]);
  assert.deepEqual(l.manifests[3]!.annotations, {
    "vnd.docker.reference.type": "attestation-manifest",
  });
  assert.deepEqual(l.annotations, {
    "org.opencontainers.image.ref.name": "latest",
  });
});

Deno.test("parseManifest() reads Docker schema2 manifests and lists", async () => {
  const m = image(
    parseManifest({
      bytes: await sample("docker_schema2.json"),
      mediaType: MEDIA_TYPE_DOCKER_SCHEMA2,
    }),
  );
  assert.equal(
    m.config?.mediaType,
    "application/vnd.docker.container.image.v1+json",
  );
  assert.deepEqual(m.layers[1]!.urls, ["https://example.com/foreign.tar.gz"]);
  const l = list(
    parseManifest({
      bytes: await sample("docker_list.json"),
      mediaType: MEDIA_TYPE_DOCKER_MANIFEST_LIST,
    }),
  );
  // Docker's "features" is not part of an OCI platform.
  assert.deepEqual(l.manifests[1]!.platform, {
    architecture: "arm64",
    os: "linux",
    variant: "v8",
  });
});

Deno.test("parseManifest() returns schema1 layers base first with size -1 and the gzip type", async () => {
  for (const file of ["schema1_unsigned.json", "schema1_signed_pretty.json"]) {
    const m = image(
      parseManifest({ bytes: await sample(file), mediaType: "" }),
    );
    assert.equal(m.schemaVersion, 1);
    assert.equal(m.config, undefined);
    assert.deepEqual(m.layers, [
      {
        mediaType: MEDIA_TYPE_DOCKER_LAYER_GZIP,
        digest:
          "sha256:bcc3276f2c176deb60aaa4121acbb2d3ab6d84e1309cabb16c8b162a0ce7e5c8",
        size: -1,
      },
      {
        mediaType: MEDIA_TYPE_DOCKER_LAYER_GZIP,
        digest:
          "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4",
        size: -1,
      },
    ]);
    assert.equal(m.schema1?.name, "library/hello");
    assert.equal(m.schema1?.tag, "latest");
    assert.equal(m.schema1?.architecture, "amd64");
    assert.deepEqual(m.schema1?.history.map((h) => [h.created, h.throwaway]), [
      ["2023-05-04T17:37:03.872958712Z", true],
      ["2023-05-04T17:37:03.801840823+02:00", false],
    ]);
    assert.equal(
      JSON.parse(m.schema1!.history[0]!.json).docker_version,
      "20.10.23",
    );
  }
  const signed = image(
    parseManifest({
      bytes: await sample("schema1_signed_skopeo.json"),
      mediaType: "",
    }),
  );
  assert.equal(signed.mediaType, MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED);
  assert.equal(signed.layers.length, 2);
});

Deno.test("parseManifest() drops repeated consecutive schema1 history IDs like containers/image", async () => {
  const m = image(
    parseManifest({
      bytes: await sample("schema1_duplicate_ids.json"),
      mediaType: "",
    }),
  );
  const text = JSON.parse(
    new TextDecoder().decode(await sample("schema1_duplicate_ids.json")),
  );
  const blobs: string[] = text.fsLayers.map((l: { blobSum: string }) =>
    l.blobSum
  );
  // The earlier (upper) of the two repeated entries goes, with its fsLayer.
  assert.deepEqual(m.layers.map((l) => l.digest), [
    blobs[3],
    blobs[2],
    blobs[0],
  ]);
  assert.equal(m.schema1?.history.length, 3);
});

Deno.test("parseManifest() uses the declared type, ignoring parameters and case", async () => {
  const bytes = await sample("oci_manifest.json");
  const parsed = parseManifest({
    bytes,
    mediaType: "Application/vnd.oci.image.manifest.v1+json; charset=utf-8",
  });
  assert.equal(parsed.mediaType, MEDIA_TYPE_OCI_MANIFEST);
});

Deno.test("effectiveMediaType() guesses when the declared type is not a manifest type", async () => {
  const bytes = await sample("docker_list.json");
  assert.equal(
    effectiveMediaType({ bytes, mediaType: "" }),
    MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  );
  assert.equal(
    effectiveMediaType({ bytes, mediaType: "text/plain" }),
    MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  );
  assert.equal(
    effectiveMediaType({ bytes, mediaType: MEDIA_TYPE_OCI_INDEX }),
    MEDIA_TYPE_OCI_INDEX,
  );
  assert.equal(
    effectiveMediaType({ bytes: ENCODER.encode("x"), mediaType: "" }),
    "",
  );
});

const OCI_CONFIG = {
  mediaType: "application/vnd.oci.image.config.v1+json",
  digest: D("a"),
  size: 2,
};
const OCI_LAYER = {
  mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
  digest: D("b"),
  size: 3,
};
const S1_ENTRY = (id: string, extra: Record<string, unknown> = {}) => ({
  v1Compatibility: JSON.stringify({ id, ...extra }),
});

/** [name, declared type, document, expected message (after "Invalid ")]. */
const ERROR_CASES: [string, string, unknown, RegExp][] = [
  [
    "malformed JSON",
    MEDIA_TYPE_OCI_MANIFEST,
    "{",
    /^OCI image manifest: not valid JSON \(/,
  ],
  [
    "a JSON array",
    MEDIA_TYPE_OCI_MANIFEST,
    [],
    /^OCI image manifest: expected a JSON object$/,
  ],
  ["a missing schemaVersion", MEDIA_TYPE_OCI_MANIFEST, {
    config: OCI_CONFIG,
    layers: [],
  }, /missing schemaVersion \(expected 2\)/],
  [
    "a wrong schemaVersion",
    MEDIA_TYPE_OCI_MANIFEST,
    { schemaVersion: 1, config: OCI_CONFIG, layers: [] },
    /^OCI image manifest: unsupported schemaVersion 1 \(expected 2\)$/,
  ],
  [
    "a string schemaVersion",
    MEDIA_TYPE_OCI_MANIFEST,
    { schemaVersion: "2", config: OCI_CONFIG, layers: [] },
    /^OCI image manifest: schemaVersion: expected an integer, got string$/,
  ],
  ["a missing config", MEDIA_TYPE_OCI_MANIFEST, {
    schemaVersion: 2,
    layers: [],
  }, /^OCI image manifest: config: missing$/],
  ["missing layers", MEDIA_TYPE_OCI_MANIFEST, {
    schemaVersion: 2,
    config: OCI_CONFIG,
  }, /^OCI image manifest: layers: missing$/],
  [
    "layers that are not an array",
    MEDIA_TYPE_OCI_MANIFEST,
    { schemaVersion: 2, config: OCI_CONFIG, layers: {} },
    /^OCI image manifest: layers: expected an array, got object$/,
  ],
  [
    "a mediaType field of another format",
    MEDIA_TYPE_OCI_MANIFEST,
    {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_DOCKER_SCHEMA2,
      config: OCI_CONFIG,
      layers: [],
    },
    /^OCI image manifest: mediaType "application\/vnd\.docker\.distribution\.manifest\.v2\+json" does not match the declared type "application\/vnd\.oci\.image\.manifest\.v1\+json"$/,
  ],
  [
    "a digest that does not parse",
    MEDIA_TYPE_OCI_MANIFEST,
    {
      schemaVersion: 2,
      config: OCI_CONFIG,
      layers: [{ ...OCI_LAYER, digest: "sha256:xyz" }],
    },
    /^OCI image manifest: layers\[0\]\.digest: Invalid digest "sha256:xyz"/,
  ],
  [
    "an unsupported digest algorithm",
    MEDIA_TYPE_OCI_MANIFEST,
    {
      schemaVersion: 2,
      config: { ...OCI_CONFIG, digest: "md5:" + "a".repeat(32) },
      layers: [],
    },
    /^OCI image manifest: config\.digest: Unsupported digest algorithm "md5"/,
  ],
  [
    "a missing layer digest",
    MEDIA_TYPE_OCI_MANIFEST,
    {
      schemaVersion: 2,
      config: OCI_CONFIG,
      layers: [{ mediaType: "x", size: 1 }],
    },
    /^OCI image manifest: layers\[0\]\.digest: missing digest$/,
  ],
  [
    "a missing size",
    MEDIA_TYPE_OCI_MANIFEST,
    {
      schemaVersion: 2,
      config: { mediaType: "x", digest: D("a") },
      layers: [],
    },
    /^OCI image manifest: config\.size: missing$/,
  ],
  [
    "a fractional size",
    MEDIA_TYPE_OCI_MANIFEST,
    { schemaVersion: 2, config: { ...OCI_CONFIG, size: 1.5 }, layers: [] },
    /^OCI image manifest: config\.size: expected an integer, got number$/,
  ],
  [
    "a non-string annotation",
    MEDIA_TYPE_OCI_MANIFEST,
    { schemaVersion: 2, config: OCI_CONFIG, layers: [], annotations: { a: 1 } },
    /^OCI image manifest: annotations\.a: expected a string, got number$/,
  ],
  [
    "another format's fields",
    MEDIA_TYPE_OCI_MANIFEST,
    {
      schemaVersion: 2,
      config: OCI_CONFIG,
      layers: [],
      manifests: [],
      fsLayers: [],
    },
    /^OCI image manifest: ambiguous manifest, unexpected fields "fsLayers", "manifests"$/,
  ],
  [
    "an index without manifests",
    MEDIA_TYPE_OCI_INDEX,
    { schemaVersion: 2 },
    /^OCI image index: manifests: missing$/,
  ],
  [
    "an index with layers",
    MEDIA_TYPE_OCI_INDEX,
    { schemaVersion: 2, manifests: [], Layers: [] },
    /^OCI image index: ambiguous manifest, unexpected fields "layers"$/,
  ],
  [
    "an index declaring a manifest mediaType",
    MEDIA_TYPE_OCI_INDEX,
    { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_MANIFEST, manifests: [] },
    /does not match the declared type/,
  ],
  [
    "a platform that is not an object",
    MEDIA_TYPE_OCI_INDEX,
    { schemaVersion: 2, manifests: [{ ...OCI_LAYER, platform: "linux" }] },
    /^OCI image index: manifests\[0\]\.platform: expected an object, got string$/,
  ],
  [
    "a schema2 manifest without mediaType",
    MEDIA_TYPE_DOCKER_SCHEMA2,
    { schemaVersion: 2, config: OCI_CONFIG, layers: [] },
    /^Docker schema2 manifest: missing mediaType \(expected "application\/vnd\.docker\.distribution\.manifest\.v2\+json"\)$/,
  ],
  [
    "a schema2 manifest with OCI layers",
    MEDIA_TYPE_DOCKER_SCHEMA2,
    {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_DOCKER_SCHEMA2,
      config: OCI_CONFIG,
      layers: [OCI_LAYER],
    },
    /^Docker schema2 manifest: layers\[0\]\.mediaType: unsupported Docker layer type "application\/vnd\.oci\.image\.layer\.v1\.tar\+gzip"$/,
  ],
  [
    "a Docker list declaring the schema2 type",
    MEDIA_TYPE_DOCKER_MANIFEST_LIST,
    { schemaVersion: 2, mediaType: MEDIA_TYPE_DOCKER_SCHEMA2, manifests: [] },
    /^Docker manifest list: mediaType "application\/vnd\.docker\.distribution\.manifest\.v2\+json" does not match/,
  ],
  [
    "schema1 with schemaVersion 2",
    MEDIA_TYPE_DOCKER_SCHEMA1,
    {
      schemaVersion: 2,
      fsLayers: [{ blobSum: D("b") }],
      history: [S1_ENTRY("a".repeat(64))],
    },
    /^Docker schema1 manifest: unsupported schemaVersion 2 \(expected 1\)$/,
  ],
  [
    "schema1 with an OCI mediaType",
    MEDIA_TYPE_DOCKER_SCHEMA1,
    {
      schemaVersion: 1,
      mediaType: MEDIA_TYPE_OCI_MANIFEST,
      fsLayers: [],
      history: [],
    },
    /^Docker schema1 manifest: mediaType "application\/vnd\.oci\.image\.manifest\.v1\+json" does not match/,
  ],
  [
    "schema1 with layers",
    MEDIA_TYPE_DOCKER_SCHEMA1,
    {
      schemaVersion: 1,
      layers: [],
      fsLayers: [{ blobSum: D("b") }],
      history: [S1_ENTRY("a".repeat(64))],
    },
    /^Docker schema1 manifest: ambiguous manifest, unexpected fields "layers"$/,
  ],
  [
    "schema1 without layers",
    MEDIA_TYPE_DOCKER_SCHEMA1,
    { schemaVersion: 1 },
    /^Docker schema1 manifest: fsLayers: no layers$/,
  ],
  [
    "schema1 with history and layers of different lengths",
    MEDIA_TYPE_DOCKER_SCHEMA1,
    { schemaVersion: 1, fsLayers: [{ blobSum: D("b") }], history: [] },
    /^Docker schema1 manifest: history has 0 entries but fsLayers has 1$/,
  ],
  [
    "schema1 with a bad blobSum",
    MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
    {
      schemaVersion: 1,
      fsLayers: [{ blobSum: "sha256:xyz" }],
      history: [S1_ENTRY("a".repeat(64))],
    },
    /^Docker schema1 manifest: fsLayers\[0\]\.blobSum: Invalid digest/,
  ],
  [
    "schema1 with a v1Compatibility that is not JSON",
    MEDIA_TYPE_DOCKER_SCHEMA1,
    {
      schemaVersion: 1,
      fsLayers: [{ blobSum: D("b") }],
      history: [{ v1Compatibility: "nope" }],
    },
    /^Docker schema1 manifest: history\[0\]\.v1Compatibility: not valid JSON/,
  ],
  [
    "schema1 with an invalid image ID",
    MEDIA_TYPE_DOCKER_SCHEMA1,
    {
      schemaVersion: 1,
      fsLayers: [{ blobSum: D("b") }],
      history: [S1_ENTRY("x")],
    },
    /^Docker schema1 manifest: history\[0\]\.v1Compatibility\.id: image ID "x" is invalid$/,
  ],
  [
    "schema1 with an invalid created time",
    MEDIA_TYPE_DOCKER_SCHEMA1,
    {
      schemaVersion: 1,
      fsLayers: [{ blobSum: D("b") }],
      history: [S1_ENTRY("a".repeat(64), { created: "bad" })],
    },
    /^Docker schema1 manifest: history\[0\]\.v1Compatibility\.created: cannot parse "bad"/,
  ],
  [
    "schema1 whose base layer has a parent",
    MEDIA_TYPE_DOCKER_SCHEMA1,
    {
      schemaVersion: 1,
      fsLayers: [{ blobSum: D("b") }],
      history: [S1_ENTRY("a".repeat(64), { parent: "b".repeat(64) })],
    },
    /^Docker schema1 manifest: the base layer has parent ID "b{64}"; it must have none$/,
  ],
  [
    "schema1 with a broken parent chain",
    MEDIA_TYPE_DOCKER_SCHEMA1,
    {
      schemaVersion: 1,
      fsLayers: [{ blobSum: D("b") }, { blobSum: D("b") }],
      history: [
        S1_ENTRY("a".repeat(64), { parent: "c".repeat(64) }),
        S1_ENTRY("b".repeat(64)),
      ],
    },
    /^Docker schema1 manifest: history entry 0 has parent ID "c{64}", expected b{64}$/,
  ],
  [
    "schema1 with a non-consecutive repeated ID",
    MEDIA_TYPE_DOCKER_SCHEMA1,
    {
      schemaVersion: 1,
      fsLayers: [{ blobSum: D("b") }, { blobSum: D("b") }, { blobSum: D("b") }],
      history: [
        S1_ENTRY("a".repeat(64)),
        S1_ENTRY("b".repeat(64)),
        S1_ENTRY("a".repeat(64)),
      ],
    },
    /^Docker schema1 manifest: ID a{64} appears multiple times in history$/,
  ],
  [
    "content that is no manifest",
    "",
    "hello",
    /^Unrecognized manifest format$/,
  ],
  [
    "an unknown declared type and content",
    "text/plain",
    "hello",
    /^Unrecognized manifest format \(declared type "text\/plain"\)$/,
  ],
  [
    "an artifact-typed index guess",
    "",
    {
      schemaVersion: 2,
      config: { mediaType: "application/x-custom" },
      manifests: [{}],
    },
    /^Unsupported manifest type "application\/x-custom"$/,
  ],
];

for (const [name, mediaType, document, expected] of ERROR_CASES) {
  Deno.test(`parseManifest() rejects ${name} with a one-line message`, () => {
    const bytes = ENCODER.encode(
      typeof document === "string" ? document : JSON.stringify(document),
    );
    assert.throws(
      () => parseManifest({ bytes, mediaType }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidContentError, String(error));
        assert.ok(!error.message.includes("\n"), error.message);
        assert.match(error.message.replace(/^Invalid /, ""), expected);
        return true;
      },
    );
  });
}

const DIGEST_GOLDEN: Record<string, string> = JSON.parse(
  await Deno.readTextFile(`${TESTDATA}manifest_digest.golden.json`),
);

Deno.test("manifestDigest() agrees with the recorded `skopeo manifest-digest` of every sample", async () => {
  assert.ok(Object.keys(DIGEST_GOLDEN).length >= 10);
  for (const [file, expected] of Object.entries(DIGEST_GOLDEN)) {
    const bytes = await sample(file);
    if (expected === "error") {
      assert.throws(() => manifestDigest(bytes), InvalidContentError, file);
    } else {
      assert.equal(manifestDigest(bytes), expected, file);
      assert.equal(manifestDigest({ bytes, mediaType: "" }), expected, file);
    }
  }
});

Deno.test("manifestDigest() strips the JWS of a signed schema1 manifest, whatever the declared type", async () => {
  const signed = await sample("schema1_signed_pretty.json");
  const unsigned = await sample("schema1_unsigned.json");
  assert.notDeepEqual(signed, unsigned);
  assert.equal(
    manifestDigest({ bytes: signed, mediaType: MEDIA_TYPE_DOCKER_SCHEMA1 }),
    manifestDigest(unsigned),
  );
});

componentTest({
  name:
    "manifestDigest() matches a live `skopeo manifest-digest` on every sample",
  components: ["skopeo"],
  fn: async () => {
    for (const file of Object.keys(DIGEST_GOLDEN)) {
      const output = await new Deno.Command("skopeo", {
        args: ["manifest-digest", `${TESTDATA}${file}`],
      })
        .output();
      const bytes = await sample(file);
      if (output.success) {
        assert.equal(
          manifestDigest(bytes),
          new TextDecoder().decode(output.stdout).trim(),
          file,
        );
      } else {
        assert.throws(() => manifestDigest(bytes), InvalidContentError, file);
      }
    }
  },
});
