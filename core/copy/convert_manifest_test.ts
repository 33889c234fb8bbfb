import assert from "node:assert/strict";
import { componentTest } from "../../tests/support/components.ts";
import { digestOf } from "../digest.ts";
import { InvalidContentError } from "../errors.ts";
import { systemPlatform } from "../manifest/platform.ts";
import type { ManifestBlob } from "../types.ts";
import { convertManifest } from "./convert_manifest.ts";

// Golden files (`*.golden`) are skopeo 1.9.3's own output for the inputs
// (`*.input`, the fixtures under tests/fixtures); the component test at the
// end re-derives them with skopeo (UPDATE_GOLDEN=1 rewrites them). They are
// not `.json` so that `deno fmt` keeps their bytes.

const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

const TESTDATA = new URL("./testdata/", import.meta.url);
const FIXTURES = new URL("../../tests/fixtures/", import.meta.url);
const DOCKER_DIR = new URL("dir/docker-v2/", FIXTURES);
const OCI_LAYOUT = new URL("oci/", FIXTURES);

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const testdata = (name: string) => Deno.readFileSync(new URL(name, TESTDATA));
const blob = (mediaType: string, bytes: Uint8Array): ManifestBlob => ({
  mediaType,
  bytes,
});

/** A blob of the fixture OCI layout, by the image's tag. */
function ociTagged(tag: string): Uint8Array {
  const index = JSON.parse(
    Deno.readTextFileSync(new URL("index.json", OCI_LAYOUT)),
  ) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const entry = index.manifests.find((m) =>
    m.annotations?.["org.opencontainers.image.ref.name"] === tag
  )!;
  return Deno.readFileSync(
    new URL(`blobs/sha256/${entry.digest.slice(7)}`, OCI_LAYOUT),
  );
}

/** The fixture Docker image's config blob. */
function dockerFixtureConfig(manifest: Uint8Array): Uint8Array {
  const digest = JSON.parse(text(manifest)).config.digest as string;
  return Deno.readFileSync(new URL(digest.slice(7), DOCKER_DIR));
}

/**
 * A list as the copy engine has it when it converts the list: instances
 * already converted, so their digests and sizes are the destination's.
 */
function withInstancesOf(list: Uint8Array, converted: Uint8Array): Uint8Array {
  const json = JSON.parse(text(list));
  const targets = JSON.parse(text(converted)).manifests;
  json.manifests.forEach((m: Record<string, unknown>, i: number) => {
    m.digest = targets[i].digest;
    m.size = targets[i].size;
  });
  return new TextEncoder().encode(JSON.stringify(json));
}

Deno.test("convertManifest() turns the Docker fixture into skopeo's OCI manifest", () => {
  const source = Deno.readFileSync(new URL("manifest.json", DOCKER_DIR));
  const config = dockerFixtureConfig(source);
  const out = convertManifest(blob(DOCKER_V2, source), OCI_MANIFEST, {
    config,
  });
  assert.equal(out.mediaType, OCI_MANIFEST);
  assert.equal(text(out.bytes), text(testdata("fixture_docker_to_oci.golden")));
  // This config is already in OCI form: re-encoding keeps its bytes.
  assert.deepEqual(out.config, config);
});

Deno.test("convertManifest() re-encodes a Docker config as skopeo does", () => {
  const config = testdata("rich_docker_config.input");
  const out = convertManifest(
    blob(DOCKER_V2, testdata("rich_docker_manifest.input")),
    OCI_MANIFEST,
    { config },
  );
  assert.equal(text(out.bytes), text(testdata("rich_docker_to_oci.golden")));
  assert.ok(out.config);
  assert.equal(
    text(out.config),
    text(testdata("rich_docker_to_oci_config.golden")),
  );
  const descriptor = JSON.parse(text(out.bytes)).config;
  assert.equal(descriptor.digest, digestOf(out.config));
  assert.equal(descriptor.size, out.config.length);
  assert.notEqual(descriptor.digest, digestOf(config));
});

