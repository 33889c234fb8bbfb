/**
 * The 512-byte tar header block and PAX records: decoding (ustar, GNU, v7;
 * octal and base-256 numbers; both checksum conventions) and ustar encoding.
 *
 * @module
 */
import { InvalidContentError } from "../../core/errors.ts";

/** Size of a tar block: headers and body padding are multiples of it. */
export const BLOCK_SIZE = 512;

/** The fields of one header block, before PAX/GNU extensions are applied. */
export interface RawHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  /** One character; `"\0"` for old regular files. */
  typeflag: string;
  linkName: string;
  uname: string;
  gname: string;
  devMajor: number;
  devMinor: number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Bytes of padding after a body of `size` bytes. */
export function paddingOf(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}

/** Whether every byte of `block` is zero (an end-of-archive block). */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

/** The error every malformed archive raises. */
export function tarError(detail: string): InvalidContentError {
  return new InvalidContentError(`Invalid tar archive: ${detail}`);
}

/**
 * Decodes a header block.
 *
 * @param block 512 bytes.
 * @param position The block's offset in the archive, for messages.
 * @returns The header, or `undefined` for an all-zero block.
 * @throws {InvalidContentError} On a bad checksum or malformed number.
 */
export function decodeHeader(
  block: Uint8Array,
  position: number,
): RawHeader | undefined {
  if (isZeroBlock(block)) return undefined;
  const stored = parseNumber(block.subarray(148, 156), "checksum", position);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (stored !== unsigned && stored !== signed) {
    throw tarError(`bad header checksum at offset ${position}`);
  }
  const magic = decoder.decode(block.subarray(257, 263));
  let name = cString(block.subarray(0, 100));
  // Only POSIX ustar has a prefix field; GNU uses those bytes for other data.
  if (magic === "ustar\0") {
    const prefix = cString(block.subarray(345, 500));
    if (prefix) name = `${prefix}/${name}`;
  }
  const field = (from: number, to: number, what: string): number =>
    parseNumber(block.subarray(from, to), what, position);
  return {
    name,
    mode: field(100, 108, "mode"),
    uid: field(108, 116, "uid"),
    gid: field(116, 124, "gid"),
    size: field(124, 136, "size"),
    mtime: field(136, 148, "mtime"),
    typeflag: String.fromCharCode(block[156]!),
    linkName: cString(block.subarray(157, 257)),
    uname: cString(block.subarray(265, 297)),
    gname: cString(block.subarray(297, 329)),
    devMajor: magic.startsWith("ustar") ? field(329, 337, "devmajor") : 0,
    devMinor: magic.startsWith("ustar") ? field(337, 345, "devminor") : 0,
  };
}

/**
 * Parses a numeric header field: octal text, or GNU base-256 when the first
 * byte has its high bit set (sizes of 8 GiB and more, negative times).
 */
export function parseNumber(
  field: Uint8Array,
  what: string,
  position: number,
): number {
  const first = field[0]!;
  if (first & 0x80) {
    const negative = (first & 0x40) !== 0;
    const invert = negative ? 0xff : 0;
    let value = (first ^ invert) & 0x7f;
    for (let i = 1; i < field.length; i++) {
      value = value * 256 + (field[i]! ^ invert);
      if (value > Number.MAX_SAFE_INTEGER) {
        throw tarError(`${what} field at offset ${position} is too large`);
      }
    }
    return negative ? -value - 1 : value;
  }
  const text = decoder.decode(field).replace(/^[ \0]+|[ \0]+$/g, "");
  // Some writers stop at the first NUL and leave garbage after it.
  const digits = text.split("\0")[0]!;
  if (digits === "") return 0;
  if (!/^[0-7]+$/.test(digits)) {
    throw tarError(
      `invalid ${what} field ${JSON.stringify(text)} at offset ${position}`,
    );
  }
  return parseInt(digits, 8);
}

/**
 * Parses a PAX extended header body (`"<len> <key>=<value>\n"` records).
 *
 * @throws {InvalidContentError} On a malformed record.
 */
export function parsePaxRecords(
  body: Uint8Array,
  position: number,
): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < body.length) {
    if (body[at] === 0) break; // NUL padding after the last record
    let space = at;
    while (space < body.length && body[space] !== 0x20) space++;
    const length = Number(decoder.decode(body.subarray(at, space)));
    const end = at + length;
    if (
      !Number.isSafeInteger(length) || length <= space - at + 1 ||
      end > body.length || body[end - 1] !== 0x0a
    ) {
      throw tarError(`malformed PAX record at offset ${position + at}`);
    }
    const record = decoder.decode(body.subarray(space + 1, end - 1));
    const equals = record.indexOf("=");
    if (equals <= 0) {
      throw tarError(`malformed PAX record at offset ${position + at}`);
    }
    records.set(record.slice(0, equals), record.slice(equals + 1));
    at = end;
  }
  return records;
}

/** Encodes PAX records, each `"<len> <key>=<value>\n"`. */
export function encodePaxRecords(
  records: Iterable<readonly [string, string]>,
): Uint8Array {
  let text = "";
  for (const [key, value] of records) {
    const rest = ` ${key}=${value}\n`;
    const restLength = encoder.encode(rest).length;
    // The length counts its own digits.
    let length = restLength + String(restLength).length;
    if (String(length).length > String(restLength).length) length++;
    text += `${length}${rest}`;
  }
  return encoder.encode(text);
}

/** Fields of a header block to encode; every number must fit its field. */
export interface HeaderFields {
  name: Uint8Array;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkName: Uint8Array;
  uname: Uint8Array;
  gname: Uint8Array;
}

/** Largest value of an octal field of `width` bytes (one byte is the NUL). */
export function octalLimit(width: number): number {
  return 8 ** (width - 1) - 1;
}

/** Encodes a POSIX ustar header block (magic `ustar\0`, version `00`). */
export function encodeHeader(fields: HeaderFields): Uint8Array<ArrayBuffer> {
  const block = new Uint8Array(BLOCK_SIZE);
  block.set(fields.name.subarray(0, 100), 0);
  writeOctal(block, 100, 8, fields.mode);
  writeOctal(block, 108, 8, fields.uid);
  writeOctal(block, 116, 8, fields.gid);
  writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, fields.mtime);
  block[156] = fields.typeflag.charCodeAt(0);
  block.set(fields.linkName.subarray(0, 100), 157);
  block.set(encoder.encode("ustar\u000000"), 257);
  block.set(fields.uname.subarray(0, 32), 265);
  block.set(fields.gname.subarray(0, 32), 297);
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.set(encoder.encode(sum.toString(8).padStart(6, "0")), 148);
  block[154] = 0;
  block[155] = 0x20;
  return block;
}

function writeOctal(
  block: Uint8Array,
  at: number,
  width: number,
  value: number,
): void {
  const text = value.toString(8).padStart(width - 1, "0");
  block.set(encoder.encode(text), at);
  block[at + width - 1] = 0;
}

function cString(field: Uint8Array): string {
  const end = field.indexOf(0);
  return decoder.decode(end === -1 ? field : field.subarray(0, end));
}
