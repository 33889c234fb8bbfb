/**
 * `sync` beyond skopeo, against the real registry with requests counted by
 * a loopback proxy: images copied in parallel fetch each shared blob once
 * (`dir` destinations hard-link it), the persisted cache lets a re-sync
 * that converts (`--format oci`) send one manifest request per image (the
 * source's) and one tag list per destination repository, and no blob
 * request, across processes; a tag deleted at the destination is copied
 * again; an entry older than a day makes the destination's manifest be
 * read again; a corrupt or wrong cache costs a copy, never an image;
 * `--summary json` reports what happened.
 */
import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import { startFaultProxy } from "../support/fault_proxy.ts";
import {
  buildImage,
  type BuiltImage,
  writeDirImage,
} from "../support/random_image.ts";
import { startRegistry } from "../support/registry.ts";
import { runOurs, runSkopeo, seedRegistryFromDirs } from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";

const TLS = ["--src-tls-verify=false", "--dest-tls-verify=false"];
const REPOS = ["alpha", "beta"];
const TAGS = ["1", "2", "3", "4"];

/** Docker images sharing two layers, each with one layer of its own. */
function image(repo: string, tag: string): BuiltImage {
  return buildImage({
    seed: 5,
    format: "docker",
    layers: [
      { size: 32 * 1024 },
      { size: 8 * 1024 },
      { files: [{ path: "etc/id", content: `${repo}:${tag}` }] },
    ],
    config: { labels: { id: `${repo}:${tag}` } },
  });
}

interface Summary {
  success: boolean;
  counts: { copied: number; skipped: number; failed: number };
  bytesMoved: number;
  durationMs: number;
  copied: { source: string; destination: string; digest: string }[];
  skipped: { source: string; reason: string }[];
  failed: { source: string; reason: string }[];
}

/** The JSON summary: the last line of stdout. */
function summaryOf(stdout: string): Summary {
  const lines = stdout.trimEnd().split("\n");
  return JSON.parse(lines[lines.length - 1]!);
}

