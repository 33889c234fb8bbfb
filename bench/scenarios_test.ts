import assert from "node:assert/strict";
import { join } from "node:path";
import { componentTest } from "../tests/support/components.ts";
import { makeTempDir } from "../tests/support/temp_dir.ts";
import { makeTinyTree } from "./_testing.ts";
import { ensureBenchImage } from "./image.ts";
import { startBenchRegistries, startFreshRegistry } from "./registry.ts";
import { SCENARIOS } from "./scenarios.ts";
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
    for (const scenario of SCENARIOS) {
      const paths = {
        image,
        dest: dir.join(`dest-${scenario.id}`),
        registries,
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
