/**
 * Atomic file writes for the local transports: data goes to a temporary file
 * beside its final name and is renamed into place only when complete, so an
 * interrupted copy never leaves a file that looks finished.
 *
 * @module
 */
import {
  digestAlgorithm,
  Digester,
  loadBlobHashing,
} from "../../core/digest.ts";
import { DigestMismatchError } from "../../core/errors.ts";
import { disposeChunk } from "../../core/fs_stream.ts";
import type { Digest } from "../../core/types.ts";

function tempPathFor(path: string): string {
  const slash = path.lastIndexOf("/");
  const dir = slash >= 0 ? path.slice(0, slash + 1) : "";
  const base = slash >= 0 ? path.slice(slash + 1) : path;
  return `${dir}.${base}.tmp-${crypto.randomUUID().slice(0, 8)}`;
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch {
    // already gone
  }
}

/**
 * Writes bytes to `path` atomically: a temporary file, synced, then renamed.
 *
 * @param path The final path.
 * @param data The content.
 * @param options File mode (default 0o644).
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: { mode?: number } = {},
): Promise<void> {
  const temp = tempPathFor(path);
  try {
    const bytes = typeof data === "string"
      ? new TextEncoder().encode(data)
      : data;
    using file = await Deno.open(temp, {
      write: true,
      createNew: true,
      mode: options.mode ?? 0o644,
    });
    let offset = 0;
    while (offset < bytes.length) {
      offset += await file.write(bytes.subarray(offset));
    }
    await file.syncData();
    await Deno.rename(temp, path);
  } catch (error) {
    await removeQuietly(temp);
    throw error;
  }
}

/**
 * Like {@linkcode writeFileAtomic}, but leaves `path` alone when it already
 * holds exactly `data`: re-copying an image then costs no write and no
 * sync (a file at its final name was synced before it got that name).
 *
 * @param path The final path.
 * @param data The content.
 * @param options File mode (default 0o644) for a new file.
 * @returns Whether the file was written.
 */
export async function writeFileAtomicIfChanged(
  path: string,
  data: Uint8Array | string,
  options: { mode?: number } = {},
): Promise<boolean> {
  const bytes = typeof data === "string"
    ? new TextEncoder().encode(data)
    : data;
  if (await holdsBytes(path, bytes)) return false;
  await writeFileAtomic(path, bytes, options);
  return true;
}

/** Whether the regular file at `path` holds exactly `bytes`. */
async function holdsBytes(path: string, bytes: Uint8Array): Promise<boolean> {
  let existing: Uint8Array;
  try {
    const info = await Deno.lstat(path);
    if (!info.isFile || info.size !== bytes.byteLength) return false;
    existing = await Deno.readFile(path);
  } catch {
    return false;
  }
  if (existing.byteLength !== bytes.byteLength) return false;
  for (let i = 0; i < bytes.byteLength; i++) {
    if (existing[i] !== bytes[i]) return false;
  }
  return true;
}

/** Options of {@linkcode writeStreamAtomic}. */
export interface WriteStreamOptions {
  /** The digest the bytes must have; checked unless `trusted`. */
  expectedDigest?: Digest | undefined;
  /** The size the bytes must have, when known (-1 = unknown). */
  expectedSize?: number | undefined;
  /**
   * The stream verifies itself (the copy engine's verifier errors at its
   * end on a mismatch): skip hashing. A wrong `expectedDigest` is then not
   * detected here; the content is stored under it.
   */
  trusted?: boolean | undefined;
  /** Cancels the write. */
  signal?: AbortSignal | undefined;
}

/** What {@linkcode writeStreamAtomic} stored. */
export interface StoredStream {
  /** The content's digest (the expected one when trusted). */
  digest: Digest;
  /** Bytes written. */
  size: number;
}

