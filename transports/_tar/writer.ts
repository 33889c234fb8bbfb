/**
 * A streaming tar writer: POSIX ustar headers, with a PAX extended header
 * only when a field does not fit (long or non-ASCII names and link targets,
 * sizes of 8 GiB and more, large ids, times outside the octal range).
 *
 * Hand-written rather than modern-tar's packer: it is as fast (both run at
 * disk speed), its output is fully determined by the entry fields (owner
 * 0/0, empty user names, mtime 0 unless given), and bodies are pulled only as
 * the archive is read, so backpressure reaches every body stream.
 *
 * @module
 */
import { DigestMismatchError } from "../../core/errors.ts";
import {
  BLOCK_SIZE,
  encodeHeader,
  encodePaxRecords,
  octalLimit,
  paddingOf,
} from "./header.ts";

/** A member to add. */
export interface TarWriterEntry {
  /** Path inside the archive; directories get a trailing `/`. */
  name: string;
  /** Default `file`. */
  type?: "file" | "directory" | "symlink" | "hardlink";
  /** Body size; required with a stream body, defaults to the length of a byte body. */
  size?: number;
  /** The body of a `file`: bytes, or a stream of exactly `size` bytes. */
  body?: Uint8Array | ReadableStream<Uint8Array>;
  /** Permission bits. Default 0o644 for files and links, 0o755 for directories. */
  mode?: number;
  /** Seconds since the epoch. Default 0. */
  mtime?: number;
  /** Default 0. */
  uid?: number;
  /** Default 0. */
  gid?: number;
  /** Default `""`. */
  uname?: string;
  /** Default `""`. */
  gname?: string;
  /** Target of a symlink (as stored) or hardlink (a member name). */
  linkName?: string;
}

/** Options of {@linkcode TarWriter.add}. */
export interface TarWriterAddOptions {
  /** Aborting before the entry starts drops it; after, it aborts the archive. */
  signal?: AbortSignal;
}

/** A tar archive being written; read {@linkcode TarWriter.readable} while adding. */
export interface TarWriter {
  /** The archive bytes. Entries are pulled from their bodies only as this is read. */
  readonly readable: ReadableStream<Uint8Array>;
  /**
   * Queues an entry. Resolves once its body has been fully passed to
   * `readable` (so keep reading `readable` concurrently).
   *
   * @throws {DigestMismatchError} (`kind: "size"`) When the body's length is
   * not `size`; the archive is aborted with the same error.
   */
  add(entry: TarWriterEntry, options?: TarWriterAddOptions): Promise<void>;
  /** Ends the archive after the queued entries; resolves when all is written. */
  close(): Promise<void>;
  /** Abandons the archive: `readable` and pending `add()` calls fail with `reason`. */
  abort(reason?: unknown): void;
}

interface Job {
  entry: TarWriterEntry;
  header: Uint8Array;
  size: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
}

const encoder = new TextEncoder();
const END_OF_ARCHIVE = new Uint8Array(2 * BLOCK_SIZE);

/**
 * Creates a streaming tar writer.
 *
 * @example Write two members
 * ```ts
 * import { createTarWriter } from "./writer.ts";
 * const tar = createTarWriter();
 * const bytes = new Response(tar.readable).arrayBuffer();
 * await tar.add({ name: "dir", type: "directory" });
 * await tar.add({ name: "dir/hello.txt", body: new TextEncoder().encode("hi") });
 * await tar.close();
 * console.assert((await bytes).byteLength === 512 * 5);
 * ```
 *
 * @returns The writer.
 */
