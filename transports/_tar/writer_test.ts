import assert from "node:assert/strict";
import { DigestMismatchError } from "../../core/errors.ts";
import { componentTest } from "../../tests/support/components.ts";
import { createTarWriter, type TarWriterEntry } from "./writer.ts";
import { pattern, readAll, run, withTempDir } from "./test_util.ts";

const encoder = new TextEncoder();

/** A stream of `bytes` in chunks of `size`, counting pulls. */
function counted(bytes: Uint8Array, size: number) {
  const state = { pulls: 0 };
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulls++;
      if (at >= bytes.length) controller.close();
      else controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  }, { highWaterMark: 0 });
  return { stream, state };
}

const LONG_NAME = `${"n".repeat(90)}/${"m".repeat(90)}/deep-file.bin`;
const LONG_TARGET = `../${"t".repeat(120)}/target`;

componentTest({
  name:
    "createTarWriter() archives are listed and extracted by GNU tar unchanged",
  components: ["tar"],
  fn: () =>
    withTempDir(async (root) => {
      const big = pattern(3 << 20, 5);
      const entries: TarWriterEntry[] = [
        { name: "dir", type: "directory", mode: 0o750, mtime: 1_600_000_000 },
        {
          name: "dir/small.txt",
          body: encoder.encode("small\n"),
          mode: 0o600,
          mtime: 1_600_000_001,
        },
        { name: "dir/empty", body: new Uint8Array() },
        {
          name: "dir/big.bin",
          size: big.length,
          body: counted(big, 100_000).stream,
        },
        { name: "dir/link", type: "symlink", linkName: "small.txt" },
        { name: LONG_NAME, body: pattern(1234) },
        { name: "ünïcødé.txt", body: encoder.encode("unicode") },
        { name: "long-link", type: "symlink", linkName: LONG_TARGET },
        { name: "hard", type: "hardlink", linkName: "dir/small.txt" },
        { name: "late", body: encoder.encode("x"), mtime: 2 ** 33 + 5 },
      ];
      const tar = createTarWriter();
      const path = `${root}/ours.tar`;
      const saved = Deno.writeFile(path, tar.readable);
      await Promise.all(entries.map((e) => tar.add(e)));
      await tar.close();
      await saved;

      const listing = (await run("tar", ["-tf", path])).trimEnd().split("\n");
      assert.deepEqual(listing, [
        "dir/",
        "dir/small.txt",
        "dir/empty",
        "dir/big.bin",
        "dir/link",
        LONG_NAME,
        "ünïcødé.txt",
        "long-link",
        "hard",
        "late",
      ]);
      const out = `${root}/out`;
      await Deno.mkdir(out);
      await run("tar", ["-xf", path, "-C", out]);
      assert.deepEqual(
        await Deno.readFile(`${out}/dir/small.txt`),
        encoder.encode("small\n"),
      );
      assert.deepEqual(await Deno.readFile(`${out}/dir/big.bin`), big);
      assert.deepEqual(
        await Deno.readFile(`${out}/${LONG_NAME}`),
        pattern(1234),
      );
      assert.equal(await Deno.readTextFile(`${out}/ünïcødé.txt`), "unicode");
      assert.equal((await Deno.readFile(`${out}/dir/empty`)).length, 0);
      assert.equal(await Deno.readLink(`${out}/dir/link`), "small.txt");
      assert.equal(await Deno.readLink(`${out}/long-link`), LONG_TARGET);
      const small = await Deno.stat(`${out}/dir/small.txt`);
      assert.equal(small.mode! & 0o777, 0o600);
      assert.equal(small.mtime!.getTime(), 1_600_000_001_000);
      assert.equal((await Deno.stat(`${out}/hard`)).ino, small.ino);
      assert.equal(
        (await Deno.stat(`${out}/late`)).mtime!.getTime(),
        (2 ** 33 + 5) * 1000,
      );
      const dir = await Deno.stat(`${out}/dir`);
      assert.equal(dir.mode! & 0o777, 0o750);
      assert.equal(dir.mtime!.getTime(), 1_600_000_000_000);
      // `tar --compare` finds no difference for the files it can check.
      await run("tar", ["--compare", "-f", path, "-C", out]);
    }),
});

