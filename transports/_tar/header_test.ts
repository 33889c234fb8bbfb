import assert from "node:assert/strict";
import fc from "fast-check";
import { InvalidContentError } from "../../core/errors.ts";
import {
  decodeHeader,
  encodeHeader,
  encodePaxRecords,
  parseNumber,
  parsePaxRecords,
} from "./header.ts";
import { normalizeTarName } from "./entry.ts";

const encoder = new TextEncoder();

Deno.test("parseNumber() reads octal fields with NUL or space terminators", () => {
  assert.equal(parseNumber(encoder.encode("0000644\0"), "mode", 0), 0o644);
  assert.equal(parseNumber(encoder.encode("  755 \0\0"), "mode", 0), 0o755);
  assert.equal(parseNumber(new Uint8Array(8), "mode", 0), 0);
  assert.equal(
    parseNumber(encoder.encode("77777777777\0"), "size", 0),
    8 ** 11 - 1,
  );
  assert.throws(
    () => parseNumber(encoder.encode("00009x4\0"), "size", 1024),
    (e) =>
      e instanceof InvalidContentError &&
      /invalid size field "00009x4" at offset 1024/.test(e.message),
  );
});

Deno.test("parseNumber() reads GNU base-256 fields, positive and negative", () => {
  const big = new Uint8Array(12);
  big[0] = 0x80;
  // 10 GiB = 0x2_8000_0000
  big[7] = 0x02;
  big[8] = 0x80;
  assert.equal(parseNumber(big, "size", 0), 10 * 2 ** 30);
  const minusOne = new Uint8Array(12).fill(0xff);
  assert.equal(parseNumber(minusOne, "mtime", 0), -1);
  const huge = new Uint8Array(12).fill(0x7f);
  huge[0] = 0xbf;
  assert.throws(() => parseNumber(huge, "size", 0), /too large/);
});

Deno.test("decodeHeader() accepts what encodeHeader() writes and checks the checksum", () => {
  const block = encodeHeader({
    name: encoder.encode("dir/file.txt"),
    mode: 0o640,
    uid: 1000,
    gid: 100,
    size: 12345,
    mtime: 1_700_000_000,
    typeflag: "0",
    linkName: new Uint8Array(),
    uname: encoder.encode("user"),
    gname: encoder.encode("group"),
  });
  const header = decodeHeader(block, 0)!;
  assert.deepEqual(header, {
    name: "dir/file.txt",
    mode: 0o640,
    uid: 1000,
    gid: 100,
    size: 12345,
    mtime: 1_700_000_000,
    typeflag: "0",
    linkName: "",
    uname: "user",
    gname: "group",
    devMajor: 0,
    devMinor: 0,
  });
  assert.equal(decodeHeader(new Uint8Array(512), 0), undefined);
  const damaged = block.slice();
  damaged[5] = damaged[5]! + 1;
  assert.throws(
    () => decodeHeader(damaged, 2048),
    (e) =>
      e instanceof InvalidContentError &&
      e.message === "Invalid tar archive: bad header checksum at offset 2048",
  );
});

Deno.test("decodeHeader() joins the ustar prefix field", () => {
  const block = encodeHeader({
    name: encoder.encode("file"),
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: 0,
    mtime: 0,
    typeflag: "0",
    linkName: new Uint8Array(),
    uname: new Uint8Array(),
    gname: new Uint8Array(),
  });
  block.set(encoder.encode("some/prefix"), 345);
  // Recompute the checksum for the edited block.
  block.fill(0x20, 148, 156);
  const sum = block.reduce((a, b) => a + b, 0);
  block.set(encoder.encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  assert.equal(decodeHeader(block, 0)!.name, "some/prefix/file");
});

Deno.test("parsePaxRecords() reads what encodePaxRecords() writes (property)", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(
        fc.tuple(
          fc.string({ minLength: 1, maxLength: 20 }).filter((k) =>
            !k.includes("=")
          ),
          fc.string({ maxLength: 300, unit: "grapheme" }),
        ),
        { selector: ([k]) => k, maxLength: 8 },
      ),
      (records) => {
        const parsed = parsePaxRecords(encodePaxRecords(records), 0);
        assert.deepEqual([...parsed], records);
      },
    ),
  );
});

Deno.test("encodePaxRecords() counts the length's own digits", () => {
  // " path=" + 1 + "\n" is 8 bytes; with one length digit that is 9.
  assert.equal(
    new TextDecoder().decode(encodePaxRecords([["path", "a"]])),
    "9 path=a\n",
  );
  // " path=" + 91 + "\n" is 98 bytes; 98 + 2 digits is 100, which has 3: 101.
  const value = "x".repeat(91);
  const record = new TextDecoder().decode(encodePaxRecords([["path", value]]));
  assert.equal(record.length, 101);
  assert.ok(record.startsWith("101 path="));
});

Deno.test("parsePaxRecords() rejects malformed records", () => {
  for (const text of ["5 a=b\n", "x path=a\n", "9 patha\n\n", "100 a=b\n"]) {
    assert.throws(
      () => parsePaxRecords(encoder.encode(text), 512),
      /malformed PAX record at offset 512/,
      text,
    );
  }
});

Deno.test("normalizeTarName() strips ./ and / and refuses ..", () => {
  assert.equal(normalizeTarName("./manifest.json"), "manifest.json");
  assert.equal(normalizeTarName("/abs/path/"), "abs/path");
  assert.equal(normalizeTarName("a/./b//c"), "a/b/c");
  assert.equal(normalizeTarName("./"), ".");
  for (const bad of ["../x", "a/../../b", "a/.."]) {
    assert.throws(
      () => normalizeTarName(bad),
      (e) =>
        e instanceof InvalidContentError &&
        e.message ===
          `Invalid tar archive: entry name ${
            JSON.stringify(bad)
          } has a ".." component`,
    );
  }
});
