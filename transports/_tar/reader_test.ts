import assert from "node:assert/strict";
import fc from "fast-check";
import { InvalidContentError } from "../../core/errors.ts";
import { readFileStream } from "../../core/fs_stream.ts";
import { componentTest } from "../../tests/support/components.ts";
import {
  indexTar,
  readTarStream,
  resolveEntry,
  type TarHeader,
  type TarIndex,
} from "./reader.ts";
import { createTarWriter, type TarWriterEntry } from "./writer.ts";
import { encodeHeader, encodePaxRecords } from "./header.ts";
import {
  pattern,
  patternByte,
  readAll,
  run,
  withTempDir,
} from "./test_util.ts";

const encoder = new TextEncoder();
const LONG_DIR = "d".repeat(120);
const LONG_FILE = `${LONG_DIR}/${"f".repeat(130)}.txt`;
const LONG_TARGET = `${"t".repeat(150)}/target`;

/** A tree with every case the indexer must handle, as GNU tar would see it. */
async function makeTree(root: string): Promise<void> {
  await Deno.mkdir(`${root}/src/dir/sub`, { recursive: true });
  await Deno.mkdir(`${root}/src/${LONG_DIR}`);
  await Deno.writeTextFile(`${root}/src/short.txt`, "hello\n");
  await Deno.writeFile(`${root}/src/${LONG_FILE}`, pattern(70_000));
  await Deno.writeFile(`${root}/src/dir/sub/empty`, new Uint8Array());
  await Deno.writeTextFile(`${root}/src/ünïcødé.txt`, "unicode\n");
  await Deno.chmod(`${root}/src/short.txt`, 0o640);
  await Deno.symlink("short.txt", `${root}/src/link-to-short`);
  await Deno.symlink(LONG_TARGET, `${root}/src/long-link`);
  await Deno.link(`${root}/src/short.txt`, `${root}/src/dir/hard.txt`);
}

async function gnuTar(root: string, format: string): Promise<string> {
  const archive = `${root}/${format}.tar`;
  await run("tar", [
    `--format=${format}`,
    "--sort=name",
    "--mtime=@1700000000",
    "--owner=0",
    "--group=0",
    "--numeric-owner",
    "-cf",
    archive,
    "-C",
    `${root}/src`,
    ".",
  ]);
  return archive;
}

async function readMember(path: string, offset: number, length: number) {
  return await readAll(
    readFileStream(await Deno.open(path), { offset, length }),
  );
}

function summary(header: TarHeader) {
  return {
    name: header.name,
    type: header.type,
    size: header.size,
    linkName: header.linkName,
  };
}

