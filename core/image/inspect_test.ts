import assert from "node:assert/strict";
import { componentTest } from "../../tests/support/components.ts";
import { digestOf } from "../digest.ts";
import { DigestMismatchError, InvalidContentError } from "../errors.ts";
import { guessMediaType } from "../manifest/guess.ts";
import type { Digest, ManifestBlob } from "../types.ts";
import {
  buildInspectInfo,
  formatInspectJson,
  type InspectInfo,
} from "./inspect.ts";

const TESTDATA = new URL("./testdata/", import.meta.url).pathname;
const ENCODER = new TextEncoder();

interface InspectCase {
  name: string;
  ref: string;
  dockerName?: string;
  repoTags?: string[];
}

const CASES: InspectCase[] = JSON.parse(
  await Deno.readTextFile(`${TESTDATA}cases.json`),
);

interface StoredImage {
  manifest: ManifestBlob;
  configBytes?: Uint8Array;
}

/** Reads an image of the test folder the way the oci: and dir: transports store it. */
async function readImage(ref: string): Promise<StoredImage> {
  const [transport, path, tag] = ref.split(":") as [string, string, string?];
  const dir = `${TESTDATA}${path}`;
  let manifest: ManifestBlob;
  let blobPath: (digest: string) => string;
  if (transport === "oci") {
    blobPath = (digest) =>
      `${dir}/blobs/sha256/${digest.slice("sha256:".length)}`;
    const index = JSON.parse(await Deno.readTextFile(`${dir}/index.json`));
    const descriptor = index.manifests.find((
      m: { annotations?: Record<string, string> },
    ) => m.annotations?.["org.opencontainers.image.ref.name"] === tag);
    manifest = {
      bytes: await Deno.readFile(blobPath(descriptor.digest)),
      mediaType: descriptor.mediaType,
    };
  } else {
    blobPath = (digest) => `${dir}/${digest.slice("sha256:".length)}`;
    const bytes = await Deno.readFile(`${dir}/manifest.json`);
    manifest = { bytes, mediaType: guessMediaType(bytes) }; // dir: stores no type
  }
  const config = JSON.parse(new TextDecoder().decode(manifest.bytes)).config;
  if (config === undefined) return { manifest };
  return {
    manifest,
    configBytes: await Deno.readFile(blobPath(config.digest)),
  };
}

async function ourOutput(item: InspectCase): Promise<string> {
  const image = await readImage(item.ref);
  return formatInspectJson(buildInspectInfo({
    manifest: image.manifest,
    ...(image.configBytes ? { configBytes: image.configBytes } : {}),
    ...(item.dockerName ? { name: item.dockerName } : {}),
    repoTags: item.repoTags ?? [],
  }));
}

for (const item of CASES) {
  Deno.test(`formatInspectJson(buildInspectInfo()) matches skopeo's output for ${item.name}`, async () => {
    const golden = await Deno.readTextFile(
      `${TESTDATA}golden/${item.name}.json`,
    );
    assert.equal(await ourOutput(item), golden);
  });
}

componentTest({
  name:
    "buildInspectInfo() matches a live `skopeo inspect` on every oci: and dir: test image",
  components: ["skopeo"],
  fn: async () => {
    for (const item of CASES.filter((c) => c.dockerName === undefined)) {
      const [transport, path, ...rest] = item.ref.split(":");
      const ref = [transport, `${TESTDATA}${path}`, ...rest].join(":");
      const output = await new Deno.Command("skopeo", {
        args: ["inspect", ref],
      }).output();
      assert.ok(output.success, new TextDecoder().decode(output.stderr));
      assert.equal(
        await ourOutput(item),
        new TextDecoder().decode(output.stdout),
        item.name,
      );
    }
  },
});

const DIGEST_A = `sha256:${"a".repeat(64)}` as Digest;

function ociImage(
  config: unknown,
  configType = "application/vnd.oci.image.config.v1+json",
) {
  const configBytes = ENCODER.encode(JSON.stringify(config));
  const manifest = ENCODER.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {
      mediaType: configType,
      digest: digestOf(configBytes),
      size: configBytes.length,
    },
    layers: [{
      mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
      digest: DIGEST_A,
      size: 1,
    }],
  }));
  return {
    manifest: {
      bytes: manifest,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
    },
    configBytes,
    repoTags: [],
  };
}

Deno.test("buildInspectInfo() takes Digest from the top-level manifest when one is given", () => {
  const image = ociImage({ architecture: "amd64", os: "linux" });
  const list = ENCODER.encode('{"schemaVersion":2,"manifests":[]}');
  const info = buildInspectInfo({
    ...image,
    topLevelManifest: {
      bytes: list,
      mediaType: "application/vnd.oci.image.index.v1+json",
    },
  });
  assert.equal(info.Digest, digestOf(list));
  assert.equal(buildInspectInfo(image).Digest, digestOf(image.manifest.bytes));
});