Deno.test("createTarWriter() rejects a body shorter or longer than its size", async () => {
  for (
    const [size, body, actual] of [[10, pattern(7), "7"], [
      10,
      pattern(25),
      "more than 10",
    ]] as const
  ) {
    const tar = createTarWriter();
    const archive = readAll(tar.readable);
    const added = tar.add({
      name: "a",
      size,
      body: counted(body, 4).stream,
    });
    await assert.rejects(
      added,
      (e) =>
        e instanceof DigestMismatchError && e.kind === "size" &&
        e.message ===
          `Size mismatch for tar entry "a": expected 10 bytes, got ${actual}`,
    );
    await assert.rejects(archive, DigestMismatchError);
    await assert.rejects(tar.add({ name: "b" }), DigestMismatchError);
    await assert.rejects(tar.close(), DigestMismatchError);
  }
  // Bytes whose length contradicts the size are refused before writing.
  const tar = createTarWriter();
  await assert.rejects(
    tar.add({ name: "c", size: 3, body: pattern(4) }),
    DigestMismatchError,
  );
  await tar.close();
  assert.equal((await readAll(tar.readable)).length, 1024);
});

Deno.test("createTarWriter() pulls a body only as the archive is read", async () => {
  const body = counted(pattern(1 << 20), 16_384);
  const tar = createTarWriter();
  const added = tar.add({ name: "big", size: 1 << 20, body: body.stream });
  const reader = tar.readable.getReader();
  assert.equal((await reader.read()).value?.length, 512); // the header
  await reader.read();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(body.state.pulls <= 3, `${body.state.pulls} pulls`);
  await reader.cancel(new Error("reader gone"));
  await assert.rejects(added, /reader gone/);
});

Deno.test("createTarWriter() drops a queued entry whose signal aborts", async () => {
  const tar = createTarWriter();
  const archive = readAll(tar.readable);
  const controller = new AbortController();
  const first = tar.add({
    name: "first",
    size: 3,
    body: counted(pattern(3), 1).stream,
  });
  const dropped = tar.add({ name: "dropped", body: pattern(3) }, {
    signal: controller.signal,
  });
  controller.abort(new Error("not wanted"));
  await assert.rejects(dropped, /not wanted/);
  await first;
  await tar.close();
  const bytes = await archive;
  assert.equal(bytes.length, 512 + 512 + 1024);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 5)), "first");
});

Deno.test("createTarWriter() fails when a body stream errors, and after close", async () => {
  const failure = new Error("source broke");
  const tar = createTarWriter();
  const archive = readAll(tar.readable);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(failure);
    },
  });
  await assert.rejects(
    tar.add({ name: "x", size: 5, body }),
    (e) => e === failure,
  );
  await assert.rejects(archive, (e) => e === failure);

  const closed = createTarWriter();
  const done = readAll(closed.readable);
  await closed.close();
  await done;
  await assert.rejects(closed.add({ name: "late" }), TypeError);
});

Deno.test("createTarWriter() validates entries", async () => {
  const tar = createTarWriter();
  await assert.rejects(tar.add({ name: "" }), TypeError);
  await assert.rejects(
    tar.add({ name: "s", body: new ReadableStream() }),
    /size is required/,
  );
  await assert.rejects(
    tar.add({ name: "l", type: "symlink" }),
    /needs a linkName/,
  );
  await assert.rejects(
    tar.add({ name: "d", type: "directory", body: pattern(1) }),
    /cannot have a body/,
  );
  tar.abort();
  await assert.rejects(readAll(tar.readable), /aborted/);

  const locked = new ReadableStream<Uint8Array>();
  locked.getReader();
  const other = createTarWriter();
  const drained = readAll(other.readable);
  await assert.rejects(
    other.add({ name: "x", size: 1, body: locked }),
    TypeError,
  );
  await assert.rejects(drained, TypeError);
});
