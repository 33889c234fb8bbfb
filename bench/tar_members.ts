/**
 * A minimal, independent tar reader for checking the archives the tools
 * write: it walks the headers (seeking over content nobody reads), so finding
 * `manifest.json` at the end of a 1 GiB archive costs a few reads, and it
 * streams the content of the members a caller asks for.
 *
 * @module
 */

/** One member of a tar file. */
export interface TarMember {
  /** Path inside the archive (pax `path` and GNU long names applied). */
  name: string;
  /** Type flag: `"0"` file, `"2"` symlink, `"5"` directory, … */
  type: string;
  /** Content size in bytes. */
  size: number;
  /** Symlink / hard-link target. */
  linkName: string;
}

/**
 * Called for each member; call `read()` to stream its content (at most once,
 * before returning), or return without reading to skip it.
 */
export type TarVisitor = (
  member: TarMember,
  read: () => AsyncIterable<Uint8Array>,
) => Promise<void> | void;

const BLOCK = 512;
const CHUNK = 1 << 20;

/**
 * Visits every member of the tar file at `path`, in order.
 *
 * @param path A tar file (uncompressed).
 * @param visit Called once per member.
 * @throws {Error} On a truncated or malformed archive.
 */
export async function scanTar(path: string, visit: TarVisitor): Promise<void> {
  using file = await Deno.open(path, { read: true });
  let offset = 0;
  let longName: string | undefined;
  while (true) {
    const header = await readExactly(file, BLOCK);
    if (!header) throw new Error(`${path}: truncated tar (no end marker)`);
    if (header.every((b) => b === 0)) return;
    const size = octal(header.subarray(124, 136), path);
    const type = header[156] === 0 ? "0" : String.fromCharCode(header[156]!);
    const dataStart = offset + BLOCK;
    const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x" || type === "L") {
      const data = await readExactly(file, size);
      if (!data) throw new Error(`${path}: truncated tar header data`);
      longName = type === "L"
        ? cString(data)
        : paxPath(new TextDecoder().decode(data)) ?? longName;
    } else if (type !== "g") {
      const prefix = cString(header.subarray(345, 500));
      const short = cString(header.subarray(0, 100));
      const member: TarMember = {
        name: longName ?? (prefix ? `${prefix}/${short}` : short),
        type,
        size,
        linkName: cString(header.subarray(157, 257)),
      };
      longName = undefined;
      await visit(member, () => content(file, size));
    }
    offset = next;
    await file.seek(offset, Deno.SeekMode.Start);
  }
}

/**
 * The content of the first member named `name`, for small files.
 *
 * @param path A tar file.
 * @param name The member's path.
 * @returns Its bytes, or `undefined` when absent.
 */
export async function readTarFile(
  path: string,
  name: string,
): Promise<Uint8Array | undefined> {
  let found: Uint8Array | undefined;
  await scanTar(path, async (member, read) => {
    if (found || member.name !== name || member.type !== "0") return;
    found = await collect(read());
  });
  return found;
}

/**
 * Concatenates a stream of chunks.
 *
 * @param chunks The chunks.
 * @returns One buffer.
 */
export async function collect(
  chunks: AsyncIterable<Uint8Array>,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of chunks) parts.push(part);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function* content(
  file: Deno.FsFile,
  size: number,
): AsyncGenerator<Uint8Array> {
  let left = size;
  while (left > 0) {
    // A fresh buffer per chunk: consumers (zlib) may keep it a while.
    const chunk = await readExactly(file, Math.min(CHUNK, left));
    if (!chunk) throw new Error("truncated tar member");
    left -= chunk.length;
    yield chunk;
  }
}

async function readExactly(
  file: Deno.FsFile,
  n: number,
): Promise<Uint8Array | undefined> {
  const buffer = new Uint8Array(n);
  let at = 0;
  while (at < n) {
    const read = await file.read(buffer.subarray(at));
    if (read === null) return undefined;
    at += read;
  }
  return buffer;
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function octal(field: Uint8Array, path: string): number {
  if ((field[0]! & 0x80) !== 0) {
    throw new Error(`${path}: base-256 tar sizes are not supported`);
  }
  const text = cString(field).trim();
  return text === "" ? 0 : parseInt(text, 8);
}

/** The `path` record of pax extended headers (`<len> path=<value>\n`). */
function paxPath(text: string): string | undefined {
  for (const line of text.split("\n")) {
    const match = /^\d+ path=(.*)$/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}
