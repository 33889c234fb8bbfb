import assert from "node:assert/strict";
import { makeTempDir } from "../tests/support/temp_dir.ts";
import { makeTinyTree } from "./_testing.ts";
import { listTree } from "./layer.ts";

Deno.test("listTree() walks like tar --sort=name, ancestors first", async () => {
  await using dir = await makeTempDir("bench-list-");
  const total = await makeTinyTree(dir.path);
  const rel = dir.path.slice(1);
  // Twice the content: the walk stops once the budget is nearly used.
  const paths = await listTree(dir.path, 2 * total);
  const parts = rel.split("/");
  assert.deepEqual(
    paths.slice(0, parts.length),
    parts.map((_, i) => parts.slice(0, i + 1).join("/")),
  );
  assert.deepEqual(
    paths.slice(parts.length).map((p) => p.slice(rel.length + 1)),
    [
      "B-upper",
      "a",
      "a/text.txt",
      "a/z-hardlink",
      "b",
      "b/inner",
      "b/inner/random.bin",
      "b/link",
    ],
  );
});

Deno.test("listTree() skips files that would overshoot the budget", async () => {
  await using dir = await makeTempDir("bench-list-");
  await makeTinyTree(dir.path);
  const rel = dir.path.slice(1);
  const names = (await listTree(dir.path, 3100)).map((p) =>
    p.slice(rel.length)
  );
  // The hard link costs nothing; random.bin (40 kB) does not fit.
  assert.ok(names.includes("/a/z-hardlink"));
  assert.ok(names.includes("/B-upper"));
  assert.ok(!names.includes("/b/inner/random.bin"));
});
