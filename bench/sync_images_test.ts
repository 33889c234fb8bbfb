import assert from "node:assert/strict";
import { join } from "node:path";
import { componentTest } from "../tests/support/components.ts";
import { makeTempDir } from "../tests/support/temp_dir.ts";
import { makeTinyTree } from "./_testing.ts";
import { ensureBenchImage } from "./image.ts";
import {
  ensureSyncImages,
  SYNC_REPOSITORIES,
  SYNC_TAGS,
} from "./sync_images.ts";
import { prepareTools, timedRun } from "./tools.ts";
import { verifyStoredImage } from "./verify.ts";

componentTest({
  name:
    "ensureSyncImages() builds 40 distinct images on the shared layers that skopeo reads",
  components: ["skopeo", "tar", "gzip"],
  async fn() {
    await using dir = await makeTempDir("bench-sync-images-");
    await Deno.mkdir(dir.join("tree"));
    const total = await makeTinyTree(dir.join("tree"));
    const base = await ensureBenchImage("t", [
      { label: "tree", roots: [dir.join("tree")], rawBudget: total },
    ], { cacheDir: dir.join("cache") });
    const built = await ensureSyncImages(base);
    assert.equal(built.images.length, SYNC_REPOSITORIES * SYNC_TAGS);
    assert.equal(
      new Set(built.images.map((i) => i.manifestDigest)).size,
      built.images.length,
    );
    // Cached: the second call reads the marker and returns the same images.
    assert.deepEqual(await ensureSyncImages(base), built);
    const [skopeo] = await prepareTools(dir.join("env"));
    const last = built.images.at(-1)!;
    const out = dir.join("out");
    const run = await timedRun(skopeo, [
      "copy",
      `oci:${built.ociDir}:${last.ref}`,
      `dir:${out}`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    await verifyStoredImage({ kind: "dir", path: out });
    const manifest = JSON.parse(
      await Deno.readTextFile(join(out, "manifest.json")),
    ) as { layers: { digest: string }[] };
    assert.deepEqual(
      manifest.layers.slice(0, -1).map((l) => l.digest),
      base.layers.map((l) => l.digest),
    );
    // The per-tag layer is a real tar.gz naming its image.
    const tar = await new Deno.Command("tar", {
      args: ["-xzOf", join(out, manifest.layers.at(-1)!.digest.slice(7))],
      stdout: "piped",
    }).output();
    assert.ok(tar.success);
    assert.match(
      new TextDecoder().decode(tar.stdout),
      new RegExp(`^${last.name} ${last.tag}\n`),
    );
  },
});