/**
 * Streams bytes into a temporary file and renames it to `finalPath(digest)`
 * once the stream ended and the digest is known and checked. On any error the
 * temporary file is removed and the stream cancelled.
 *
 * @param stream The content.
 * @param finalPath Maps the content's digest to its final path.
 * @param options Expected digest/size and cancellation.
 * @returns The stored content's digest and size.
 * @throws {DigestMismatchError} When the content does not match.
 */
export async function writeStreamAtomic(
  stream: ReadableStream<Uint8Array>,
  finalPath: (digest: Digest) => string,
  options: WriteStreamOptions = {},
): Promise<StoredStream> {
  const expected = options.expectedDigest;
  const hashing = !(options.trusted && expected);
  if (hashing) await loadBlobHashing();
  const digester = new Digester(
    expected ? digestAlgorithm(expected) : "sha256",
  );
  const placeholder = finalPath(expected ?? ("sha256:pending" as Digest));
  const temp = tempPathFor(placeholder);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(temp, { write: true, createNew: true, mode: 0o644 });
  } catch (error) {
    // The caller's stream (maybe an open source file) must not be left open.
    await stream.cancel(error).catch(() => {});
    throw error;
  }
  let size = 0;
  let closed = false;
  const reader = stream.getReader();
  const flusher = new EarlyFlusher(temp);
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      if (hashing) digester.update(value);
      size += value.byteLength;
      // Synchronous: a write into the page cache takes microseconds, and the
      // async op costs more than the write itself (~2x slower streaming).
      let offset = 0;
      while (offset < value.byteLength) {
        offset += file.writeSync(value.subarray(offset));
      }
      flusher.wrote(value.byteLength);
      disposeChunk(value);
    }
    // Durable before it gets its final name: after a crash, a name that
    // an index or manifest refers to never holds partial data.
    await flusher.finish();
    await file.syncData();
    file.close();
    closed = true;
    const expectedSize = options.expectedSize ?? -1;
    if (expectedSize >= 0 && size !== expectedSize) {
      throw new DigestMismatchError(String(expectedSize), String(size), {
        kind: "size",
        subject: `blob ${expected ?? ""}`.trim(),
      });
    }
    const digest = hashing ? digester.digest() : expected!;
    if (expected && digest !== expected) {
      throw new DigestMismatchError(expected, digest, {
        subject: `blob ${expected}`,
      });
    }
    await Deno.rename(temp, finalPath(digest));
    return { digest, size };
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    await flusher.finish().catch(() => {});
    if (!closed) file.close();
    await removeQuietly(temp);
    throw error;
  } finally {
    reader.releaseLock();
  }
}

/** Bytes written between two early flushes of a file being streamed. */
const EARLY_FLUSH_BYTES = 8 * 1024 * 1024;

/**
 * Flushes a file being written to disk while it grows, one `fdatasync` at a
 * time on a second descriptor (it runs off the JS thread): the kernel then
 * writes the data back while the rest arrives, and the final sync before
 * the rename has at most a few MiB left instead of the whole blob (~1.2 GB/s
 * here; 85 MB was ~70 ms of waiting after the last byte).
 */
class EarlyFlusher {
  readonly #path: string;
  #file: Deno.FsFile | undefined;
  #pending: Promise<void> | undefined;
  #unflushed = 0;

  constructor(path: string) {
    this.#path = path;
  }

  /** Counts bytes written; starts a flush when enough are unflushed. */
  wrote(bytes: number): void {
    this.#unflushed += bytes;
    if (this.#unflushed < EARLY_FLUSH_BYTES || this.#pending) return;
    this.#unflushed = 0;
    // Best effort: the final sync of the written descriptor is what counts.
    this.#pending = this.#flush().catch(() => {}).finally(() =>
      this.#pending = undefined
    );
  }

  async #flush(): Promise<void> {
    this.#file ??= await Deno.open(this.#path, { read: true });
    await this.#file.syncData();
  }

  /** Waits for the flush in progress and releases the descriptor. */
  async finish(): Promise<void> {
    await this.#pending;
    this.#file?.close();
    this.#file = undefined;
  }
}

/** Whether a path exists (any type). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