for (const format of ["gnu", "pax"]) {
  componentTest({
    name: `indexTar() indexes GNU tar --format=${format} archives`,
    components: ["tar"],
    fn: () =>
      withTempDir(async (root) => {
        await makeTree(root);
        const archive = await gnuTar(root, format);
        using file = await Deno.open(archive);
        const index = await indexTar(file);

        const listed = (await run("tar", ["-tf", archive]))
          .split("\n").filter((l) => l !== "")
          .map((l) => l.replace(/^\.\//, "").replace(/\/$/, "") || ".");
        assert.deepEqual(index.entries.map((e) => e.name), listed);

        const byName = (name: string) => {
          const entry = index.get(name);
          assert.ok(entry, `missing ${name}`);
          return entry;
        };
        assert.equal(byName(".").type, "directory");
        assert.equal(byName("dir/sub").type, "directory");
        assert.equal(byName("short.txt").mode, 0o640);
        assert.equal(byName("short.txt").mtime, 1700000000);
        assert.equal(byName("short.txt").uid, 0);
        for (
          const [name, content] of [
            ["short.txt", encoder.encode("hello\n")],
            [LONG_FILE, pattern(70_000)],
            ["ünïcødé.txt", encoder.encode("unicode\n")],
            ["dir/sub/empty", new Uint8Array()],
          ] as const
        ) {
          // One of the hardlinked names is stored as a link: resolve it.
          const entry = resolveEntry(index, name)!;
          assert.equal(entry.type, "file", name);
          assert.equal(entry.size, content.length, name);
          assert.deepEqual(
            await readMember(archive, entry.offset, entry.size),
            content,
          );
        }
        assert.deepEqual(summary(byName("link-to-short")), {
          name: "link-to-short",
          type: "symlink",
          size: 0,
          linkName: "short.txt",
        });
        assert.equal(byName("long-link").linkName, LONG_TARGET);
        // GNU tar stores whichever of the two hardlinked names comes first.
        const hard = index.entries.find((e) => e.type === "hardlink")!;
        assert.deepEqual(
          [hard.name, hard.linkName].sort(),
          ["dir/hard.txt", "short.txt"],
        );

        // The streaming reader sees the same entries and bodies.
        const streamed: TarHeader[] = [];
        for await (
          const { header, body } of readTarStream(
            readFileStream(await Deno.open(archive), { chunkSize: 1000 }),
          )
        ) {
          streamed.push(header);
          const entry = index.get(header.name)!;
          assert.deepEqual(
            await readAll(body),
            await readMember(archive, entry.offset, entry.size),
          );
        }
        assert.deepEqual(
          streamed.map(summary),
          index.entries.map(summary),
        );
      }),
  });
}

componentTest({
  name: "indexTar() joins the ustar prefix and name of GNU tar --format=ustar",
  components: ["tar"],
  fn: () =>
    withTempDir(async (root) => {
      const dir = "p".repeat(80) + "/" + "q".repeat(40);
      const name = `${dir}/${"r".repeat(90)}.txt`;
      await Deno.mkdir(`${root}/src/${dir}`, { recursive: true });
      await Deno.writeTextFile(`${root}/src/${name}`, "prefixed");
      const archive = await gnuTar(root, "ustar");
      using file = await Deno.open(archive);
      const entry = (await indexTar(file)).get(name)!;
      assert.equal(entry.name, name);
      assert.equal(
        new TextDecoder().decode(
          await readMember(archive, entry.offset, entry.size),
        ),
        "prefixed",
      );
      // The name really went through the prefix field: no extension headers.
      const bytes = await Deno.readFile(archive);
      assert.equal(bytes[entry.headerOffset + 156], "0".charCodeAt(0));
    }),
});

componentTest({
  name: "resolveEntry() follows links inside the archive like docker save's",
  components: ["tar"],
  fn: () =>
    withTempDir(async (root) => {
      const src = `${root}/src`;
      await Deno.mkdir(`${src}/aaa`, { recursive: true });
      await Deno.mkdir(`${src}/bbb`);
      await Deno.writeTextFile(`${src}/aaa/layer.tar`, "layer bytes");
      await Deno.symlink("../aaa/layer.tar", `${src}/bbb/layer.tar`);
      await Deno.symlink("aaa", `${src}/ccc`);
      await Deno.symlink("/aaa/layer.tar", `${src}/absolute`);
      await Deno.symlink("../../etc/passwd", `${src}/evil`);
      await Deno.symlink("loop2", `${src}/loop1`);
      await Deno.symlink("loop1", `${src}/loop2`);
      await Deno.symlink("missing", `${src}/dangling`);
      await Deno.link(`${src}/aaa/layer.tar`, `${src}/hard`);
      const archive = await gnuTar(root, "pax");
      using file = await Deno.open(archive);
      const index = await indexTar(file);
      const layer = index.get("aaa/layer.tar")!;
      assert.equal(layer.type, "file");

      for (
        const name of [
          "aaa/layer.tar",
          "bbb/layer.tar",
          "./bbb/layer.tar",
          "ccc/layer.tar",
          "absolute",
          "hard",
        ]
      ) {
        assert.equal(resolveEntry(index, name), layer, name);
      }
      assert.equal(resolveEntry(index, "ccc")!.name, "aaa");
      assert.equal(resolveEntry(index, "nothing"), undefined);
      assert.equal(resolveEntry(index, "dangling"), undefined);
      assert.equal(resolveEntry(index, "aaa/layer.tar/x"), undefined);
      assert.throws(
        () => resolveEntry(index, "evil"),
        (e) =>
          e instanceof InvalidContentError &&
          e.message ===
            'Invalid tar archive: link "evil" -> "../../etc/passwd" points outside the archive',
      );
      assert.throws(
        () => resolveEntry(index, "loop1"),
        /too many levels of links resolving "loop1"/,
      );
    }),
});

componentTest({
  name: "indexTar() lets a 50 MiB member be read by offset in bounded chunks",
  components: ["tar"],
  fn: () =>
    withTempDir(async (root) => {
      const size = 50 << 20;
      await Deno.mkdir(`${root}/src`);
      await Deno.writeTextFile(`${root}/src/a-before`, "x".repeat(777));
      const out = await Deno.open(`${root}/src/big`, {
        write: true,
        create: true,
      });
      for (let at = 0; at < size; at += 1 << 20) {
        await out.write(pattern(1 << 20, at));
      }
      out.close();
      await Deno.writeTextFile(`${root}/src/z-after`, "after");
      const archive = await gnuTar(root, "gnu");
      await Deno.remove(`${root}/src/big`);

      using file = await Deno.open(archive);
      const index = await indexTar(file);
      const big = index.get("big")!;
      assert.equal(big.size, size);
      let seen = 0;
      let largest = 0;
      for await (
        const chunk of readFileStream(await Deno.open(archive), {
          offset: big.offset,
          length: big.size,
        })
      ) {
        largest = Math.max(largest, chunk.length);
        for (let i = 0; i < chunk.length; i += 4093) {
          assert.equal(chunk[i], patternByte(seen + i), `byte ${seen + i}`);
        }
        assert.equal(
          chunk[chunk.length - 1],
          patternByte(seen + chunk.length - 1),
        );
        seen += chunk.length;
      }
      assert.equal(seen, size);
      assert.ok(largest <= 1 << 20, `chunk of ${largest} bytes`);
      const after = index.get("z-after")!;
      assert.equal(
        new TextDecoder().decode(
          await readMember(archive, after.offset, after.size),
        ),
        "after",
      );
    }),
});

componentTest({
  name: "indexTar() and readTarStream() reject truncated archives",
  components: ["tar"],
  fn: () =>
    withTempDir(async (root) => {
      await makeTree(root);
      const archive = await gnuTar(root, "gnu");
      const bytes = await Deno.readFile(archive);
      using file = await Deno.open(archive);
      const index = await indexTar(file);
      const long = index.get(LONG_FILE)!;
      const cuts = [
        long.offset + 1000, // inside a body
        long.offset - 200, // inside the header block
        long.headerOffset + 512 + 10, // inside the GNU long-name body
        long.offset + long.size + 5, // inside the body's padding
      ];
      for (const cut of cuts) {
        const path = `${root}/cut-${cut}.tar`;
        await Deno.writeFile(path, bytes.subarray(0, cut));
        using cutFile = await Deno.open(path);
        await assert.rejects(
          indexTar(cutFile),
          (e) =>
            e instanceof InvalidContentError &&
            /^Invalid tar archive: truncated/.test(e.message),
          `cut at ${cut}`,
        );
        await assert.rejects(
          (async () => {
            for await (
              const { body } of readTarStream(
                readFileStream(await Deno.open(path)),
              )
            ) {
              await readAll(body);
            }
          })(),
          (e) =>
            e instanceof InvalidContentError &&
            /^Invalid tar archive: truncated/.test(e.message),
          `stream cut at ${cut}`,
        );
      }
    }),
});

async function writeArchive(
  path: string,
  entries: TarWriterEntry[],
): Promise<void> {
  const tar = createTarWriter();
  const saved = Deno.writeFile(path, tar.readable);
  for (const entry of entries) await tar.add(entry);
  await tar.close();
  await saved;
}

async function indexBytes(
  root: string,
  bytes: Uint8Array,
): Promise<TarIndex> {
  const path = `${root}/crafted-${crypto.randomUUID()}.tar`;
  await Deno.writeFile(path, bytes);
  using file = await Deno.open(path);
  return await indexTar(file);
}

Deno.test("indexTar() rejects a bad header checksum", () =>
  withTempDir(async (root) => {
    const path = `${root}/a.tar`;
    await writeArchive(path, [
      { name: "a", body: encoder.encode("aaa") },
      { name: "b", body: encoder.encode("bbb") },
    ]);
    const bytes = await Deno.readFile(path);
    bytes[1024 + 3] = 0x41; // a name byte of "b"'s header
    await assert.rejects(
      indexBytes(root, bytes),
      (e) =>
        e instanceof InvalidContentError &&
        e.message === "Invalid tar archive: bad header checksum at offset 1024",
    );
  }));

Deno.test("indexTar() refuses .. names and takes absolute names from the root", () =>
  withTempDir(async (root) => {
    const absolute = `${root}/abs.tar`;
    await writeArchive(absolute, [{
      name: "/etc/conf",
      body: encoder.encode("c"),
    }]);
    using file = await Deno.open(absolute);
    assert.equal((await indexTar(file)).entries[0]!.name, "etc/conf");

    const evil = `${root}/evil.tar`;
    await writeArchive(evil, [
      { name: "ok", body: encoder.encode("fine") },
      { name: "a/../../escape", body: encoder.encode("x") },
    ]);
    using evilFile = await Deno.open(evil);
    await assert.rejects(
      indexTar(evilFile),
      (e) =>
        e instanceof InvalidContentError &&
        e.message ===
          'Invalid tar archive: entry name "a/../../escape" has a ".." component',
    );
    await assert.rejects(
      (async () => {
        for await (
          const { body } of readTarStream(readFileStream(await Deno.open(evil)))
        ) await body.cancel();
      })(),
      /has a "\.\." component/,
    );
  }));

Deno.test("indexTar() applies PAX global headers and local overrides", () =>
  withTempDir(async (root) => {
    const block = (name: string, typeflag: string, size: number) =>
      encodeHeader({
        name: encoder.encode(name),
        mode: 0o644,
        uid: 0,
        gid: 0,
        size,
        mtime: 1,
        typeflag,
        linkName: new Uint8Array(),
        uname: new Uint8Array(),
        gname: new Uint8Array(),
      });
    const padded = (bytes: Uint8Array) => {
      const out = new Uint8Array(Math.ceil(bytes.length / 512) * 512);
      out.set(bytes);
      return out;
    };
    const global = encodePaxRecords([["mtime", "1234.5"], ["comment", "hi"]]);
    const local = encodePaxRecords([["path", "renamed/by/pax"], [
      "uid",
      "4000000",
    ]]);
    const parts = [
      block("pax_global_header", "g", global.length),
      padded(global),
      block("PaxHeaders/x", "x", local.length),
      padded(local),
      block("ignored-name", "0", 3),
      padded(encoder.encode("abc")),
      block("second", "0", 0),
      new Uint8Array(1024),
    ];
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    const index = await indexBytes(root, bytes);
    assert.deepEqual(index.entries.map((e) => e.name), [
      "renamed/by/pax",
      "second",
    ]);
    const first = index.entries[0]!;
    assert.equal(first.mtime, 1234.5);
    assert.equal(first.uid, 4000000);
    assert.equal(first.pax.comment, "hi");
    assert.equal(first.headerOffset, 1024);
    assert.equal(first.offset, 2560);
    // Global records persist; local ones do not.
    assert.equal(index.entries[1]!.mtime, 1234.5);
    assert.equal(index.entries[1]!.uid, 0);
  }));

componentTest({
  name: "indexTar() reads base-256 sizes, as GNU tar does",
  components: ["tar"],
  fn: () =>
    withTempDir(async (root) => {
      const path = `${root}/b256.tar`;
      const content = pattern(600);
      await writeArchive(path, [{ name: "member", body: content }]);
      const bytes = await Deno.readFile(path);
      // Rewrite the size field (offset 124, 12 bytes) in base-256 form.
      bytes.fill(0, 124, 136);
      bytes[124] = 0x80;
      bytes[134] = 600 >> 8;
      bytes[135] = 600 & 0xff;
      bytes.fill(0x20, 148, 156);
      const sum = bytes.subarray(0, 512).reduce((a, b) => a + b, 0);
      bytes.set(encoder.encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
      await Deno.writeFile(path, bytes);

      using file = await Deno.open(path);
      const entry = (await indexTar(file)).get("member")!;
      assert.equal(entry.size, 600);
      assert.deepEqual(
        await readMember(path, entry.offset, entry.size),
        content,
      );
      await run("tar", ["-xf", path, "-C", root]);
      assert.deepEqual(await Deno.readFile(`${root}/member`), content);
    }),
});

Deno.test("readTarStream() skips unread bodies and errors them when read later", async () => {
  const tar = createTarWriter();
  const archive = readAll(tar.readable);
  await tar.add({ name: "one", body: pattern(5000) });
  await tar.add({ name: "two", body: pattern(100, 7) });
  await tar.close();
  const bytes = await archive;
  let first: ReadableStream<Uint8Array> | undefined;
  const names: string[] = [];
  for await (
    const { header, body } of readTarStream(new Blob([bytes.slice()]).stream())
  ) {
    names.push(header.name);
    if (header.name === "one") first = body;
    else assert.deepEqual(await readAll(body), pattern(100, 7));
  }
  assert.deepEqual(names, ["one", "two"]);
  await assert.rejects(
    readAll(first!),
    /not read before moving to the next entry/,
  );
});

Deno.test("readTarStream() cancels its input when the loop exits early", async () => {
  let cancelled = false;
  const tar = createTarWriter();
  const archive = readAll(tar.readable);
  await tar.add({ name: "one", body: pattern(10) });
  await tar.add({ name: "two", body: pattern(10) });
  await tar.close();
  const bytes = await archive;
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.slice(0, 1024));
    },
    pull(controller) {
      controller.enqueue(bytes.slice(1024));
    },
    cancel() {
      cancelled = true;
    },
  });
  for await (const { header } of readTarStream(source)) {
    assert.equal(header.name, "one");
    break;
  }
  assert.ok(cancelled);
});