Deno.test("convertManifest() keeps the config descriptor when no config is given", () => {
  const source = testdata("rich_docker_manifest.input");
  const out = convertManifest(blob(DOCKER_V2, source), OCI_MANIFEST);
  assert.equal(out.config, undefined);
  assert.deepEqual(JSON.parse(text(out.bytes)).config, {
    mediaType: "application/vnd.oci.image.config.v1+json",
    digest: JSON.parse(text(source)).config.digest,
    size: JSON.parse(text(source)).config.size,
  });
});

Deno.test("convertManifest() turns the OCI fixture into skopeo's Docker manifest", () => {
  const out = convertManifest(blob(OCI_MANIFEST, ociTagged("demo")), DOCKER_V2);
  assert.equal(out.mediaType, DOCKER_V2);
  assert.equal(text(out.bytes), text(testdata("fixture_oci_to_docker.golden")));
  // OCI → Docker never touches the config blob.
  assert.equal(out.config, undefined);
});

Deno.test("convertManifest() drops OCI annotations as skopeo does", () => {
  const out = convertManifest(
    blob(OCI_MANIFEST, testdata("annotated_oci_manifest.input")),
    DOCKER_V2,
  );
  assert.equal(
    text(out.bytes),
    text(testdata("annotated_oci_to_docker.golden")),
  );
  assert.ok(!text(out.bytes).includes("annotations"));
});

Deno.test("convertManifest() converts the fixture index to skopeo's Docker list", () => {
  const golden = testdata("list_oci_to_docker.golden");
  const out = convertManifest(
    blob(OCI_INDEX, withInstancesOf(ociTagged("multi"), golden)),
    DOCKER_LIST,
  );
  assert.equal(out.mediaType, DOCKER_LIST);
  assert.equal(text(out.bytes), text(golden));
});

Deno.test("convertManifest() converts a Docker list back to skopeo's OCI index", () => {
  const golden = testdata("list_docker_to_oci.golden");
  const out = convertManifest(
    blob(
      DOCKER_LIST,
      withInstancesOf(testdata("list_oci_to_docker.golden"), golden),
    ),
    OCI_INDEX,
  );
  assert.equal(text(out.bytes), text(golden));
});

Deno.test("convertManifest() gives Docker list entries a platform and no annotations", () => {
  const golden = JSON.parse(text(testdata("rich_index_to_docker_list.golden")));
  // skopeo, on the machine that made the golden file, filled a missing
  // platform with its own OS and architecture: expect this machine's.
  const { architecture, os } = systemPlatform();
  golden.manifests[0].platform = { architecture, os };
  const out = convertManifest(
    blob(
      OCI_INDEX,
      withInstancesOf(
        testdata("rich_oci_index.input"),
        testdata("rich_index_to_docker_list.golden"),
      ),
    ),
    DOCKER_LIST,
  );
  assert.equal(text(out.bytes), JSON.stringify(golden));
});

Deno.test("convertManifest() gives OCI index entries an empty platform when missing", () => {
  const list = JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_LIST,
    manifests: [{
      mediaType: DOCKER_V2,
      size: 1,
      digest: `sha256:${"1".repeat(64)}`,
      platform: {
        architecture: "amd64",
        os: "linux",
        features: ["sse4"],
        variant: "",
      },
    }, {
      mediaType: DOCKER_V2,
      size: 2,
      digest: `sha256:${"2".repeat(64)}`,
      urls: ["https://example.com/x"],
    }],
  });
  const out = convertManifest(
    blob(DOCKER_LIST, new TextEncoder().encode(list)),
    OCI_INDEX,
  );
  assert.equal(
    text(out.bytes),
    `{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[` +
      `{"mediaType":"${OCI_MANIFEST}","digest":"sha256:${
        "1".repeat(64)
      }","size":1,"platform":{"architecture":"amd64","os":"linux"}},` +
      `{"mediaType":"${OCI_MANIFEST}","digest":"sha256:${
        "2".repeat(64)
      }","size":2,"urls":["https://example.com/x"],"platform":{"architecture":"","os":""}}]}`,
  );
});

