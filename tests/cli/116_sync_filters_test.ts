/**
 * `sync` tag filters on the command line (`--include-tag-regex`,
 * `--exclude-tag-regex`, `--include-semver`, `--newer-than`) and
 * `--shard I/N`, against the real registry. Filters select what the YAML
 * keys select; shards are disjoint and their union is the whole list.
 */
import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import { buildImage, writeDirImage } from "../support/random_image.ts";
import { startRegistry } from "../support/registry.ts";
import {
  runOurs,
  type RunResult,
  seedRegistryFromDirs,
} from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";

const TLS = ["--src-tls-verify=false", "--dest-tls-verify=false"];
const TAGS = [
  "0.9.0",
  "1.0.0",
  "1.0.1",
  "1.2.0",
  "1.10.0",
  "2.0.0",
  "2.1.0-rc.1",
  "2.1.0",
  "3.0.0",
  "latest",
  "dev",
  "nightly-1",
];
/** Tags whose config was created an hour ago; the rest in 2001. */
const RECENT = new Set(["2.1.0", "3.0.0", "nightly-1"]);

/** The tags a dry run would copy, from its `from=` fields. */
function wouldCopy(result: RunResult): string[] {
  assert.equal(result.code, 0, result.stderr);
  return [...result.stderr.matchAll(/Would have copied .* from="?([^" ]+)/g)]
    .map((m) => m[1]!.slice(m[1]!.lastIndexOf(":") + 1));
}

componentTest({
  name: "sync filters registry tags from the command line, and shards",
  components: ["docker-registry"],
  async fn(t) {
    await using registry = await startRegistry();
    await using temp = await makeTempDir("skopeo-ts-sync-filters-");
    const host = registry.host;
    const recent = new Date(Date.now() - 3600_000).toISOString()
      .replace(/\.\d+Z$/, "Z");
    for (const tag of TAGS) {
      await writeDirImage(
        temp.join("seed", `app:${tag}`),
        buildImage({
          seed: 3,
          layers: [{ size: 2048 }],
          format: "docker",
          config: {
            labels: { tag },
            created: RECENT.has(tag) ? recent : "2001-01-01T00:00:00Z",
          },
        }),
      );
    }
    await seedRegistryFromDirs(temp.join("seed"), `${host}/src`);

    const dry = (...flags: string[]) =>
      runOurs([
        "sync",
        "--dry-run",
        ...TLS,
        ...flags,
        "--src",
        "docker",
        "--dest",
        "docker",
        `${host}/src/app`,
        `${host}/dst`,
      ]);
    const all = wouldCopy(await dry());
    assert.deepEqual([...all].sort(), [...TAGS].sort());

    await t.step("--include-tag-regex / --exclude-tag-regex", async () => {
      assert.deepEqual(
        wouldCopy(await dry("--include-tag-regex", "^1\\.")).sort(),
        ["1.0.0", "1.0.1", "1.10.0", "1.2.0"],
      );
      // Unanchored, as images-by-tag-regex.
      assert.deepEqual(
        wouldCopy(await dry("--exclude-tag-regex", "[a-z]")).sort(),
        TAGS.filter((tag) => !/[a-z]/.test(tag)).sort(),
      );
    });

    await t.step(
      "--include-semver selects what images-by-semver does",
      async () => {
        const range = ">= 1.0.0, < 3";
        const file = temp.join("semver.yaml");
        await Deno.writeTextFile(
          file,
          `${host}:\n  tls-verify: false\n  images-by-semver:\n    src/app: "${range}"\n`,
        );
        const yaml = wouldCopy(
          await runOurs([
            "sync",
            "--dry-run",
            "--dest-tls-verify=false",
            "--src",
            "yaml",
            "--dest",
            "docker",
            file,
            `${host}/dst`,
          ]),
        );
        const flag = wouldCopy(await dry("--include-semver", range));
        assert.deepEqual(flag.sort(), yaml.sort());
        assert.deepEqual(flag.sort(), [
          "1.0.0",
          "1.0.1",
          "1.10.0",
          "1.2.0",
          "2.0.0",
          "2.1.0",
        ]);
      },
    );

    await t.step("--newer-than reads the config's created time", async () => {
      assert.deepEqual(
        wouldCopy(await dry("--newer-than", "48h")).sort(),
        [...RECENT].sort(),
      );
      assert.deepEqual(
        wouldCopy(await dry("--newer-than", "1000000d")).sort(),
        [...TAGS].sort(),
      );
    });

    await t.step("filters combine", async () => {
      assert.deepEqual(
        wouldCopy(
          await dry(
            "--include-semver",
            ">=1",
            "--exclude-tag-regex",
            "^1\\.0",
            "--newer-than",
            "2d",
          ),
        ).sort(),
        ["2.1.0", "3.0.0"],
      );
    });

    await t.step("bad filter values are usage errors", async () => {
      for (
        const flags of [
          ["--include-tag-regex", "("],
          ["--include-semver", "not a range"],
          ["--newer-than", "3 days"],
          ["--shard", "3/3"],
          ["--shard", "1"],
        ]
      ) {
        const result = await dry(...flags);
        assert.notEqual(result.code, 0, flags.join(" "));
        assert.match(result.stderr, new RegExp(flags[0]!.slice(2)));
      }
    });

    await t.step("shards are disjoint and cover the list", async () => {
      for (const count of [1, 3, 5]) {
        const parts: string[][] = [];
        for (let index = 0; index < count; index++) {
          parts.push(wouldCopy(await dry("--shard", `${index}/${count}`)));
        }
        const union = parts.flat();
        assert.equal(new Set(union).size, union.length, `overlap in ${count}`);
        assert.deepEqual(union.sort(), [...all].sort());
        if (count === 5) {
          // Deterministic: the same shard again selects the same tags.
          assert.deepEqual(
            wouldCopy(await dry("--shard", "2/5")).sort(),
            [...parts[2]!].sort(),
          );
        }
      }
    });

    await t.step("a dry run's summary lists the planned images", async () => {
      const result = await dry("--shard", "0/2", "--summary", "json");
      const lines = result.stdout.trimEnd().split("\n");
      const summary = JSON.parse(lines[lines.length - 1]!);
      const planned = wouldCopy(result);
      assert.equal(summary.dryRun, true);
      assert.equal(summary.shard, "0/2");
      assert.equal(summary.counts.planned, planned.length);
      assert.deepEqual(
        summary.planned.map((p: { source: string }) =>
          p.source.slice(p.source.lastIndexOf(":") + 1)
        ),
        planned,
      );
    });

    await t.step("a shard copies only its images", async () => {
      const shard = await runOurs([
        "sync",
        ...TLS,
        "--shard",
        "1/3",
        "--include-tag-regex",
        "^[0-9]",
        "--src",
        "docker",
        "--dest",
        "docker",
        `${host}/src/app`,
        `${host}/sharded`,
      ]);
      assert.equal(shard.code, 0, shard.stderr);
      const expected = wouldCopy(
        await dry("--shard", "1/3", "--include-tag-regex", "^[0-9]"),
      );
      assert.match(
        shard.stderr,
        new RegExp(`Synced ${expected.length} images from 1 sources`),
      );
    });
  },
});
