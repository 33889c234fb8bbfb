/**
 * A tar archive opened for random access, shared by `docker-archive:` and
 * `oci-archive:`. The archive is indexed once (headers only) and members are
 * read by offset, so nothing is extracted and no archive is held in memory.
 * Input that cannot be indexed in place (a pipe such as `/dev/stdin`, or a
 * gzip/zstd-compressed archive, which `docker load` accepts) is first spooled,
 * decompressed, to a temporary file, as containers/image does.
 *
 * @module
 */
import {
  decompressStream,
  detectCompression,
  matchMagic,
  MAX_MAGIC_LENGTH,
} from "../../core/compression/mod.ts";
import { InvalidContentError } from "../../core/errors.ts";
import { readFileStream, writeStreamToFile } from "../../core/fs_stream.ts";
import type { BlobStream } from "../../core/transport.ts";
import { goFsError } from "../_fs/go_error.ts";
import {
  indexTar,
  resolveEntry,
  type TarIndex,
  type TarIndexEntry,
} from "../_tar/mod.ts";

/** Options of {@linkcode IndexedArchive.open}. */
export interface OpenIndexedArchiveOptions {
  /** Where a spooled copy goes (`--tmpdir`); the system default otherwise. */
  tmpDir?: string | undefined;
  /** Prefix of a spooled copy's file name. */
  tempPrefix?: string;
  /** Aborts spooling and indexing. */
  signal?: AbortSignal | undefined;
}

/** A member that does not exist (looked up by {@linkcode IndexedArchive.member}). */
export class MissingMemberError extends InvalidContentError {
  /** The name looked up. */
  readonly member: string;
  /**
   * @param member The name looked up.
   * @param message The whole message.
   */
  constructor(member: string, message: string) {
    super(message);
    this.name = "MissingMemberError";
    this.member = member;
  }
}

/** An indexed tar archive on disk. */
export class IndexedArchive {
  /** The path the user gave. */
  readonly source: string;
  /** The file actually indexed: `source`, or a spooled temporary copy. */
  readonly file: string;
  /** The member index. */
  readonly index: TarIndex;
  readonly #temporary: boolean;
  #closed = false;

  /**
   * Use {@linkcode IndexedArchive.open}.
   *
   * @param source The path the user gave.
   * @param file The file indexed.
   * @param index Its index.
   * @param temporary Whether `file` is ours to delete on close.
   */
  constructor(
    source: string,
    file: string,
    index: TarIndex,
    temporary: boolean,
  ) {
    this.source = source;
    this.file = file;
    this.index = index;
    this.#temporary = temporary;
  }

