/**
 * Tar entries as readers report them: the header block combined with the
 * PAX (`x`, `g`) and GNU long name/link (`L`, `K`) headers before it, with a
 * normalised name. Shared by the random-access indexer and the stream reader.
 *
 * @module
 */
import { parsePaxRecords, type RawHeader, tarError } from "./header.ts";

/** What an entry is. Devices, FIFOs and unknown types are `other`. */
export type TarEntryType =
  | "file"
  | "hardlink"
  | "symlink"
  | "directory"
  | "other";

/** One archive member's metadata. */
export interface TarHeader {
  /**
   * Normalised path: no leading `/` or `./`, no `.` or empty components, no
   * trailing `/`; the archive root itself is `"."`. Never contains `..`.
   */
  readonly name: string;
  readonly type: TarEntryType;
  /** The raw type flag (`"0"`, `"5"`, …), for types `other` distinguishes. */
  readonly typeflag: string;
  /** Body size in bytes; 0 for header-only types (links, directories, devices). */
  readonly size: number;
  /** Permission bits (`& 0o7777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly uname: string;
  readonly gname: string;
  /** Seconds since the epoch; PAX times may have a fraction. */
  readonly mtime: number;
  /**
   * Symlinks: the target exactly as stored. Hardlinks: the target member's
   * normalised name. Otherwise `""`.
   */
  readonly linkName: string;
  readonly devMajor: number;
  readonly devMinor: number;
  /** PAX records in effect for this entry (global, then local), e.g. xattrs. */
  readonly pax: Readonly<Record<string, string>>;
}

/** PAX and GNU long-name bodies larger than this are refused (a memory bound). */
export const MAX_META_SIZE: number = 1 << 20;

const META_TYPES = new Set(["x", "g", "L", "K"]);
const HEADER_ONLY_TYPES = new Set(["1", "2", "3", "4", "5", "6"]);

/**
 * Normalises an entry name or a lookup path relative to the archive root.
 * Absolute names are taken relative to the root, as GNU tar extracts them.
 *
 * @example
 * ```ts
 * import { normalizeTarName } from "./entry.ts";
 * console.assert(normalizeTarName("./a//b/") === "a/b");
 * console.assert(normalizeTarName("/") === ".");
 * ```
 *
 * @throws {InvalidContentError} When a component is `..`.
 */
export function normalizeTarName(name: string): string {
  const parts: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      throw tarError(
        `entry name ${JSON.stringify(name)} has a ".." component`,
      );
    }
    parts.push(part);
  }
  return parts.length === 0 ? "." : parts.join("/");
}

/**
 * Folds extension headers into the entries they describe. Feed every header
 * in order: {@linkcode HeaderAssembler.isMeta} ones (with their bodies) to
 * {@linkcode HeaderAssembler.addMeta}, the others to
 * {@linkcode HeaderAssembler.build}.
 */
export class HeaderAssembler {
  #global = new Map<string, string>();
  #local = new Map<string, string>();
  #longName: string | undefined;
  #longLink: string | undefined;
  #pendingAt: number | undefined;

  /** Whether `raw` is an extension header whose body describes the next entry. */
  isMeta(raw: RawHeader): boolean {
    return META_TYPES.has(raw.typeflag);
  }

  /** Offset of an extension header still waiting for its entry, if any. */
  get pendingAt(): number | undefined {
    return this.#pendingAt;
  }

  /**
   * Records an extension header's body.
   *
   * @throws {InvalidContentError} On malformed PAX records.
   */
  addMeta(raw: RawHeader, body: Uint8Array, position: number): void {
    this.#pendingAt ??= position;
    switch (raw.typeflag) {
      case "x":
        for (const [k, v] of parsePaxRecords(body, position + 512)) {
          this.#local.set(k, v);
        }
        break;
      case "g":
        for (const [k, v] of parsePaxRecords(body, position + 512)) {
          if (v === "") this.#global.delete(k);
          else this.#global.set(k, v);
        }
        // A global header describes no entry by itself.
        if (this.#local.size === 0 && this.#longName === undefined) {
          this.#pendingAt = undefined;
        }
        break;
      case "L":
        this.#longName = cString(body);
        break;
      case "K":
        this.#longLink = cString(body);
        break;
    }
  }

  /**
   * Builds an entry from its header block and the pending extensions.
   *
   * @throws {InvalidContentError} On `..` names, sparse files, bad PAX numbers.
   */
  build(raw: RawHeader, position: number): TarHeader {
    const records = new Map([...this.#global, ...this.#local]);
    const longName = this.#longName;
    const longLink = this.#longLink;
    this.#local = new Map();
    this.#longName = undefined;
    this.#longLink = undefined;
    this.#pendingAt = undefined;

    if (
      raw.typeflag === "S" ||
      [...records.keys()].some((k) => k.startsWith("GNU.sparse."))
    ) {
      throw tarError(`sparse file at offset ${position} is not supported`);
    }
    const number = (key: string, fallback: number): number => {
      const text = records.get(key);
      if (text === undefined) return fallback;
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) {
        throw tarError(
          `invalid PAX ${key} ${
            JSON.stringify(text)
          } for the entry at offset ${position}`,
        );
      }
      return value;
    };
    const rawName = records.get("path") ?? longName ?? raw.name;
    const type = typeOf(raw.typeflag, rawName);
    const size = number("size", raw.size);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw tarError(`invalid size ${size} at offset ${position}`);
    }
    const rawLink = records.get("linkpath") ?? longLink ?? raw.linkName;
    return {
      name: normalizeTarName(rawName),
      type,
      typeflag: raw.typeflag,
      size: HEADER_ONLY_TYPES.has(raw.typeflag) ? 0 : size,
      mode: raw.mode & 0o7777,
      uid: number("uid", raw.uid),
      gid: number("gid", raw.gid),
      uname: records.get("uname") ?? raw.uname,
      gname: records.get("gname") ?? raw.gname,
      mtime: number("mtime", raw.mtime),
      linkName: type === "hardlink"
        ? normalizeTarName(rawLink)
        : type === "symlink"
        ? rawLink
        : "",
      devMajor: raw.devMajor,
      devMinor: raw.devMinor,
      pax: Object.fromEntries(records),
    };
  }
}

function typeOf(typeflag: string, name: string): TarEntryType {
  switch (typeflag) {
    case "0":
    case "7":
      return "file";
    case "\0":
      // Pre-POSIX archives mark directories only by the trailing slash.
      return name.endsWith("/") ? "directory" : "file";
    case "1":
      return "hardlink";
    case "2":
      return "symlink";
    case "5":
    case "D": // GNU dumpdir: a directory with a listing as its body
      return "directory";
    default:
      return "other";
  }
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end));
}
