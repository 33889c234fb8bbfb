/**
 * Seeded random-input tests of the tar reader (header blocks, PAX records,
 * GNU long names, the seekable index, the stream reader and link
 * resolution). Inputs are valid archives with random bytes changed, the
 * header checksum fixed half of the time so the damage reaches the field
 * parsers. Each reader must return entries or throw InvalidContentError
 * with a one-line message, and finish within a bound (no hang, no
 * unbounded allocation). fast-check prints the seed on failure;
 * `FUZZ_SEED=n` replays a run.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { InvalidContentError } from "../core/errors.ts";
import {
  BLOCK_SIZE,
  decodeHeader,
  encodeHeader,
  encodePaxRecords,
  paddingOf,
  parsePaxRecords,
} from "../transports/_tar/header.ts";
import {
  indexTar,
  readTarStream,
  resolveEntry,
} from "../transports/_tar/reader.ts";
import { chunked } from "./support/chunked.ts";

const seedText = Deno.env.get("FUZZ_SEED");
const PARAMS = {
  numRuns: 400,
  ...(seedText === undefined ? {} : { seed: Number(seedText) }),
};
/** Longest any one input may take: a reader that loops fails here. */
const PER_INPUT_MS = 2_000;

const encoder = new TextEncoder();

function assertOurs(error: unknown): void {
  const text = error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
  assert.ok(error instanceof InvalidContentError, `unexpected ${text}`);
  assert.ok(!error.message.includes("\n"), `not one line: ${text}`);
}