  /**
   * Opens and indexes an archive, spooling it to a temporary file first when
   * it is compressed or not a regular file.
   *
   * @param path The archive.
   * @param options Temporary directory and cancellation.
   * @returns The indexed archive; close it.
   * @throws {InvalidContentError} When it is not a valid (or a truncated) tar.
   */
  static async open(
    path: string,
    options: OpenIndexedArchiveOptions = {},
  ): Promise<IndexedArchive> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (error) {
      throw withPrefix(
        `opening file "${path}"`,
        goFsError("open", path, error),
      );
    }
    let spoolFrom: ReadableStream<Uint8Array> | undefined;
    try {
      const info = await file.stat();
      if (info.isDirectory) {
        throw new Error(`opening file "${path}": read ${path}: is a directory`);
      }
      if (info.isFile) {
        const head = new Uint8Array(MAX_MAGIC_LENGTH);
        const n = await readUpTo(file, head);
        if (matchMagic(head.subarray(0, n)) === undefined) {
          const index = await indexTar(file, signalOf(options));
          return new IndexedArchive(path, path, index, false);
        }
        await file.seek(0, Deno.SeekMode.Start);
      }
      spoolFrom = readFileStream(file, signalOf(options));
    } finally {
      if (spoolFrom === undefined) file.close();
    }
    return await spool(path, spoolFrom, options);
  }

  /**
   * The regular file `name` refers to, following links inside the archive.
   *
   * @throws {InvalidContentError} When a link leaves the archive or loops,
   * or the member is not a regular file.
   * @throws {MissingMemberError} When nothing exists at `name`.
   */
  member(name: string): TarIndexEntry {
    const entry = resolveEntry(this.index, name);
    if (entry === undefined) {
      throw new MissingMemberError(
        name,
        `file ${JSON.stringify(name)} does not exist in the archive`,
      );
    }
    if (entry.type !== "file") {
      throw new InvalidContentError(
        `Error reading tar archive component ${
          JSON.stringify(entry.name)
        }: not a regular file`,
      );
    }
    return entry;
  }

  /** Whether something exists at `name` (links followed). */
  has(name: string): boolean {
    return resolveEntry(this.index, name) !== undefined;
  }

  /**
   * Reads a whole member into memory, refusing members larger than `limit`.
   *
   * @throws {InvalidContentError} When it is too large or unreadable.
   */
  async readMember(
    name: string,
    options: { limit: number; signal?: AbortSignal | undefined },
  ): Promise<Uint8Array> {
    const entry = this.member(name);
    if (entry.size > options.limit) {
      throw new InvalidContentError(
        `${
          JSON.stringify(name)
        } is too large: ${entry.size} bytes, at most ${options.limit} accepted`,
      );
    }
    const { stream } = await this.openEntry(entry, options);
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  /** Streams a member's body (links followed). */
  async openMember(
    name: string,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<BlobStream> {
    return await this.openEntry(this.member(name), options);
  }

  /** Streams an indexed entry's body, from a fresh file handle. */
  async openEntry(
    entry: TarIndexEntry,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<BlobStream> {
    if (this.#closed) throw new Error("The archive was already closed");
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.file, { read: true });
    } catch (error) {
      throw goFsError("open", this.file, error);
    }
    return {
      stream: readFileStream(file, {
        offset: entry.offset,
        length: entry.size,
        ...signalOf(options),
      }),
      size: entry.size,
    };
  }

  /** The first `length` bytes of an entry's body (fewer when it is shorter). */
  async peek(entry: TarIndexEntry, length: number): Promise<Uint8Array> {
    if (this.#closed) throw new Error("The archive was already closed");
    using file = await Deno.open(this.file, { read: true });
    await file.seek(entry.offset, Deno.SeekMode.Start);
    const buffer = new Uint8Array(Math.min(length, entry.size));
    return buffer.subarray(0, await readUpTo(file, buffer));
  }

  /** Removes the spooled copy, if any. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#temporary) await Deno.remove(this.file).catch(() => {});
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

async function spool(
  path: string,
  input: ReadableStream<Uint8Array>,
  options: OpenIndexedArchiveOptions,
): Promise<IndexedArchive> {
  let temp: string;
  try {
    temp = await Deno.makeTempFile({
      ...(options.tmpDir ? { dir: options.tmpDir } : {}),
      prefix: options.tempPrefix ?? "archive-tar",
    });
  } catch (error) {
    await input.cancel(error).catch(() => {});
    throw withPrefix(
      "creating temporary file",
      goFsError("open", options.tmpDir ?? "temporary directory", error),
    );
  }
  try {
    const { algorithm, stream } = await detectCompression(
      input,
      signalOf(options),
    );
    const plain = algorithm
      ? stream.pipeThrough(decompressStream(algorithm))
      : stream;
    try {
      await writeStreamToFile(plain, temp, signalOf(options));
    } catch (error) {
      throw withPrefix(
        algorithm
          ? `auto-decompressing input (${algorithm.name})`
          : `copying ${path} to a temporary file`,
        error,
      );
    }
    using file = await Deno.open(temp, { read: true });
    const index = await indexTar(file, signalOf(options));
    return new IndexedArchive(path, temp, index, true);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/** Reads until `buffer` is full or the file ends; returns the count. */
async function readUpTo(
  file: Deno.FsFile,
  buffer: Uint8Array,
): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const n = await file.read(buffer.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return filled;
}

function signalOf(
  options: { signal?: AbortSignal | undefined },
): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}

/** Prefixes an error's message, keeping its class (callers branch on it). */
function withPrefix(prefix: string, error: unknown): Error {
  if (error instanceof Error) {
    error.message = `${prefix}: ${error.message}`;
    return error;
  }
  return new Error(`${prefix}: ${String(error)}`);
}
