/**
 * A minimal, deterministic ustar writer for test layers: regular files and
 * directories only, owned by 0:0, mtime 0. It exists so that test images do
 * not depend on the tar code under test.
 *
 * @module
 */

/** One entry of a tar archive built by {@linkcode buildTar}. */
export interface TarBuilderEntry {
  /** Path inside the archive, without a leading `/`; directories may end with `/`. */
  path: string;
  /** `file` (default) or `directory`. */
  type?: "file" | "directory";
  /** File content; ignored for directories. */
  content?: Uint8Array;
  /** Permission bits; 0o644 for files and 0o755 for directories by default. */
  mode?: number;
}

const BLOCK = 512;
const encoder = new TextEncoder();

/**
 * Builds a ustar archive in memory. Parent directories must be listed by the
 * caller when wanted; nothing is added implicitly.
 *
 * @example Build an archive with one file
 * ```ts
 * import { buildTar } from "./_tar_builder.ts";
 * const tar = buildTar([{ path: "a.txt", content: new TextEncoder().encode("hi") }]);
 * console.assert(tar.length === 512 * 4);
 * ```
 *
 * @param entries The entries, in archive order.
 * @returns The archive, ending with two zero blocks.
 * @throws {RangeError} When a path does not fit the ustar name fields.
 */
export function buildTar(entries: readonly TarBuilderEntry[]): Uint8Array {
  let total = 2 * BLOCK;
  for (const entry of entries) {
    total += BLOCK + padded(fileSize(entry));
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const entry of entries) {
    out.set(header(entry), offset);
    offset += BLOCK;
    if (entry.type !== "directory" && entry.content) {
      out.set(entry.content, offset);
      offset += padded(entry.content.length);
    }
  }
  return out;
}

function fileSize(entry: TarBuilderEntry): number {
  return entry.type === "directory" ? 0 : entry.content?.length ?? 0;
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function header(entry: TarBuilderEntry): Uint8Array {
  const isDirectory = entry.type === "directory";
  let path = entry.path.replace(/^\/+/, "");
  if (isDirectory && !path.endsWith("/")) path += "/";
  const [prefix, name] = splitPath(path);
  const block = new Uint8Array(BLOCK);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, entry.mode ?? (isDirectory ? 0o755 : 0o644));
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, fileSize(entry));
  writeOctal(block, 136, 12, 0); // mtime
  block.fill(0x20, 148, 156); // checksum field counts as spaces
  block[156] = isDirectory ? 0x35 : 0x30; // typeflag '5' or '0'
  writeString(block, 257, 6, "ustar");
  writeString(block, 263, 2, "00");
  writeString(block, 265, 32, "root");
  writeString(block, 297, 32, "root");
  writeString(block, 345, 155, prefix);
  let sum = 0;
  for (const byte of block) sum += byte;
  // Six octal digits, NUL, space: the customary checksum layout.
  writeString(block, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return block;
}

/** Splits a long path into ustar's prefix (≤155) and name (≤100) fields. */
function splitPath(path: string): [string, string] {
  if (encoder.encode(path).length <= 100) return ["", path];
  for (let i = path.lastIndexOf("/", path.length - 2); i > 0;) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (
      encoder.encode(prefix).length <= 155 && encoder.encode(name).length <= 100
    ) {
      return [prefix, name];
    }
    i = path.lastIndexOf("/", i - 1);
  }
  throw new RangeError(`Cannot store tar path "${path}": too long for ustar`);
}

function writeString(
  block: Uint8Array,
  offset: number,
  length: number,
  text: string,
): void {
  const bytes = encoder.encode(text);
  if (bytes.length > length) {
    throw new RangeError(`Cannot store "${text}" in a ${length}-byte field`);
  }
  block.set(bytes, offset);
}

function writeOctal(
  block: Uint8Array,
  offset: number,
  length: number,
  value: number,
): void {
  const digits = value.toString(8).padStart(length - 1, "0");
  if (digits.length > length - 1) {
    throw new RangeError(`Cannot store ${value} in a ${length}-byte tar field`);
  }
  writeString(block, offset, length, digits);
}
