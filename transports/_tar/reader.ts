/**
 * Reading tar archives: a random-access index of a seekable file (headers
 * only; bodies are skipped by seeking and read later by offset), link
 * resolution inside the archive, and a streaming reader for pipes.
 *
 * Decisions:
 * - Names are normalised ({@linkcode normalizeTarName}): absolute names are
 *   taken relative to the archive root (as GNU tar extracts them) and any
 *   `..` component makes the whole archive invalid, so no name can address
 *   anything outside the root.
 * - When a name occurs twice, the later member wins, as on extraction (and
 *   as `tar -r`/`-u` mean it).
 * - A truncated archive (a header or body past the end of the file, or an
 *   extension header with no entry) is an error, not a silent end. An archive
 *   that ends cleanly at a block boundary without the two zero blocks is
 *   accepted, as Go's archive/tar does.
 *
 * @module
 */
import {
  BLOCK_SIZE,
  decodeHeader,
  isZeroBlock,
  paddingOf,
  tarError,
} from "./header.ts";
import {
  HeaderAssembler,
  MAX_META_SIZE,
  normalizeTarName,
  type TarHeader,
} from "./entry.ts";

export {
  normalizeTarName,
  type TarEntryType,
  type TarHeader,
} from "./entry.ts";
export { readTarStream, type TarStreamEntry } from "./stream_reader.ts";
export type { ReadTarStreamOptions } from "./stream_reader.ts";

/** An indexed member: its header plus where its body is. */
export interface TarIndexEntry extends TarHeader {
  /** Offset of the member's (first extension) header block. */
  readonly headerOffset: number;
  /** Offset of the body; read `size` bytes from here. */
  readonly offset: number;
}

/** The members of an archive, in order, with lookup by normalised name. */
export class TarIndex {
  /** Every member in archive order (extension headers excluded). */
  readonly entries: readonly TarIndexEntry[];
  readonly #byName: Map<string, TarIndexEntry>;

  /** @param entries Members in archive order. */
  constructor(entries: readonly TarIndexEntry[]) {
    this.entries = entries;
    this.#byName = new Map(entries.map((e) => [e.name, e]));
  }

  /**
   * The member stored under `name` (normalised first), without following
   * links; the last one when the name repeats.
   *
   * @throws {InvalidContentError} When `name` has a `..` component.
   */
  get(name: string): TarIndexEntry | undefined {
    return this.#byName.get(normalizeTarName(name));
  }
}