Deno.test("buildInspectInfo() puts Name first and omits it when empty", () => {
  const image = ociImage({ architecture: "amd64", os: "linux" });
  const named = buildInspectInfo({ ...image, name: "docker.io/library/x" });
  assert.deepEqual(Object.keys(named).slice(0, 2), ["Name", "Digest"]);
  assert.ok(
    formatInspectJson(named).startsWith(
      '{\n    "Name": "docker.io/library/x",\n',
    ),
  );
  assert.equal("Name" in buildInspectInfo({ ...image, name: "" }), false);
});

Deno.test("buildInspectInfo() rejects OCI artifacts with skopeo's message", () => {
  const image = ociImage({}, "application/vnd.example.thing+json");
  assert.throws(() => buildInspectInfo(image), {
    name: "InvalidContentError",
    message:
      'unsupported image-specific operation on artifact with type "application/vnd.example.thing+json"',
  });
});

Deno.test("buildInspectInfo() rejects a manifest list", () => {
  const bytes = ENCODER.encode('{"schemaVersion":2,"manifests":[]}');
  assert.throws(
    () =>
      buildInspectInfo({
        manifest: {
          bytes,
          mediaType: "application/vnd.oci.image.index.v1+json",
        },
        repoTags: [],
      }),
    InvalidContentError,
  );
});

Deno.test("buildInspectInfo() requires the config blob and checks its digest", () => {
  const image = ociImage({ os: "linux" });
  assert.throws(
    () => buildInspectInfo({ manifest: image.manifest, repoTags: [] }),
    /without its config blob sha256:/,
  );
  assert.throws(
    () =>
      buildInspectInfo({
        ...image,
        configBytes: ENCODER.encode('{"os":"linux"} '),
      }),
    DigestMismatchError,
  );
});

Deno.test("buildInspectInfo() rejects a config Go would not decode, in one line", () => {
  for (
    const config of [
      { created: "2023-02-30T00:00:00Z" },
      { created: 5 },
      { architecture: 5 },
      { config: { Labels: { a: 1 } } },
      { config: { Env: "PATH=/bin" } },
    ]
  ) {
    assert.throws(() => buildInspectInfo(ociImage(config)), (error: Error) => {
      assert.ok(error instanceof InvalidContentError, String(error));
      assert.ok(!error.message.includes("\n"), error.message);
      assert.match(
        error.message,
        /^Invalid image config: (created|architecture|config\.)/,
      );
      return true;
    }, JSON.stringify(config));
  }
});

Deno.test("buildInspectInfo() prints Go's zero time for a Docker config without created", () => {
  const configBytes = ENCODER.encode('{"os":"linux"}');
  const bytes = ENCODER.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: {
      mediaType: "application/vnd.docker.container.image.v1+json",
      digest: digestOf(configBytes),
      size: configBytes.length,
    },
    layers: [],
  }));
  const info: InspectInfo = buildInspectInfo({
    manifest: {
      bytes,
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    },
    configBytes,
    repoTags: ["a"],
  });
  assert.equal(info.Created, "0001-01-01T00:00:00Z");
  assert.equal(buildInspectInfo(ociImage({ os: "linux" })).Created, null);
  assert.deepEqual(info.RepoTags, ["a"]);
});

Deno.test("formatInspectJson() escapes like Go and sorts label keys by code point", () => {
  const text = formatInspectJson({
    Digest: DIGEST_A,
    RepoTags: [],
    Created: null,
    DockerVersion: "",
    Labels: {
      "\uffff": "bmp",
      "\u{10000}": "astral",
      "2": "<&>",
      "10": "\u2028\x1f",
    },
    Architecture: "",
    Os: "",
    Layers: [],
    Env: ["\ud800"],
  });
  assert.equal(
    text,
    [
      "{",
      `    "Digest": "${DIGEST_A}",`,
      '    "RepoTags": [],',
      '    "Created": null,',
      '    "DockerVersion": "",',
      '    "Labels": {',
      '        "10": "\\u2028\\u001f",',
      '        "2": "\\u003c\\u0026\\u003e",',
      '        "\uffff": "bmp",',
      '        "\u{10000}": "astral"',
      "    },",
      '    "Architecture": "",',
      '    "Os": "",',
      '    "Layers": [],',
      '    "Env": [',
      '        "\\ufffd"',
      "    ]",
      "}",
      "",
    ].join("\n"),
  );
});
