import assert from "node:assert/strict";
import { makeTempDir } from "../../tests/support/temp_dir.ts";
import { markDisposable } from "../../core/fs_stream.ts";
import { openArchiveOutput } from "./output_file.ts";

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

async function write(
  writable: WritableStream<Uint8Array>,
  text: string,
): Promise<void> {
  await ReadableStream.from([new TextEncoder().encode(text)]).pipeTo(
    writable,
  );
}

Deno.test("openArchiveOutput() shows the archive under its name only at commit", async () => {
  await using dir = await makeTempDir();
  const path = dir.join("a.tar");
  const output = await openArchiveOutput(path);
  await write(output.writable, "archive");
  const during = await listDir(dir.path);
  assert.equal(during.length, 1);
  assert.match(during[0]!, /^\.a\.tar\.tmp-/);
  await output.commit();
  assert.deepEqual(await listDir(dir.path), ["a.tar"]);
  assert.equal(await Deno.readTextFile(path), "archive");
  assert.equal((await Deno.stat(path)).mode! & 0o777, 0o644);
  await output.discard(); // after commit: nothing to undo
  assert.deepEqual(await listDir(dir.path), ["a.tar"]);
});

Deno.test("openArchiveOutput() discard leaves nothing, and keeps an archive it was to replace", async () => {
  await using dir = await makeTempDir();
  const path = dir.join("a.tar");
  await Deno.writeTextFile(path, "old");
  const output = await openArchiveOutput(path);
  await write(output.writable, "half");
  await output.discard();
  assert.deepEqual(await listDir(dir.path), ["a.tar"]);
  assert.equal(await Deno.readTextFile(path), "old");
  // Without refuseExisting, a commit replaces it.
  const again = await openArchiveOutput(path);
  await write(again.writable, "new");
  await again.commit();
  assert.equal(await Deno.readTextFile(path), "new");
});

Deno.test("openArchiveOutput() refuses a non-empty file when asked, accepts an empty one", async () => {
  await using dir = await makeTempDir();
  await Deno.writeTextFile(dir.join("full.tar"), "x");
  await assert.rejects(
    openArchiveOutput(dir.join("full.tar"), { refuseExisting: "no way" }),
    /^Error: no way$/,
  );
  await Deno.writeTextFile(dir.join("empty.tar"), "");
  const output = await openArchiveOutput(dir.join("empty.tar"), {
    refuseExisting: "no way",
  });
  await write(output.writable, "ok");
  await output.commit();
  assert.equal(await Deno.readTextFile(dir.join("empty.tar")), "ok");
});

Deno.test("openArchiveOutput() words a missing directory and a directory target like skopeo", async () => {
  await using dir = await makeTempDir();
  const missing = dir.join("no/a.tar");
  await assert.rejects(openArchiveOutput(missing), (error: unknown) => {
    assert.equal(
      (error as Error).message,
      `opening file "${missing}": open ${missing}: no such file or directory`,
    );
    return true;
  });
  await assert.rejects(
    openArchiveOutput(dir.path),
    new RegExp(`open ${dir.path}: is a directory`),
  );
});

Deno.test("openArchiveOutput() writes straight into a pipe", async () => {
  await using dir = await makeTempDir();
  const fifo = dir.join("fifo");
  const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  assert.ok(made.success);
  const reading = Deno.open(fifo, { read: true }).then(async (file) => {
    return await new Response(file.readable).text();
  });
  const output = await openArchiveOutput(fifo, { refuseExisting: "no" });
  await write(output.writable, "streamed");
  await output.commit();
  assert.equal(await reading, "streamed");
  assert.deepEqual(await listDir(dir.path), ["fifo"]);
});

Deno.test("openArchiveOutput() frees the chunks it wrote that only it holds", async () => {
  await using dir = await makeTempDir();
  const output = await openArchiveOutput(dir.join("a.tar"));
  const owned = markDisposable(new TextEncoder().encode("owned "));
  const shared = new TextEncoder().encode("shared");
  await ReadableStream.from([owned, shared]).pipeTo(output.writable);
  await output.commit();
  assert.equal(await Deno.readTextFile(dir.join("a.tar")), "owned shared");
  // Detached at once, not left for a collection (whole images pass here).
  assert.equal((owned.buffer as ArrayBuffer).detached, true);
  assert.equal((shared.buffer as ArrayBuffer).detached, false);
});
