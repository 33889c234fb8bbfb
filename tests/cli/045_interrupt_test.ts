/**
 * A copy killed mid-way (SIGKILL: no cleanup code runs) must leave nothing
 * that looks like a complete image at the destination.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { buildImage, writeOciLayout } from "../support/random_image.ts";
import { REPO_ROOT } from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";

const image = buildImage({
  seed: 7,
  compression: "none",
  layers: [{ size: 24 << 20 }, { size: 24 << 20 }, { size: 24 << 20 }],
});

async function killMidCopy(
  source: string,
  destination: string,
  watchDir: string,
) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "-q",
      "--cached-only",
      join(REPO_ROOT, "cli.ts"),
      "--insecure-policy",
      "copy",
      "-q",
      source,
      destination,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const deadline = Date.now() + 20_000;
  let sawTemp = false;
  while (Date.now() < deadline && !sawTemp) {
    try {
      for await (const entry of Deno.readDir(watchDir)) {
        if (entry.name.includes(".tmp-")) sawTemp = true;
      }
    } catch {
      // not created yet
    }
    if (!sawTemp) await new Promise((r) => setTimeout(r, 2));
  }
  child.kill("SIGKILL");
  await child.status;
  return sawTemp;
}

Deno.test("a copy to oci: killed mid-blob leaves no index entry", async () => {
  await using tmp = await makeTempDir();
  await writeOciLayout(`${tmp.path}/src`, [{ tag: "big", image }]);
  const sawTemp = await killMidCopy(
    `oci:${tmp.path}/src:big`,
    `oci:${tmp.path}/dest:big`,
    `${tmp.path}/dest/blobs/sha256`,
  );
  assert.ok(sawTemp, "the copy never started writing a blob");
  await assert.rejects(Deno.stat(`${tmp.path}/dest/index.json`));
  for await (const entry of Deno.readDir(`${tmp.path}/dest/blobs/sha256`)) {
    if (entry.name.includes(".tmp-")) continue;
    assert.ok(
      image.layers.some((l) => l.digest.endsWith(entry.name)) ||
        image.config.digest.endsWith(entry.name),
    );
    const bytes = await Deno.readFile(
      `${tmp.path}/dest/blobs/sha256/${entry.name}`,
    );
    const layer = image.layers.find((l) => l.digest.endsWith(entry.name));
    if (layer) {
      assert.equal(
        bytes.length,
        layer.size,
        "a blob under its final name is complete",
      );
    }
  }
});

Deno.test("a copy to dir: killed mid-blob keeps the previous image whole", async () => {
  await using tmp = await makeTempDir();
  await writeOciLayout(`${tmp.path}/src`, [{ tag: "big", image }]);
  const previous = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "-q",
      "--cached-only",
      join(REPO_ROOT, "cli.ts"),
      "--insecure-policy",
      "copy",
      "-q",
      "oci:tests/fixtures/oci:demo",
      `dir:${tmp.path}/d`,
    ],
    cwd: REPO_ROOT,
  });
  assert.equal((await previous.output()).code, 0);
  const before = await Deno.readFile(`${tmp.path}/d/manifest.json`);
  const sawTemp = await killMidCopy(
    `oci:${tmp.path}/src:big`,
    `dir:${tmp.path}/d`,
    `${tmp.path}/d`,
  );
  assert.ok(sawTemp, "the copy never started writing a blob");
  assert.deepEqual(await Deno.readFile(`${tmp.path}/d/manifest.json`), before);
  const manifest = JSON.parse(new TextDecoder().decode(before));
  for (const layer of manifest.layers) {
    await Deno.stat(`${tmp.path}/d/${layer.digest.slice(7)}`);
  }
});
