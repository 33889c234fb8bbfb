import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { parseShard, shardOf } from "./shard.ts";

Deno.test("parseShard() reads I/N with 0 <= I < N", () => {
  assert.deepEqual(parseShard("0/1"), { index: 0, count: 1 });
  assert.deepEqual(parseShard("3/4"), { index: 3, count: 4 });
  for (const text of ["4/4", "1", "-1/3", "a/b", "1/0", "1/3/5", ""]) {
    assert.throws(() => parseShard(text), UsageError, text);
  }
});

Deno.test("shardOf() partitions names stably and roughly evenly", () => {
  const names = Array.from(
    { length: 400 },
    (_, i) => `docker://registry.example.com/app${i % 7}:${i}`,
  );
  const counts = [0, 0, 0, 0];
  for (const name of names) {
    const shard = shardOf(name, 4);
    assert.equal(shardOf(name, 4), shard, "stable");
    counts[shard]!++;
  }
  for (const count of counts) assert.ok(count > 60 && count < 140, `${counts}`);
  // Independent of anything but the name: a fixed value.
  assert.equal(
    shardOf("docker://registry.example.com/app:1.0", 1000),
    shardOf("docker://registry.example.com/app:1.0", 1000),
  );
  assert.notEqual(
    new Set(names.slice(0, 20).map((n) => shardOf(n, 1000))).size,
    1,
  );
});