const nameArbitrary = fc.array(
  fc.stringMatching(/^[a-zA-Z0-9_.é-]{1,60}$/).filter((p) =>
    p !== "." && p !== ".."
  ),
  { minLength: 1, maxLength: 5 },
).map((parts) => parts.join("/"));

Deno.test("createTarWriter() output is indexed and streamed back exactly (property)", () =>
  withTempDir(async (root) => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.record({
            name: nameArbitrary,
            size: fc.integer({ min: 0, max: 3000 }),
            kind: fc.constantFrom("file", "directory", "symlink"),
            mtime: fc.integer({ min: 0, max: 2 ** 40 }),
          }),
          { selector: (e) => e.name, minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: 1, max: 5000 }),
        async (specs, chunkSize) => {
          const entries: TarWriterEntry[] = specs.map((s, i) =>
            s.kind === "file"
              ? { name: s.name, body: pattern(s.size, i), mtime: s.mtime }
              : s.kind === "directory"
              ? { name: s.name, type: "directory", mtime: s.mtime }
              : {
                name: s.name,
                type: "symlink",
                linkName: `../${s.name}`,
                mtime: s.mtime,
              }
          );
          const path = `${root}/prop.tar`;
          await writeArchive(path, entries);
          using file = await Deno.open(path);
          const index = await indexTar(file);
          assert.deepEqual(
            index.entries.map((e) => [e.name, e.type, e.mtime]),
            specs.map((s) => [s.name, s.kind, s.mtime]),
          );
          let i = 0;
          for await (
            const { header, body } of readTarStream(
              readFileStream(await Deno.open(path), { chunkSize }),
            )
          ) {
            const spec = specs[i]!;
            assert.equal(header.name, spec.name);
            const data = await readAll(body);
            assert.deepEqual(
              data,
              spec.kind === "file" ? pattern(spec.size, i) : new Uint8Array(),
            );
            i++;
          }
          assert.equal(i, specs.length);
        },
      ),
      { numRuns: 20 },
    );
  }));