export function createTarWriter(): TarWriter {
  const queue: Job[] = [];
  let current: Job | undefined;
  let bodyReader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let bodyBytes: Uint8Array | undefined;
  let headerSent = false;
  let written = 0;
  let closing = false;
  let closed = false;
  let failure: { reason: unknown } | undefined;
  let wake: (() => void) | undefined;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let resolveClose!: () => void;
  let rejectClose!: (error: unknown) => void;
  const closeDone = new Promise<void>((resolve, reject) => {
    resolveClose = resolve;
    rejectClose = reject;
  });
  closeDone.catch(() => {});

  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const fail = (reason: unknown): void => {
    if (failure || closed) return;
    failure = { reason };
    try {
      controller.error(reason);
    } catch {
      // Already errored or closed.
    }
    bodyReader?.cancel(reason).catch(() => {});
    bodyReader = undefined;
    if (current) {
      current.reject(reason);
      current = undefined;
    }
    for (const job of queue.splice(0)) job.reject(reason);
    rejectClose(reason);
    notify();
  };
  const finishEntry = (): void => {
    const job = current!;
    current = undefined;
    bodyReader = undefined;
    bodyBytes = undefined;
    job.resolve();
  };
  const sizeError = (job: Job, actual: string): DigestMismatchError =>
    new DigestMismatchError(String(job.size), actual, {
      kind: "size",
      subject: `tar entry ${JSON.stringify(job.entry.name)}`,
    });

  const readable = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    async pull(c) {
      while (!failure) {
        if (!current) {
          const next = queue.shift();
          if (!next) {
            if (closing) {
              c.enqueue(END_OF_ARCHIVE.slice());
              c.close();
              closed = true;
              resolveClose();
              return;
            }
            await new Promise<void>((resolve) => (wake = resolve));
            continue;
          }
          if (next.signal?.aborted) {
            next.reject(next.signal.reason);
            continue;
          }
          current = next;
          headerSent = false;
          written = 0;
        }
        const job = current;
        if (!headerSent) {
          headerSent = true;
          const body = job.entry.body;
          try {
            if (body instanceof ReadableStream) bodyReader = body.getReader();
            else bodyBytes = body;
          } catch (error) {
            fail(error); // e.g. a body stream someone else is reading
            return;
          }
          c.enqueue(job.header);
          return;
        }
        if (job.signal?.aborted) {
          fail(job.signal.reason);
          return;
        }
        if (bodyBytes) {
          const bytes = bodyBytes;
          bodyBytes = undefined;
          if (bytes.length > 0) {
            written = bytes.length;
            c.enqueue(bytes);
            return;
          }
        }
        if (bodyReader) {
          let result: ReadableStreamReadResult<Uint8Array>;
          try {
            result = await bodyReader.read();
          } catch (error) {
            fail(error);
            return;
          }
          if (failure) return;
          if (!result.done) {
            if (result.value.length === 0) continue;
            written += result.value.length;
            if (written > job.size) {
              fail(sizeError(job, `more than ${job.size}`));
              return;
            }
            c.enqueue(result.value);
            return;
          }
          bodyReader.releaseLock();
          bodyReader = undefined;
        }
        if (written !== job.size) {
          fail(sizeError(job, String(written)));
          return;
        }
        const padding = paddingOf(job.size);
        finishEntry();
        if (padding > 0) {
          c.enqueue(new Uint8Array(padding));
          return;
        }
      }
    },
    cancel(reason) {
      fail(reason);
    },
  });

  return {
    readable,
    add(entry, options = {}) {
      if (failure) return Promise.reject(failure.reason);
      if (closing) {
        return Promise.reject(
          new TypeError("Cannot add to a closed tar writer"),
        );
      }
      let header: Uint8Array;
      let size: number;
      try {
        ({ header, size } = encodeEntry(entry));
      } catch (error) {
        return Promise.reject(error);
      }
      const { signal } = options;
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const queued = queue.indexOf(job);
          if (queued >= 0) {
            queue.splice(queued, 1);
            job.reject(signal!.reason);
          } else if (current === job) {
            // Part of it is already in the archive: the archive is lost.
            fail(signal!.reason);
          }
        };
        const done = (): void => signal?.removeEventListener("abort", onAbort);
        const job: Job = {
          entry,
          header,
          size,
          resolve: () => {
            done();
            resolve();
          },
          reject: (error) => {
            done();
            reject(error);
          },
          signal,
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        queue.push(job);
        notify();
      });
    },
    close() {
      if (!failure) closing = true;
      notify();
      return closeDone;
    },
    abort(reason) {
      fail(reason ?? new Error("tar writer aborted"));
    },
  };
}