/** Options of {@linkcode indexTar}. */
export interface IndexTarOptions {
  /** Aborting stops indexing with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Indexes a seekable tar file by reading its header blocks only. Supports
 * ustar, PAX (local and global headers; `path`, `linkpath`, `size`, `mtime`,
 * …), GNU long names/links and base-256 sizes. Moves the file's position;
 * does not close it.
 *
 * @example Index then read a member
 * ```ts ignore
 * const file = await Deno.open("image.tar");
 * const index = await indexTar(file);
 * const manifest = index.get("manifest.json");
 * ```
 *
 * @param file The open archive.
 * @param options Cancellation.
 * @returns The index.
 * @throws {InvalidContentError} On a truncated archive, a bad header
 * checksum, malformed numbers or PAX records, `..` names or sparse files.
 */
export async function indexTar(
  file: Deno.FsFile,
  options: IndexTarOptions = {},
): Promise<TarIndex> {
  const { signal } = options;
  const fileSize = (await file.stat()).size;
  const assembler = new HeaderAssembler();
  const entries: TarIndexEntry[] = [];
  const block = new Uint8Array(BLOCK_SIZE);
  let position = 0;
  while (true) {
    signal?.throwIfAborted();
    if (position === fileSize && assembler.pendingAt === undefined) break;
    if (position > fileSize) {
      throw tarError(
        `truncated: the file ends at byte ${fileSize}, inside the padding before offset ${position}`,
      );
    }
    if (position + BLOCK_SIZE > fileSize) {
      throw tarError(
        assembler.pendingAt === undefined
          ? `truncated: the file ends at byte ${fileSize}, inside the header block at offset ${position}`
          : `truncated: the extension header at offset ${assembler.pendingAt} has no entry`,
      );
    }
    await readAt(file, position, block);
    const raw = decodeHeader(block, position);
    if (raw === undefined) {
      if (assembler.pendingAt !== undefined) {
        throw tarError(
          `truncated: the extension header at offset ${assembler.pendingAt} has no entry`,
        );
      }
      // End of archive; a lone zero block followed by a header is corruption.
      if (position + 2 * BLOCK_SIZE <= fileSize) {
        await readAt(file, position + BLOCK_SIZE, block);
        if (!isZeroBlock(block)) {
          throw tarError(
            `unexpected zero block at offset ${position} before more headers`,
          );
        }
      }
      break;
    }
    const bodyOffset = position + BLOCK_SIZE;
    if (assembler.isMeta(raw)) {
      if (raw.size > MAX_META_SIZE) {
        throw tarError(
          `extension header at offset ${position} is too large (${raw.size} bytes)`,
        );
      }
      checkBody(
        bodyOffset,
        raw.size,
        fileSize,
        `extension header at offset ${position}`,
      );
      const body = new Uint8Array(raw.size);
      await readAt(file, bodyOffset, body);
      assembler.addMeta(raw, body, position);
      position = bodyOffset + raw.size + paddingOf(raw.size);
      continue;
    }
    const headerOffset = assembler.pendingAt ?? position;
    const header = assembler.build(raw, position);
    checkBody(
      bodyOffset,
      header.size,
      fileSize,
      `entry ${JSON.stringify(header.name)}`,
    );
    entries.push({ ...header, headerOffset, offset: bodyOffset });
    position = bodyOffset + header.size + paddingOf(header.size);
  }
  return new TarIndex(entries);
}

/** Options of {@linkcode resolveEntry}. */
export interface ResolveEntryOptions {
  /** Most links followed before giving up (a loop). Default 40, as Linux. */
  maxLinks?: number;
}

/**
 * Finds the member `name` refers to, following symlinks (in any path
 * component) and hardlinks inside the archive. A relative symlink target is
 * resolved from the link's directory, an absolute one from the archive root.
 * `docker save` (20.10) links a repeated layer to its first copy with a
 * symlink such as `<id>/layer.tar -> ../<first id>/layer.tar`.
 *
 * @example
 * ```ts ignore
 * const layer = resolveEntry(index, "abc/layer.tar"); // the regular file behind the link
 * ```
 *
 * @param index The archive's index.
 * @param name The path to resolve (normalised first).
 * @param options Link limit.
 * @returns The member, or `undefined` when nothing exists at the path.
 * @throws {InvalidContentError} When a link points outside the archive, or
 * links loop (more than `maxLinks` followed).
 */
export function resolveEntry(
  index: TarIndex,
  name: string,
  options: ResolveEntryOptions = {},
): TarIndexEntry | undefined {
  const maxLinks = options.maxLinks ?? 40;
  const start = normalizeTarName(name);
  let pending = start === "." ? [] : start.split("/");
  let resolved: string[] = [];
  let links = 0;
  const follow = (target: string, relativeTo: string[], via: string): void => {
    if (++links > maxLinks) {
      throw tarError(
        `too many levels of links resolving ${JSON.stringify(name)}`,
      );
    }
    const base = target.startsWith("/") ? [] : relativeTo;
    const next = [...base];
    for (const part of target.split("/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") {
        if (next.length === 0) {
          throw tarError(
            `link ${JSON.stringify(via)} -> ${
              JSON.stringify(target)
            } points outside the archive`,
          );
        }
        next.pop();
      } else {
        next.push(part);
      }
    }
    resolved = [];
    pending = [...next, ...pending];
  };
  while (pending.length > 0) {
    resolved.push(pending.shift()!);
    const path = resolved.join("/");
    const entry = index.get(path);
    if (entry?.type === "symlink") {
      follow(entry.linkName, resolved.slice(0, -1), path);
    } else if (entry?.type === "hardlink") {
      // Hardlink targets are member names, relative to the root.
      follow(entry.linkName, [], path);
    } else if (entry && pending.length > 0 && entry.type !== "directory") {
      return undefined; // a file used as a directory
    }
  }
  return index.get(resolved.length === 0 ? "." : resolved.join("/"));
}

function checkBody(
  offset: number,
  size: number,
  fileSize: number,
  what: string,
): void {
  if (offset + size > fileSize) {
    throw tarError(
      `truncated: ${what} needs ${size} bytes at offset ${offset}, but the file ends at byte ${fileSize}`,
    );
  }
}

/** Fills `buffer` from `position`. */
async function readAt(
  file: Deno.FsFile,
  position: number,
  buffer: Uint8Array,
): Promise<void> {
  await file.seek(position, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < buffer.length) {
    const n = await file.read(buffer.subarray(filled));
    if (n === null) {
      throw tarError(`truncated: the file ends at byte ${position + filled}`);
    }
    filled += n;
  }
}
