import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import { runOurs, runSkopeo } from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";
import { umociStat } from "../support/umoci.ts";

const DEMO = "oci:tests/fixtures/oci:demo";
const fixtureDigests = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/digests.json", import.meta.url)),
);

async function listFiles(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const walk = async (sub: string) => {
    for await (const entry of Deno.readDir(`${dir}/${sub}`)) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory) await walk(rel);
      else out.set(rel, await Deno.readFile(`${dir}/${rel}`));
    }
  };
  await walk("");
  return out;
}

Deno.test("copy oci → dir → oci round-trips manifests and blobs byte for byte", async () => {
  await using tmp = await makeTempDir();
  const first = await runOurs(["copy", "-q", DEMO, `dir:${tmp.path}/d`]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, "");
  const back = await runOurs([
    "copy",
    "-q",
    `dir:${tmp.path}/d`,
    `oci:${tmp.path}/o:demo`,
  ]);
  assert.equal(back.code, 0, back.stderr);
  const original = await listFiles("tests/fixtures/oci/blobs");
  const copied = await listFiles(`${tmp.path}/o/blobs`);
  for (const [name, bytes] of copied) {
    assert.deepEqual(bytes, original.get(name), `blob ${name} differs`);
  }
  const index = JSON.parse(await Deno.readTextFile(`${tmp.path}/o/index.json`));
  assert.equal(index.manifests.length, 1);
  assert.equal(index.manifests[0].digest, fixtureDigests["oci:demo"].manifest);
  assert.equal(
    index.manifests[0].annotations["org.opencontainers.image.ref.name"],
    "demo",
  );
  const dirFiles = await listFiles(`${tmp.path}/d`);
  assert.equal(
    new TextDecoder().decode(dirFiles.get("version")),
    "Directory Transport Version: 1.1\n",
  );
  assert.deepEqual(
    dirFiles.get("manifest.json"),
    original.get(`sha256/${fixtureDigests["oci:demo"].manifest.slice(7)}`),
  );
});

Deno.test("copy prints skopeo's plain progress lines when stdout is not a terminal", async () => {
  await using tmp = await makeTempDir();
  const d = fixtureDigests["oci:demo"];
  const result = await runOurs(["copy", DEMO, `dir:${tmp.path}/d`]);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split("\n");
  // Layers are copied in parallel, so their lines may come in any order.
  const layerLines = lines.slice(1, 1 + d.layers.length);
  assert.deepEqual(
    [...layerLines].sort(),
    d.layers.map((l: string) => `Copying blob ${l}`).sort(),
  );
  assert.deepEqual(
    [lines[0], ...lines.slice(1 + d.layers.length)],
    [
      "Getting image source signatures",
      `Copying config ${d.config}`,
      "Writing manifest to image destination",
      "Storing signatures",
      "",
    ],
  );
  const again = await runOurs(["copy", DEMO, `dir:${tmp.path}/d`]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Copying blob sha256:\w+ skipped: already exists/);
});

