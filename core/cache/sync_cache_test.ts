import assert from "node:assert/strict";
import { defaultSyncCacheDir, SyncCache, syncCacheKey } from "./sync_cache.ts";
import type { Digest } from "../types.ts";

const A = `sha256:${"a".repeat(64)}` as Digest;
const B = `sha256:${"b".repeat(64)}` as Digest;
const C = `sha256:${"c".repeat(64)}` as Digest;

function env(values: Record<string, string>) {
  return { get: (name: string) => values[name] };
}

Deno.test("defaultSyncCacheDir() prefers XDG_CACHE_HOME, then ~/.cache", () => {
  assert.equal(
    defaultSyncCacheDir(env({ XDG_CACHE_HOME: "/x", HOME: "/h" })),
    "/x/skopeo-ts",
  );
  assert.equal(defaultSyncCacheDir(env({ HOME: "/h" })), "/h/.cache/skopeo-ts");
  assert.equal(defaultSyncCacheDir(env({})), undefined);
});

Deno.test("syncCacheKey() changes with any copy option", () => {
  const base = syncCacheKey("docker://a:1", "docker://b:1", { format: "oci" });
  assert.equal(
    base,
    syncCacheKey("docker://a:1", "docker://b:1", { format: "oci" }),
  );
  assert.notEqual(
    base,
    syncCacheKey("docker://a:1", "docker://b:1", { format: undefined }),
  );
  assert.notEqual(
    base,
    syncCacheKey("docker://a:1", "docker://c:1", { format: "oci" }),
  );
});

Deno.test("SyncCache saves atomically and merges with other writers", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const one = await SyncCache.load(dir);
    const two = await SyncCache.load(dir);
    one.set("k1", A, B);
    two.set("k2", B, C);
    await one.save();
    await two.save();
    const read = await SyncCache.load(dir);
    assert.deepEqual(
      [read.get("k1")?.destination, read.get("k2")?.destination],
      [B, C],
    );
    const names = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(names, ["sync-v1.json"], "no temporary file left");
    assert.equal(Deno.statSync(`${dir}/sync-v1.json`).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SyncCache ignores a corrupt file and reports why", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/sync-v1.json`, '{"version":1,"entries":');
    const messages: string[] = [];
    const cache = await SyncCache.load(dir, (m) => messages.push(m));
    assert.equal(cache.get("k"), undefined);
    assert.match(messages[0]!, /^Ignoring sync cache .*sync-v1\.json: /);
    await Deno.writeTextFile(
      `${dir}/sync-v1.json`,
      JSON.stringify({
        version: 1,
        entries: {
          ok: { source: A, destination: B, time: 1 },
          bad: { source: 3 },
        },
      }),
    );
    const partial = await SyncCache.load(dir);
    assert.equal(partial.get("ok")?.destination, B);
    assert.equal(partial.get("bad"), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
