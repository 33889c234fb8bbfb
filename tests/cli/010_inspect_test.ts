import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import { runOurs, runSkopeo } from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";

const IMAGES = [
  "oci:tests/fixtures/oci:demo",
  "oci:tests/fixtures/oci:multi",
  "dir:tests/fixtures/dir/docker-v2",
  "dir:tests/fixtures/schema1/unsigned",
  "dir:tests/fixtures/schema1/signed",
];

Deno.test("inspect prints the image's digest, platform, layers and labels", async () => {
  const result = await runOurs(["inspect", "oci:tests/fixtures/oci:demo"]);
  assert.equal(result.code, 0, result.stderr);
  const info = JSON.parse(result.stdout);
  assert.equal(info.Architecture, "amd64");
  assert.equal(info.Os, "linux");
  assert.equal(info.Labels["org.opencontainers.image.title"], "demo");
  assert.equal(info.Layers.length, 2);
  assert.deepEqual(info.RepoTags, []);
});

Deno.test("inspect --raw prints the manifest bytes exactly", async () => {
  const index = JSON.parse(
    await Deno.readTextFile("tests/fixtures/oci/index.json"),
  );
  const digest = index.manifests[0].digest.slice(7);
  const raw = await runOurs([
    "inspect",
    "--raw",
    "oci:tests/fixtures/oci:demo",
  ]);
  assert.equal(raw.code, 0, raw.stderr);
  assert.deepEqual(
    raw.stdoutBytes,
    await Deno.readFile(`tests/fixtures/oci/blobs/sha256/${digest}`),
  );
});

Deno.test("inspect of a missing image or bad manifest fails with one line", async () => {
  await using tmp = await makeTempDir();
  const missing = await runOurs(["inspect", `oci:${tmp.path}/nope:x`]);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /Error parsing image name \\"oci:.*nope:x\\": open .*nope\/index.json: no such file or directory/,
  );
  await Deno.mkdir(`${tmp.path}/bad`);
  await Deno.writeTextFile(
    `${tmp.path}/bad/manifest.json`,
    '{"schemaVersion": 2, "layers": [',
  );
  const bad = await runOurs(["inspect", `dir:${tmp.path}/bad`]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.trimEnd().split("\n").length, 1, bad.stderr);
  const notag = await runOurs(["inspect", "oci:tests/fixtures/oci:nosuchtag"]);
  assert.equal(notag.code, 1);
  assert.match(
    notag.stderr,
    /no descriptor found for reference \\"nosuchtag\\"/,
  );
});

for (const image of IMAGES) {
  componentTest({
    name:
      `inspect ${image} equals skopeo 1.9.3's output (JSON, --config, --raw)`,
    components: ["skopeo"],
    async fn() {
      for (
        const flags of [[], ["--config"], ["--raw"], ["--config", "--raw"]]
      ) {
        if (image.includes("schema1") && flags.includes("--config")) continue;
        const theirs = await runSkopeo(["inspect", ...flags, image]);
        const ours = await runOurs(["inspect", ...flags, image]);
        assert.equal(ours.code, theirs.code, `${flags} ${ours.stderr}`);
        assert.equal(
          ours.stdout,
          theirs.stdout,
          `inspect ${flags.join(" ")} ${image}`,
        );
      }
    },
  });
}