async function bounded<T>(work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${PER_INPUT_MS} ms`)),
      PER_INPUT_MS,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One member: its header (typeflag, name, link) and body. */
function member(
  typeflag: string,
  name: string,
  body: Uint8Array,
  linkName = "",
): Uint8Array[] {
  const header = encodeHeader({
    name: encoder.encode(name),
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: body.length,
    mtime: 1,
    typeflag,
    linkName: encoder.encode(linkName),
    uname: new Uint8Array(),
    gname: new Uint8Array(),
  });
  return [header, body, new Uint8Array(paddingOf(body.length))];
}

/** A small archive using every header kind the reader knows. */
function baseArchive(): Uint8Array {
  const long = `${"d".repeat(120)}/long-name.txt`;
  const parts = [
    ...member("5", "dir/", new Uint8Array()),
    ...member("0", "dir/file.txt", encoder.encode("hello\n")),
    ...member("2", "dir/up", new Uint8Array(), "../dir/file.txt"),
    ...member("2", "escape", new Uint8Array(), "../../etc/passwd"),
    ...member("1", "hard", new Uint8Array(), "dir/file.txt"),
    ...member(
      "x",
      "PaxHeaders/pax",
      encodePaxRecords([["path", "pax/renamed.txt"], ["mtime", "1.5"]]),
    ),
    ...member("0", "ignored", encoder.encode("pax body")),
    ...member("g", "global", encodePaxRecords([["uname", "root"]])),
    ...member("L", "././@LongLink", encoder.encode(`${long}\0`)),
    ...member("0", "cut", encoder.encode("long")),
    ...member("0", "./dot/./x", encoder.encode("dots")),
    new Uint8Array(2 * BLOCK_SIZE),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const BASE = baseArchive();

/** Recomputes the checksum of the header block holding `offset`. */
function fixChecksum(archive: Uint8Array, offset: number): void {
  const start = offset - (offset % BLOCK_SIZE);
  const block = archive.subarray(start, start + BLOCK_SIZE);
  if (block.length < BLOCK_SIZE) return;
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.set(encoder.encode(sum.toString(8).padStart(6, "0")), 148);
  block[154] = 0;
}

/** Interesting bytes for numeric and name fields. */
const BYTE = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.constantFrom(0, 0x20, 0x2e, 0x2f, 0x30, 0x37, 0x38, 0x80, 0xff),
);

const archive = fc.tuple(
  fc.array(fc.tuple(fc.nat(), BYTE), { minLength: 1, maxLength: 6 }),
  fc.boolean(),
  fc.option(fc.nat(), { freq: 4 }),
).map(([edits, fix, cut]) => {
  const bytes = BASE.slice();
  for (const [at, byte] of edits) {
    // Mostly inside header blocks, where the parsing is.
    const offset = at % bytes.length;
    bytes[offset] = byte;
    if (fix) fixChecksum(bytes, offset);
  }
  return cut === null ? bytes : bytes.slice(0, cut % bytes.length);
});

Deno.test("the unmodified fuzz base archive reads whole", async () => {
  const names: string[] = [];
  for await (const { header, body } of readTarStream(chunked(BASE, 100))) {
    names.push(header.name);
    await body.cancel();
  }
  assert.ok(names.includes("pax/renamed.txt"), names.join());
  assert.ok(names.some((n) => n.endsWith("long-name.txt")), names.join());
  assert.ok(names.includes("dot/x"), names.join());
});

Deno.test("readTarStream() reads any damaged archive or throws InvalidContentError", async () => {
  const seen = { read: 0, rejected: 0 };
  await fc.assert(
    fc.asyncProperty(
      archive,
      fc.integer({ min: 1, max: 1500 }),
      async (bytes, chunk) => {
        try {
          await bounded((async () => {
            for await (
              const { header, body } of readTarStream(chunked(bytes, chunk))
            ) {
              assert.ok(!header.name.split("/").includes(".."), header.name);
              let size = 0;
              for await (const part of body) size += part.length;
              assert.equal(size, header.size);
            }
          })());
          seen.read++;
        } catch (error) {
          assertOurs(error);
          seen.rejected++;
        }
      },
    ),
    PARAMS,
  );
  assert.ok(seen.read > 20 && seen.rejected > 20, JSON.stringify(seen));
});

Deno.test("indexTar() and resolveEntry() index any damaged archive or throw InvalidContentError", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skopeo-ts-fuzz-tar-" });
  const path = `${dir}/a.tar`;
  const seen = { indexed: 0, rejected: 0 };
  try {
    await fc.assert(
      fc.asyncProperty(archive, async (bytes) => {
        await Deno.writeFile(path, bytes);
        using file = await Deno.open(path);
        try {
          await bounded((async () => {
            const index = await indexTar(file);
            for (const entry of index.entries) {
              assert.ok(entry.offset + entry.size <= bytes.length);
              try {
                resolveEntry(index, entry.name);
              } catch (error) {
                assertOurs(error); // a link outside, or a loop
              }
            }
          })());
          seen.indexed++;
        } catch (error) {
          assertOurs(error);
          seen.rejected++;
        }
      }),
      PARAMS,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.ok(seen.indexed > 20 && seen.rejected > 20, JSON.stringify(seen));
});

Deno.test("decodeHeader() and parsePaxRecords() take any bytes", () => {
  const block = fc.tuple(
    fc.uint8Array({ minLength: BLOCK_SIZE, maxLength: BLOCK_SIZE }),
    fc.boolean(),
  ).map(([bytes, fix]) => {
    if (fix) fixChecksum(bytes, 0);
    return bytes;
  });
  fc.assert(
    fc.property(block, (bytes) => {
      try {
        const header = decodeHeader(bytes, 0);
        if (header) assert.ok(Number.isFinite(header.size));
      } catch (error) {
        assertOurs(error);
      }
    }),
    PARAMS,
  );
  const pax = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.string({ unit: fc.constantFrom(..."0123456789 =\nab\0".split("")) })
      .map((t) => encoder.encode(t)),
  );
  fc.assert(
    fc.property(pax, (bytes) => {
      try {
        parsePaxRecords(bytes, 0);
      } catch (error) {
        assertOurs(error);
      }
    }),
    PARAMS,
  );
});