Deno.test("convertManifest() maps every layer type containers/image maps", () => {
  const pairs: Array<[string, string]> = [
    [
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.oci.image.layer.v1.tar+gzip",
    ],
    [
      "application/vnd.docker.image.rootfs.diff.tar",
      "application/vnd.oci.image.layer.v1.tar",
    ],
    [
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    ],
    [
      "application/vnd.docker.image.rootfs.foreign.diff.tar",
      "application/vnd.oci.image.layer.nondistributable.v1.tar",
    ],
  ];
  const manifest = (type: string, configType: string, layerType: string) =>
    blob(
      type,
      new TextEncoder().encode(JSON.stringify({
        schemaVersion: 2,
        mediaType: type,
        config: {
          mediaType: configType,
          size: 2,
          digest: `sha256:${"c".repeat(64)}`,
        },
        layers: [{
          mediaType: layerType,
          size: 3,
          digest: `sha256:${"d".repeat(64)}`,
        }],
      })),
    );
  for (const [docker, oci] of pairs) {
    const toOci = convertManifest(
      manifest(
        DOCKER_V2,
        "application/vnd.docker.container.image.v1+json",
        docker,
      ),
      OCI_MANIFEST,
    );
    assert.equal(JSON.parse(text(toOci.bytes)).layers[0].mediaType, oci);
    const toDocker = convertManifest(
      manifest(OCI_MANIFEST, "application/vnd.oci.image.config.v1+json", oci),
      DOCKER_V2,
    );
    assert.equal(JSON.parse(text(toDocker.bytes)).layers[0].mediaType, docker);
  }
});

Deno.test("convertManifest() refuses what Docker schema2 cannot express", () => {
  const oci = (configType: string, layerType: string) =>
    blob(
      OCI_MANIFEST,
      new TextEncoder().encode(JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: {
          mediaType: configType,
          size: 2,
          digest: `sha256:${"c".repeat(64)}`,
        },
        layers: [{
          mediaType: layerType,
          size: 3,
          digest: `sha256:${"d".repeat(64)}`,
        }],
      })),
    );
  const config = "application/vnd.oci.image.config.v1+json";
  const cases: Array<[ManifestBlob, string]> = [
    [
      oci(config, "application/vnd.oci.image.layer.v1.tar+zstd"),
      'Error during manifest conversion: "application/vnd.oci.image.layer.v1.tar+zstd": zstd compression is not supported for docker images',
    ],
    [
      oci(
        config,
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
      ),
      'Error during manifest conversion: "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd": zstd compression is not supported for docker images',
    ],
    [
      oci(config, "application/x-custom"),
      'Unknown media type during manifest conversion: "application/x-custom"',
    ],
    [
      oci(
        "application/vnd.example.artifact+json",
        "application/vnd.oci.image.layer.v1.tar",
      ),
      'unsupported image-specific operation on artifact with type "application/vnd.example.artifact+json"',
    ],
  ];
  for (const [manifest, message] of cases) {
    assert.throws(
      () => convertManifest(manifest, DOCKER_V2),
      (error: unknown) => {
        assert.ok(error instanceof InvalidContentError, String(error));
        assert.equal(error.message, message);
        return true;
      },
    );
  }
  assert.throws(
    () =>
      convertManifest(
        oci(config, "application/vnd.oci.image.layer.v1.tar"),
        OCI_INDEX,
      ),
    /Converting manifests from .* to .* is not supported/,
  );
  assert.throws(
    () =>
      convertManifest(
        blob(DOCKER_V2, new TextEncoder().encode('{"schemaVersion":2}')),
        OCI_MANIFEST,
      ),
    /no config or layers/,
  );
});

