import assert from "node:assert/strict";
import { runOurs } from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";

const digests = JSON.parse(
  await Deno.readTextFile("tests/fixtures/digests.json"),
);

async function corruptLayout(dir: string): Promise<void> {
  await Deno.mkdir(`${dir}/blobs/sha256`, { recursive: true });
  for await (const entry of Deno.readDir("tests/fixtures/oci/blobs/sha256")) {
    await Deno.copyFile(
      `tests/fixtures/oci/blobs/sha256/${entry.name}`,
      `${dir}/blobs/sha256/${entry.name}`,
    );
  }
  await Deno.copyFile("tests/fixtures/oci/index.json", `${dir}/index.json`);
  await Deno.copyFile("tests/fixtures/oci/oci-layout", `${dir}/oci-layout`);
  const layer = `${dir}/blobs/sha256/${digests["oci:demo"].layers[1].slice(7)}`;
  const bytes = await Deno.readFile(layer);
  bytes[bytes.length - 5]! ^= 0xff;
  await Deno.writeFile(layer, bytes);
}

Deno.test("a blob whose bytes do not match its digest fails the copy and leaves no image", async () => {
  await using tmp = await makeTempDir();
  await corruptLayout(`${tmp.path}/src`);
  const layer = digests["oci:demo"].layers[1];
  const toOci = await runOurs([
    "copy",
    "-q",
    `oci:${tmp.path}/src:demo`,
    `oci:${tmp.path}/dest:demo`,
  ]);
  assert.equal(toOci.code, 1);
  assert.match(
    toOci.stderr,
    new RegExp(
      `Digest mismatch for blob ${layer}: expected ${layer}, got sha256:`,
    ),
  );
  assert.equal(toOci.stderr.trimEnd().split("\n").length, 1);
  await assert.rejects(Deno.stat(`${tmp.path}/dest/index.json`));
  await assert.rejects(
    Deno.stat(`${tmp.path}/dest/blobs/sha256/${layer.slice(7)}`),
  );
  for await (const entry of Deno.readDir(`${tmp.path}/dest/blobs/sha256`)) {
    assert.ok(
      !entry.name.includes(".tmp-"),
      `temporary file left: ${entry.name}`,
    );
  }

  const toDir = await runOurs([
    "copy",
    "-q",
    `oci:${tmp.path}/src:demo`,
    `dir:${tmp.path}/d`,
  ]);
  assert.equal(toDir.code, 1);
  await assert.rejects(Deno.stat(`${tmp.path}/d/manifest.json`));
});

Deno.test("a failed copy into an existing layout keeps its index and images intact", async () => {
  await using tmp = await makeTempDir();
  await corruptLayout(`${tmp.path}/src`);
  const good = await runOurs([
    "copy",
    "-q",
    "oci:tests/fixtures/oci:demo",
    `oci:${tmp.path}/dest:demo`,
  ]);
  assert.equal(good.code, 0, good.stderr);
  const before = await Deno.readTextFile(`${tmp.path}/dest/index.json`);
  const bad = await runOurs([
    "copy",
    "-q",
    "--dest-shared-blob-dir",
    `${tmp.path}/shared`,
    `oci:${tmp.path}/src:demo`,
    `oci:${tmp.path}/dest:other`,
  ]);
  assert.equal(bad.code, 1);
  assert.equal(await Deno.readTextFile(`${tmp.path}/dest/index.json`), before);
  const dirGood = await runOurs([
    "copy",
    "-q",
    "oci:tests/fixtures/oci:demo",
    `dir:${tmp.path}/d`,
  ]);
  assert.equal(dirGood.code, 0);
  const manifestBefore = await Deno.readFile(`${tmp.path}/d/manifest.json`);
  const dirBad = await runOurs([
    "copy",
    "-q",
    "dir:tests/fixtures/dir/docker-v2",
    `dir:${tmp.path}/d`,
  ]);
  assert.equal(dirBad.code, 0, dirBad.stderr);
  assert.notDeepEqual(
    await Deno.readFile(`${tmp.path}/d/manifest.json`),
    manifestBefore,
  );
});

Deno.test("truncated or malformed manifests and index files give one-line errors", async () => {
  await using tmp = await makeTempDir();
  await Deno.mkdir(`${tmp.path}/trunc`);
  const manifest = await Deno.readTextFile(
    "tests/fixtures/dir/docker-v2/manifest.json",
  );
  await Deno.writeTextFile(
    `${tmp.path}/trunc/manifest.json`,
    manifest.slice(0, manifest.length / 2),
  );
  await Deno.writeTextFile(
    `${tmp.path}/trunc/version`,
    "Directory Transport Version: 1.1\n",
  );
  await Deno.mkdir(`${tmp.path}/badindex`);
  await Deno.writeTextFile(
    `${tmp.path}/badindex/index.json`,
    '{"manifests": "nope"}',
  );
  for (
    const source of [`dir:${tmp.path}/trunc`, `oci:${tmp.path}/badindex:x`]
  ) {
    const result = await runOurs(["copy", "-q", source, `dir:${tmp.path}/out`]);
    assert.equal(result.code, 1, source);
    assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
    assert.doesNotMatch(result.stderr, /at file:|Stack/);
  }
});