Deno.test("copy of a multi-arch index picks the platform asked for", async () => {
  await using tmp = await makeTempDir();
  const instances = fixtureDigests["oci:multi"].instances;
  const arm = instances.find((i: { platform: { architecture: string } }) =>
    i.platform.architecture === "arm64"
  );
  const result = await runOurs([
    "--override-arch",
    "arm64",
    "copy",
    "-q",
    "oci:tests/fixtures/oci:multi",
    `dir:${tmp.path}/d`,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const manifest = await Deno.readFile(`${tmp.path}/d/manifest.json`);
  const digest = await runOurs([
    "manifest-digest",
    `${tmp.path}/d/manifest.json`,
  ]);
  assert.equal(digest.stdout.trim(), arm.manifest);
  assert.ok(manifest.length > 0);
});

Deno.test("copy --all keeps the index and every instance", async () => {
  await using tmp = await makeTempDir();
  const result = await runOurs([
    "copy",
    "-q",
    "--all",
    "oci:tests/fixtures/oci:multi",
    `oci:${tmp.path}/o:m`,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const index = JSON.parse(await Deno.readTextFile(`${tmp.path}/o/index.json`));
  assert.equal(index.manifests[0].digest, fixtureDigests["oci:multi"].manifest);
  for (const instance of fixtureDigests["oci:multi"].instances) {
    await Deno.stat(`${tmp.path}/o/blobs/sha256/${instance.manifest.slice(7)}`);
  }
});

Deno.test("copy converts a Docker schema2 image to OCI for an oci: destination", async () => {
  await using tmp = await makeTempDir();
  const result = await runOurs([
    "copy",
    "-q",
    "dir:tests/fixtures/dir/docker-v2",
    `oci:${tmp.path}/o:x`,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const index = JSON.parse(await Deno.readTextFile(`${tmp.path}/o/index.json`));
  assert.equal(
    index.manifests[0].mediaType,
    "application/vnd.oci.image.manifest.v1+json",
  );
  const manifest = JSON.parse(
    await Deno.readTextFile(
      `${tmp.path}/o/blobs/sha256/${index.manifests[0].digest.slice(7)}`,
    ),
  );
  assert.equal(
    manifest.config.mediaType,
    "application/vnd.oci.image.config.v1+json",
  );
  assert.equal(
    manifest.layers[0].mediaType,
    "application/vnd.oci.image.layer.v1.tar+gzip",
  );
});

Deno.test("copy refuses to overwrite a non-empty directory that is not an image", async () => {
  await using tmp = await makeTempDir();
  await Deno.mkdir(`${tmp.path}/precious`);
  await Deno.writeTextFile(`${tmp.path}/precious/notes.txt`, "keep me");
  const result = await runOurs([
    "copy",
    "-q",
    DEMO,
    `dir:${tmp.path}/precious`,
  ]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /initializing destination dir:.*precious: not a containers image directory, don't want to overwrite important data/,
  );
  assert.equal(
    await Deno.readTextFile(`${tmp.path}/precious/notes.txt`),
    "keep me",
  );
});

Deno.test("copy writes --digestfile", async () => {
  await using tmp = await makeTempDir();
  const result = await runOurs([
    "copy",
    "-q",
    "--digestfile",
    `${tmp.path}/digest`,
    DEMO,
    `dir:${tmp.path}/d`,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    await Deno.readTextFile(`${tmp.path}/digest`),
    fixtureDigests["oci:demo"].manifest,
  );
});

Deno.test("copy reports not-yet-supported flags instead of ignoring them", async () => {
  await using tmp = await makeTempDir();
  const result = await runOurs([
    "copy",
    "--encryption-key",
    "jwe:/nonexistent.pem",
    DEMO,
    `dir:${tmp.path}/d`,
  ]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /--encryption-key is not supported yet/);
});

componentTest({
  name:
    "skopeo 1.9.3 reads what we write to oci: and dir:, and umoci accepts our layout",
  components: ["skopeo", "umoci"],
  async fn() {
    await using tmp = await makeTempDir();
    assert.equal(
      (await runOurs(["copy", "-q", DEMO, `oci:${tmp.path}/o:t`])).code,
      0,
    );
    assert.equal(
      (await runOurs(["copy", "-q", DEMO, `dir:${tmp.path}/d`])).code,
      0,
    );
    for (const name of [`oci:${tmp.path}/o:t`, `dir:${tmp.path}/d`]) {
      const inspected = await runSkopeo(["inspect", name]);
      assert.equal(inspected.code, 0, inspected.stderr);
      assert.equal(
        JSON.parse(inspected.stdout).Digest,
        fixtureDigests["oci:demo"].manifest,
      );
      const copied = await runSkopeo([
        "copy",
        name,
        `dir:${tmp.path}/viaskopeo-${name[0]}`,
      ]);
      assert.equal(copied.code, 0, copied.stderr);
    }
    const stat = await umociStat(`${tmp.path}/o`, "t");
    assert.equal(stat.code, 0, stat.stderr);
  },
});

componentTest({
  name:
    "we read what skopeo 1.9.3 writes to oci: and dir:, with identical results",
  components: ["skopeo"],
  async fn() {
    await using tmp = await makeTempDir();
    assert.equal(
      (await runSkopeo(["copy", DEMO, `oci:${tmp.path}/so:t`])).code,
      0,
    );
    assert.equal(
      (await runSkopeo(["copy", DEMO, `dir:${tmp.path}/sd`])).code,
      0,
    );
    const ours = await runOurs([
      "copy",
      "-q",
      `oci:${tmp.path}/so:t`,
      `dir:${tmp.path}/od`,
    ]);
    assert.equal(ours.code, 0, ours.stderr);
    const a = await listFiles(`${tmp.path}/sd`);
    const b = await listFiles(`${tmp.path}/od`);
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    for (const [name, bytes] of a) assert.deepEqual(b.get(name), bytes, name);
    const fromDir = await runOurs([
      "copy",
      "-q",
      `dir:${tmp.path}/sd`,
      `oci:${tmp.path}/oo:t`,
    ]);
    assert.equal(fromDir.code, 0, fromDir.stderr);
  },
});

componentTest({
  name:
    "copy --format conversions produce the same manifest bytes as skopeo 1.9.3",
  components: ["skopeo"],
  async fn() {
    await using tmp = await makeTempDir();
    const cases: Array<[string, string]> = [
      ["oci", "dir:tests/fixtures/dir/docker-v2"],
      ["v2s2", DEMO],
    ];
    for (const [format, source] of cases) {
      const theirs = await runSkopeo([
        "copy",
        "--format",
        format,
        source,
        `dir:${tmp.path}/s-${format}`,
      ]);
      assert.equal(theirs.code, 0, theirs.stderr);
      const ours = await runOurs([
        "copy",
        "-q",
        "--format",
        format,
        source,
        `dir:${tmp.path}/o-${format}`,
      ]);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(
        await Deno.readTextFile(`${tmp.path}/o-${format}/manifest.json`),
        await Deno.readTextFile(`${tmp.path}/s-${format}/manifest.json`),
      );
    }
  },
});

componentTest({
  name: "copy --all prints skopeo 1.9.3's list lines around the instances",
  components: ["skopeo"],
  async fn() {
    await using tmp = await makeTempDir();
    const source = "oci:tests/fixtures/oci:multi";
    const theirs = await runSkopeo([
      "copy",
      "--all",
      source,
      `oci:${tmp.path}/s:m`,
    ]);
    const ours = await runOurs([
      "copy",
      "--all",
      source,
      `oci:${tmp.path}/o:m`,
    ]);
    assert.equal(ours.code, 0, ours.stderr);
    // Blob lines differ on purpose: a blob shared by instances is copied
    // (and reported) once; skopeo reports it for every instance.
    const structure = (text: string) =>
      text.split("\n").filter((line) => !line.startsWith("Copying blob"));
    assert.deepEqual(structure(ours.stdout), structure(theirs.stdout));
  },
});