/** Runs `skopeo copy` with a policy-free setup; returns stderr on failure. */
async function skopeoCopy(...args: string[]): Promise<void> {
  const out = await new Deno.Command("skopeo", {
    args: ["copy", "--quiet", "--insecure-policy", ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`skopeo copy ${args.join(" ")}: ${text(out.stderr)}`);
  }
}

/** Adds a blob and a tagged entry to an OCI layout. */
async function addToLayout(
  root: string,
  tag: string,
  mediaType: string,
  bytes: Uint8Array,
): Promise<void> {
  const digest = digestOf(bytes);
  await Deno.writeFile(`${root}/blobs/sha256/${digest.slice(7)}`, bytes);
  const index = JSON.parse(await Deno.readTextFile(`${root}/index.json`));
  index.manifests.push({
    mediaType,
    digest,
    size: bytes.length,
    annotations: { "org.opencontainers.image.ref.name": tag },
  });
  await Deno.writeTextFile(`${root}/index.json`, JSON.stringify(index));
}

componentTest({
  name: "convertManifest() golden files are what skopeo 1.9.3 writes",
  components: ["skopeo"],
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "convert_manifest_" });
    try {
      const docker = DOCKER_DIR.pathname;
      const layout = `${tmp}/layout`;
      await new Deno.Command("cp", {
        args: ["-r", OCI_LAYOUT.pathname, layout],
      })
        .output();
      await addToLayout(
        layout,
        "annotated",
        OCI_MANIFEST,
        testdata("annotated_oci_manifest.input"),
      );
      await addToLayout(
        layout,
        "rich",
        OCI_INDEX,
        testdata("rich_oci_index.input"),
      );
      // A dir: image with the rich Docker config and the fixture's layers.
      const rich = `${tmp}/rich`;
      await Deno.mkdir(rich);
      const manifest = testdata("rich_docker_manifest.input");
      const config = testdata("rich_docker_config.input");
      await Deno.writeFile(`${rich}/manifest.json`, manifest);
      await Deno.writeFile(`${rich}/${digestOf(config).slice(7)}`, config);
      for (const layer of JSON.parse(text(manifest)).layers) {
        const hex = layer.digest.slice(7);
        await Deno.copyFile(`${docker}${hex}`, `${rich}/${hex}`);
      }
      await Deno.copyFile(`${docker}version`, `${rich}/version`);

      const produced = new Map<string, Uint8Array>();
      const manifestOf = async (dir: string) =>
        await Deno.readFile(`${dir}/manifest.json`);
      await skopeoCopy("--format", "oci", `dir:${docker}`, `dir:${tmp}/a`);
      produced.set("fixture_docker_to_oci", await manifestOf(`${tmp}/a`));
      await skopeoCopy(
        "--format",
        "v2s2",
        `oci:${OCI_LAYOUT.pathname}:demo`,
        `dir:${tmp}/b`,
      );
      produced.set("fixture_oci_to_docker", await manifestOf(`${tmp}/b`));
      await skopeoCopy("--format", "oci", `dir:${rich}`, `dir:${tmp}/c`);
      const richOut = await manifestOf(`${tmp}/c`);
      produced.set("rich_docker_to_oci", richOut);
      const configDigest = JSON.parse(text(richOut)).config.digest as string;
      produced.set(
        "rich_docker_to_oci_config",
        await Deno.readFile(`${tmp}/c/${configDigest.slice(7)}`),
      );
      await skopeoCopy(
        "--format",
        "v2s2",
        `oci:${layout}:annotated`,
        `dir:${tmp}/d`,
      );
      produced.set("annotated_oci_to_docker", await manifestOf(`${tmp}/d`));
      await skopeoCopy(
        "--all",
        "--format",
        "v2s2",
        `oci:${layout}:multi`,
        `dir:${tmp}/e`,
      );
      produced.set("list_oci_to_docker", await manifestOf(`${tmp}/e`));
      await skopeoCopy(
        "--all",
        "--format",
        "oci",
        `dir:${tmp}/e`,
        `dir:${tmp}/f`,
      );
      produced.set("list_docker_to_oci", await manifestOf(`${tmp}/f`));
      await skopeoCopy(
        "--all",
        "--format",
        "v2s2",
        `oci:${layout}:rich`,
        `dir:${tmp}/g`,
      );
      produced.set("rich_index_to_docker_list", await manifestOf(`${tmp}/g`));

      for (const [name, bytes] of produced) {
        const url = new URL(`${name}.golden`, TESTDATA);
        if (Deno.env.get("UPDATE_GOLDEN") === "1") {
          await Deno.writeFile(url, bytes);
        }
        let golden = text(await Deno.readFile(url));
        if (name === "rich_index_to_docker_list") {
          // Its first entry has no platform: skopeo writes its machine's.
          const json = JSON.parse(golden);
          const { architecture, os } = systemPlatform();
          json.manifests[0].platform = { architecture, os };
          golden = JSON.stringify(json);
        }
        assert.equal(text(bytes), golden, name);
      }
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
