import assert from "node:assert/strict";
import { gzipSync, zstdCompressSync } from "node:zlib";
import { InvalidContentError } from "../../core/errors.ts";
import { makeTempDir } from "../../tests/support/temp_dir.ts";
import { createTarWriter, type TarWriterEntry } from "../_tar/mod.ts";
import { pattern, run } from "../_tar/test_util.ts";
import { IndexedArchive, MissingMemberError } from "./indexed_archive.ts";

const text = (s: string) => new TextEncoder().encode(s);

/** The bytes of a tar holding `entries`. */
async function tarBytes(entries: TarWriterEntry[]): Promise<Uint8Array> {
  const tar = createTarWriter();
  const bytes = new Response(tar.readable).arrayBuffer();
  for (const entry of entries) await tar.add(entry);
  await tar.close();
  return new Uint8Array(await bytes);
}

const BIG = pattern(3 * 1024 * 1024 + 17);
/** A file, a directory, a link to the file and a link leaving the archive. */
const ENTRIES: TarWriterEntry[] = [
  { name: "manifest.json", body: text("[]") },
  { name: "a", type: "directory" },
  { name: "a/layer.tar", body: BIG },
  { name: "b/layer.tar", type: "symlink", linkName: "../a/layer.tar" },
  { name: "escape", type: "symlink", linkName: "../../etc/passwd" },
];

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names;
}

Deno.test("IndexedArchive reads members by offset and follows links inside the archive", async () => {
  await using dir = await makeTempDir();
  const path = dir.join("x.tar");
  await Deno.writeFile(path, await tarBytes(ENTRIES));
  await using archive = await IndexedArchive.open(path);
  assert.equal(archive.file, path, "a plain file is indexed in place");
  assert.deepEqual(
    await archive.readMember("manifest.json", { limit: 10 }),
    text("[]"),
  );
  const direct = await archive.openMember("a/layer.tar");
  assert.equal(direct.size, BIG.length);
  assert.deepEqual(
    new Uint8Array(await new Response(direct.stream).arrayBuffer()),
    BIG,
  );
  // The link resolves to the same member; two streams may run at once.
  const [one, two] = await Promise.all([
    archive.openMember("b/layer.tar"),
    archive.openMember("./a//layer.tar"),
  ]);
  const [x, y] = await Promise.all([
    new Response(one.stream).arrayBuffer(),
    new Response(two.stream).arrayBuffer(),
  ]);
  assert.deepEqual(new Uint8Array(x), BIG);
  assert.deepEqual(new Uint8Array(y), BIG);
  assert.equal(
    (await archive.peek(archive.member("b/layer.tar"), 4)).length,
    4,
  );
});

Deno.test("IndexedArchive refuses links leaving the archive, missing members, directories and big reads", async () => {
  await using dir = await makeTempDir();
  const path = dir.join("x.tar");
  await Deno.writeFile(path, await tarBytes(ENTRIES));
  await using archive = await IndexedArchive.open(path);
  assert.throws(() => archive.member("escape"), (error: unknown) => {
    assert.ok(error instanceof InvalidContentError);
    assert.match(error.message, /points outside the archive/);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
  assert.throws(() => archive.member("nope"), MissingMemberError);
  assert.throws(() => archive.member("a"), /not a regular file/);
  assert.equal(archive.has("b/layer.tar"), true);
  assert.equal(archive.has("c"), false);
  await assert.rejects(
    archive.readMember("a/layer.tar", { limit: 1024 }),
    /too large/,
  );
});

Deno.test("IndexedArchive rejects a member named with '..' and a truncated archive, in one line", async () => {
  await using dir = await makeTempDir();
  // GNU tar writes a ../ member with -P (it strips it otherwise).
  await Deno.mkdir(dir.join("in"));
  await Deno.writeTextFile(dir.join("x"), "outside");
  await run("tar", ["-cPf", dir.join("evil.tar"), "in/../x"], {
    cwd: dir.path,
  });
  await assert.rejects(
    IndexedArchive.open(dir.join("evil.tar")),
    (error: unknown) => {
      assert.ok(error instanceof InvalidContentError);
      assert.match(error.message, /"\.\." component/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    },
  );
  const whole = await tarBytes(ENTRIES);
  await Deno.writeFile(dir.join("cut.tar"), whole.subarray(0, 5000));
  await assert.rejects(
    IndexedArchive.open(dir.join("cut.tar")),
    /^InvalidContentError: Invalid tar archive: truncated: .*$/,
  );
});

Deno.test("IndexedArchive spools compressed archives to tmpDir and removes the copy on close", async () => {
  await using dir = await makeTempDir();
  const tmpDir = dir.join("tmp");
  await Deno.mkdir(tmpDir);
  const plain = await tarBytes(ENTRIES);
  for (
    const [name, bytes] of [
      ["x.tar.gz", gzipSync(plain)],
      ["x.tar.zst", zstdCompressSync(plain)],
    ] as const
  ) {
    await Deno.writeFile(dir.join(name), bytes);
    const archive = await IndexedArchive.open(dir.join(name), { tmpDir });
    assert.notEqual(archive.file, dir.join(name));
    assert.deepEqual(await listDir(tmpDir), [archive.file.split("/").pop()]);
    const blob = await archive.openMember("b/layer.tar");
    assert.deepEqual(
      new Uint8Array(await new Response(blob.stream).arrayBuffer()),
      BIG,
    );
    await archive.close();
    assert.deepEqual(await listDir(tmpDir), [], `${name}: spooled copy left`);
  }
});

Deno.test("IndexedArchive spools a pipe (stdin-like input)", async () => {
  await using dir = await makeTempDir();
  const fifo = dir.join("fifo");
  await run("mkfifo", [fifo]);
  const plain = await tarBytes(ENTRIES);
  const writing = (async () => {
    using file = await Deno.open(fifo, { write: true });
    let offset = 0;
    while (offset < plain.length) {
      offset += await file.write(plain.subarray(offset));
    }
  })();
  await using archive = await IndexedArchive.open(fifo, { tmpDir: dir.path });
  await writing;
  assert.notEqual(archive.file, fifo);
  assert.deepEqual(
    await archive.readMember("manifest.json", { limit: 10 }),
    text("[]"),
  );
});

Deno.test("IndexedArchive.open() words a missing file like skopeo", async () => {
  await assert.rejects(
    IndexedArchive.open("/nonexistent/x.tar"),
    (error: unknown) => {
      assert.equal(
        (error as Error).message,
        'opening file "/nonexistent/x.tar": open /nonexistent/x.tar: no such file or directory',
      );
      return true;
    },
  );
});