componentTest({
  name: "sync in parallel moves each blob once, caches, and summarizes",
  components: ["docker-registry", "skopeo"],
  async fn(t) {
    await using registry = await startRegistry();
    await using temp = await makeTempDir("skopeo-ts-sync-parallel-");
    await using source = startFaultProxy({ upstream: registry.url });
    await using dest = startFaultProxy({ upstream: registry.url });
    const built = new Map<string, BuiltImage>();
    for (const repo of REPOS) {
      for (const tag of TAGS) {
        const img = image(repo, tag);
        built.set(`${repo}:${tag}`, img);
        await writeDirImage(temp.join("seed", repo, `${repo}:${tag}`), img);
      }
    }
    const yaml = temp.join("sync.yaml");
    await Deno.writeTextFile(
      yaml,
      `${source.host}:\n  tls-verify: false\n  images:\n` +
        REPOS.map((repo) => `    src/${repo}: []\n`).join(""),
    );
    for (const repo of REPOS) {
      await seedRegistryFromDirs(
        temp.join("seed", repo),
        `${registry.host}/src`,
      );
    }
    const unique = new Map<string, number>();
    for (const img of built.values()) {
      for (const blob of [img.config, ...img.layers]) {
        unique.set(blob.digest, blob.size);
      }
    }
    const blobGets = () =>
      source.requests.filter((r) =>
        r.method === "GET" && r.path.includes("/blobs/")
      ).map((r) => r.path.slice(r.path.lastIndexOf("/") + 1));

    await t.step(
      "registry → dir fetches each shared blob once and hard-links it",
      async () => {
        source.reset();
        const out = temp.join("export");
        const ours = await runOurs([
          "sync",
          "--dest-tls-verify=false",
          "--parallel-images",
          "4",
          "--summary",
          "json",
          "--src",
          "yaml",
          "--dest",
          "dir",
          yaml,
          out,
        ]);
        assert.equal(ours.code, 0, ours.stderr);
        assert.match(ours.stderr, /msg="Synced 8 images from 2 sources"\n$/);
        const gets = blobGets();
        assert.deepEqual([...gets].sort(), [...unique.keys()].sort());
        const shared = built.get("alpha:1")!.layers[0]!.digest.slice(7);
        const first = await Deno.stat(`${out}/alpha:1/${shared}`);
        assert.equal(first.nlink, built.size, "one inode for every image");
        for (const [name, img] of built) {
          const manifest = await Deno.readFile(`${out}/${name}/manifest.json`);
          assert.deepEqual(manifest, img.manifest.bytes, name);
        }
        const summary = summaryOf(ours.stdout);
        assert.equal(summary.success, true);
        assert.deepEqual(summary.counts, { copied: 8, skipped: 0, failed: 0 });
        assert.equal(
          summary.bytesMoved,
          [...unique.values()].reduce((a, b) => a + b, 0),
        );
        assert.ok(summary.durationMs > 0);
      },
    );

    const home = temp.join("home");
    await Deno.mkdir(home);
    const convert = (...flags: string[]) =>
      runOurs([
        "sync",
        "--dest-tls-verify=false",
        "--format",
        "oci",
        ...flags,
        "--src",
        "yaml",
        "--dest",
        "docker",
        yaml,
        `${dest.host}/mirror`,
      ], { home });
    const counts = (requests: { method: string; path: string }[]) => ({
      manifests: requests.filter((r) => r.path.includes("/manifests/")).length,
      blobs: requests.filter((r) => r.path.includes("/blobs/")).length,
      tagLists: requests.filter((r) => r.path.includes("/tags/list")).length,
    });

    await t.step(
      "a converting re-sync sends one manifest request per image, across runs",
      async () => {
        const first = await convert();
        assert.equal(first.code, 0, first.stderr);
        source.reset();
        dest.reset();
        const again = await convert("--summary", "json");
        assert.equal(again.code, 0, again.stderr);
        // The destination is asked for its tag lists only.
        assert.deepEqual(counts(dest.requests), {
          manifests: 0,
          blobs: 0,
          tagLists: REPOS.length,
        });
        assert.deepEqual(counts(source.requests), {
          manifests: 8,
          blobs: 0,
          tagLists: REPOS.length,
        });
        assert.ok(dest.requests.every((r) => r.method !== "PUT"));
        const summary = summaryOf(again.stdout);
        assert.deepEqual(summary.counts, { copied: 0, skipped: 8, failed: 0 });
        assert.equal(summary.bytesMoved, 0);
        // Without the cache the conversion cannot be recognised: the copy
        // runs again (blob checks, manifest writes).
        source.reset();
        dest.reset();
        const uncached = await convert("--no-cache");
        assert.equal(uncached.code, 0, uncached.stderr);
        assert.ok(counts(dest.requests).blobs > 0);
      },
    );

    const cacheFile = `${home}/cache/skopeo-ts/sync-v1.json`;
    await t.step("a corrupt cache is ignored with a debug line", async () => {
      await Deno.writeTextFile(cacheFile, "{not json");
      const result = await convert("--debug");
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /level=debug msg="Ignoring sync cache /);
      // Rewritten: the next run uses it again.
      dest.reset();
      const next = await convert();
      assert.equal(next.code, 0, next.stderr);
      assert.deepEqual(counts(dest.requests), {
        manifests: 0,
        blobs: 0,
        tagLists: REPOS.length,
      });
    });

    await t.step(
      "a tag deleted at the destination is copied again despite the cache",
      async () => {
        const deleted = await runSkopeo([
          "delete",
          "--tls-verify=false",
          `docker://${registry.host}/mirror/beta:2`,
        ]);
        assert.equal(deleted.code, 0, deleted.stderr);
        dest.reset();
        const result = await convert("--summary", "json");
        assert.equal(result.code, 0, result.stderr);
        const summary = summaryOf(result.stdout);
        assert.deepEqual(summary.counts, { copied: 1, skipped: 7, failed: 0 });
        assert.match(summary.copied[0]!.destination, /mirror\/beta:2$/);
        const puts = dest.requests.filter((r) =>
          r.method === "PUT" && r.path.includes("/manifests/")
        );
        assert.deepEqual(puts.map((r) => r.path), [
          "/v2/mirror/beta/manifests/2",
        ]);
      },
    );

    /** Ages every cache entry past the day it spares the destination. */
    const ageCache = async (
      edit: (entry: { destination: string; time: number }) => void = () => {},
    ) => {
      const file = JSON.parse(await Deno.readTextFile(cacheFile));
      for (const entry of Object.values(file.entries)) {
        const e = entry as { destination: string; time: number };
        e.time -= 25 * 60 * 60_000;
        edit(e);
      }
      await Deno.writeTextFile(cacheFile, JSON.stringify(file));
    };

    await t.step(
      "an entry older than a day has the destination's manifest read again, then renewed",
      async () => {
        await ageCache();
        dest.reset();
        const checked = await convert();
        assert.equal(checked.code, 0, checked.stderr);
        assert.deepEqual(counts(dest.requests), {
          manifests: 8,
          blobs: 0,
          tagLists: REPOS.length,
        });
        dest.reset();
        const renewed = await convert();
        assert.equal(renewed.code, 0, renewed.stderr);
        assert.equal(counts(dest.requests).manifests, 0);
      },
    );

    await t.step("a wrong cache entry costs a copy, not an image", async () => {
      await ageCache((entry) => {
        entry.destination = `sha256:${"0".repeat(64)}`;
      });
      dest.reset();
      const result = await convert();
      assert.equal(result.code, 0, result.stderr);
      assert.ok(counts(dest.requests).manifests > 8, "copied again");
      const inspected = await runSkopeo([
        "inspect",
        "--tls-verify=false",
        "--raw",
        `docker://${registry.host}/mirror/alpha:3`,
      ]);
      assert.equal(inspected.code, 0, inspected.stderr);
      const manifest = JSON.parse(inspected.stdout);
      assert.equal(
        manifest.mediaType,
        "application/vnd.oci.image.manifest.v1+json",
      );
      assert.equal(
        manifest.config.digest,
        built.get("alpha:3")!.config.digest,
      );
    });

    await t.step("--summary-file reports failures with reasons", async () => {
      const broken = temp.join("broken");
      await writeDirImage(`${broken}/a`, built.get("alpha:1")!);
      await writeDirImage(`${broken}/b`, built.get("alpha:2")!);
      await Deno.writeTextFile(`${broken}/b/manifest.json`, "{");
      const file = temp.join("summary.json");
      const result = await runOurs([
        "sync",
        ...TLS,
        "--keep-going",
        "--summary-file",
        file,
        "--src",
        "dir",
        "--dest",
        "docker",
        broken,
        `${registry.host}/broken`,
      ]);
      assert.equal(result.code, 1);
      const summary: Summary = JSON.parse(await Deno.readTextFile(file));
      assert.equal(summary.success, false);
      assert.deepEqual(summary.counts, { copied: 1, skipped: 0, failed: 1 });
      assert.match(summary.failed[0]!.source, /^dir:.*\/b$/);
      assert.ok(summary.failed[0]!.reason.length > 0);
    });

    await t.step("--parallel-images must be positive", async () => {
      const result = await runOurs([
        "sync",
        "--parallel-images",
        "0",
        "--src",
        "dir",
        "--dest",
        "docker",
        temp.join("seed"),
        `${registry.host}/x`,
      ]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /--parallel-images must be at least 1/);
    });
  },
});
