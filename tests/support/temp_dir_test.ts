import assert from "node:assert/strict";
import { makeTempDir } from "./temp_dir.ts";

Deno.test("makeTempDir() removes the directory and its content on dispose", async () => {
  let path: string;
  {
    await using dir = await makeTempDir("temp-dir-test-");
    path = dir.path;
    assert.match(path, /temp-dir-test-/);
    await Deno.mkdir(dir.join("a", "b"), { recursive: true });
    await Deno.writeTextFile(dir.join("a", "b", "c.txt"), "c");
    assert.ok((await Deno.stat(dir.join("a", "b", "c.txt"))).isFile);
  }
  await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
});

Deno.test("makeTempDir() tolerates a directory removed before dispose", async () => {
  const dir = await makeTempDir();
  await Deno.remove(dir.path, { recursive: true });
  await dir[Symbol.asyncDispose]();
  await assert.rejects(Deno.stat(dir.path), Deno.errors.NotFound);
});