/** Builds the header block(s) for an entry and checks its fields. */
function encodeEntry(
  entry: TarWriterEntry,
): { header: Uint8Array; size: number } {
  const type = entry.type ?? "file";
  if (entry.name === "" || entry.name.includes("\0")) {
    throw new TypeError(`Invalid tar entry name ${JSON.stringify(entry.name)}`);
  }
  let size = 0;
  if (type === "file") {
    if (entry.body instanceof ReadableStream) {
      if (entry.size === undefined) {
        throw new TypeError(
          `Tar entry ${
            JSON.stringify(entry.name)
          }: size is required with a stream body`,
        );
      }
      size = entry.size;
    } else {
      size = entry.size ?? entry.body?.length ?? 0;
      if (size !== (entry.body?.length ?? 0)) {
        throw new DigestMismatchError(
          String(size),
          String(entry.body?.length ?? 0),
          { kind: "size", subject: `tar entry ${JSON.stringify(entry.name)}` },
        );
      }
    }
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new RangeError(
        `Invalid size ${size} for tar entry ${JSON.stringify(entry.name)}`,
      );
    }
  } else if (entry.body !== undefined || (entry.size ?? 0) !== 0) {
    throw new TypeError(
      `Tar ${type} entry ${JSON.stringify(entry.name)} cannot have a body`,
    );
  }
  if ((type === "symlink" || type === "hardlink") && !entry.linkName) {
    throw new TypeError(
      `Tar ${type} entry ${JSON.stringify(entry.name)} needs a linkName`,
    );
  }

  const name = type === "directory" && !entry.name.endsWith("/")
    ? `${entry.name}/`
    : entry.name;
  const linkName = entry.linkName ?? "";
  const mode = entry.mode ?? (type === "directory" ? 0o755 : 0o644);
  const mtime = entry.mtime ?? 0;
  const uid = entry.uid ?? 0;
  const gid = entry.gid ?? 0;
  const uname = entry.uname ?? "";
  const gname = entry.gname ?? "";

  const pax = new Map<string, string>();
  const nameBytes = encoder.encode(name);
  const linkBytes = encoder.encode(linkName);
  const unameBytes = encoder.encode(uname);
  const gnameBytes = encoder.encode(gname);
  if (nameBytes.length > 100 || !isAscii(name)) pax.set("path", name);
  if (linkBytes.length > 100 || !isAscii(linkName)) {
    pax.set("linkpath", linkName);
  }
  if (size > octalLimit(12)) pax.set("size", String(size));
  if (!Number.isInteger(mtime) || mtime < 0 || mtime > octalLimit(12)) {
    pax.set("mtime", String(mtime));
  }
  if (uid > octalLimit(8)) pax.set("uid", String(uid));
  if (gid > octalLimit(8)) pax.set("gid", String(gid));
  if (unameBytes.length > 32 || !isAscii(uname)) pax.set("uname", uname);
  if (gnameBytes.length > 32 || !isAscii(gname)) pax.set("gname", gname);

  const fits = (value: number, width: number): number =>
    Number.isInteger(value) && value >= 0 && value <= octalLimit(width)
      ? value
      : 0;
  const main = encodeHeader({
    name: pax.has("path") ? asciiFallback(name, 100) : nameBytes,
    mode: mode & 0o7777,
    uid: fits(uid, 8),
    gid: fits(gid, 8),
    size: fits(size, 12),
    mtime: fits(mtime, 12),
    typeflag: { file: "0", hardlink: "1", symlink: "2", directory: "5" }[type],
    linkName: pax.has("linkpath") ? asciiFallback(linkName, 100) : linkBytes,
    uname: pax.has("uname") ? new Uint8Array() : unameBytes,
    gname: pax.has("gname") ? new Uint8Array() : gnameBytes,
  });
  if (pax.size === 0) return { header: main, size };

  const records = encodePaxRecords(pax);
  const base = name.replace(/\/+$/, "").split("/").pop() ?? "entry";
  const paxHeader = encodeHeader({
    name: asciiFallback(`PaxHeaders.0/${base}`, 100),
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: records.length,
    mtime: fits(mtime, 12),
    typeflag: "x",
    linkName: new Uint8Array(),
    uname: new Uint8Array(),
    gname: new Uint8Array(),
  });
  const header = new Uint8Array(
    2 * BLOCK_SIZE + records.length + paddingOf(records.length),
  );
  header.set(paxHeader, 0);
  header.set(records, BLOCK_SIZE);
  header.set(main, header.length - BLOCK_SIZE);
  return { header, size };
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0 || code > 0x7f) return false;
  }
  return true;
}

/** An ASCII stand-in for readers without PAX support. */
function asciiFallback(text: string, max: number): Uint8Array {
  const ascii = Array.from(text, (c) => isAscii(c) ? c : "_").join("");
  return encoder.encode(ascii.slice(0, max));
}
