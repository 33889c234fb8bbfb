import assert from "node:assert/strict";
import { join } from "node:path";
import { componentTest } from "../tests/support/components.ts";
import { makeTempDir } from "../tests/support/temp_dir.ts";
import { makeTinyTree } from "./_testing.ts";
import {
  ensureSourceArchives,
  verifyDockerArchive,
  verifyOciArchive,
} from "./archives.ts";
import { ensureBenchImage } from "./image.ts";
import { startBenchRegistries, startFreshRegistry } from "./registry.ts";
import { SCENARIOS } from "./scenarios.ts";
import { ensureSyncImages, pushSyncImages } from "./sync_images.ts";
import { canMeasureUsage, prepareTools, timedRun } from "./tools.ts";

componentTest({
  name: "SCENARIOS run with skopeo give the results the source dictates",
  components: ["skopeo", "tar", "gzip", "docker-registry"],
  async fn() {
    await using dir = await makeTempDir("bench-scenarios-");
    await Deno.mkdir(dir.join("tree"));
    const total = await makeTinyTree(dir.join("tree"));
    const image = await ensureBenchImage("t", [
      { label: "tree", roots: [dir.join("tree")], rawBudget: total },
    ], { cacheDir: dir.join("cache") });
    const [skopeo] = await prepareTools(dir.join("env"));
    const usage = await canMeasureUsage();
    await using registries = await startBenchRegistries(image, skopeo);
    const archives = await ensureSourceArchives(image, skopeo);
    const sync = await pushSyncImages(await ensureSyncImages(image), {
      registry: registries.primary,
      pusher: skopeo,
      dir: dir.join("sync"),
    });
    for (const scenario of SCENARIOS) {
      const paths = {
        image,
        dest: dir.join(`dest-${scenario.id}`),
        registries,
        archives,
        sync,
      };
      const runs = scenario.keepDestination ? 2 : 1;
      await using fresh = scenario.freshRegistry
        ? await startFreshRegistry()
        : undefined;
      if (fresh) Object.assign(paths, { fresh });
      for (let i = 0; i < runs; i++) {
        const run = await timedRun(
          skopeo,
          scenario.args(paths),
          usage ? { usageFile: dir.join("usage.txt") } : {},
        );
        assert.equal(run.code, 0, `${scenario.id}: ${run.stderr}`);
        assert.ok(run.ms > 0);
        if (usage) assert.ok((run.maxRssKb ?? 0) > 0, scenario.id);
        const outcome = await scenario.outcome(paths, run.stdout);
        const expected = scenario.expected?.(image);
        if (expected !== undefined) {
          assert.equal(outcome, expected, scenario.id);
        }
        await scenario.verify?.(paths);
      }
    }
    // A sync row fails naming the tag whose manifest is not the source's.
    const syncDir = SCENARIOS.find((s) => s.id === "sync-dir")!;
    const paths = { image, dest: dir.join("dest-sync-dir"), sync };
    const first = sync.images[0]!;
    await Deno.writeTextFile(
      join(paths.dest, `${first.name}:${first.tag}`, "manifest.json"),
      "{}",
    );
    await assert.rejects(
      () => syncDir.outcome(paths, ""),
      new RegExp(`${first.name}:${first.tag} has sha256:`),
    );
  },
});

componentTest({
  name: "verifyStoredImage() catches a corrupted blob in a copy",
  components: ["skopeo", "tar", "gzip"],
  async fn() {
    await using dir = await makeTempDir("bench-scenarios-");
    await Deno.mkdir(dir.join("tree"));
    const total = await makeTinyTree(dir.join("tree"));
    const image = await ensureBenchImage("t", [
      { label: "tree", roots: [dir.join("tree")], rawBudget: total },
    ], { cacheDir: dir.join("cache") });
    const [skopeo] = await prepareTools(dir.join("env"));
    const scenario = SCENARIOS.find((s) => s.id === "oci-dir")!;
    const paths = { image, dest: dir.join("dest") };
    assert.equal((await timedRun(skopeo, scenario.args(paths))).code, 0);
    const layer = join(paths.dest, image.layers[0]!.digest.slice(7));
    const bytes = await Deno.readFile(layer);
    bytes[bytes.length - 1]! ^= 1;
    await Deno.writeFile(layer, bytes);
    await assert.rejects(() => scenario.verify!(paths), /expected sha256:/);
  },
});

componentTest({
  name: "verifyDockerArchive() and verifyOciArchive() catch a corrupted layer",
  components: ["skopeo", "tar", "gzip"],
  async fn() {
    await using dir = await makeTempDir("bench-scenarios-");
    await Deno.mkdir(dir.join("tree"));
    const total = await makeTinyTree(dir.join("tree"));
    const image = await ensureBenchImage("t", [
      { label: "tree", roots: [dir.join("tree")], rawBudget: total },
    ], { cacheDir: dir.join("cache") });
    const [skopeo] = await prepareTools(dir.join("env"));
    const archives = await ensureSourceArchives(image, skopeo);
    await verifyDockerArchive(archives.dockerArchive);
    await verifyOciArchive(archives.ociArchive, image.ref);
    // Flip one byte inside the first layer's content (just after its header).
    const flip = async (path: string, member: string): Promise<void> => {
      const bytes = await Deno.readFile(path);
      const name = new TextEncoder().encode(member);
      let at = -1;
      for (let i = 0; i < bytes.length; i += 512) {
        if (name.every((b, j) => bytes[i + j] === b)) {
          at = i + 512 + 100;
          break;
        }
      }
      assert.ok(at > 0, `${member} not found in ${path}`);
      bytes[at]! ^= 1;
      await Deno.writeFile(path, bytes);
    };
    const layer = image.layers[0]!;
    await flip(archives.dockerArchive, `${layer.diffId.slice(7)}.tar`);
    await assert.rejects(
      () => verifyDockerArchive(archives.dockerArchive),
      /expected sha256:/,
    );
    await flip(archives.ociArchive, `blobs/sha256/${layer.digest.slice(7)}`);
    await assert.rejects(
      () => verifyOciArchive(archives.ociArchive, image.ref),
      /hashes to sha256:/,
    );
  },
});
