/**
 * A streaming tar reader for input that cannot seek (a pipe, an HTTP body,
 * a decompressed layer). It shares header parsing with the indexer, so both
 * accept and refuse exactly the same archives.
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
import { HeaderAssembler, MAX_META_SIZE, type TarHeader } from "./entry.ts";

/** One member of a streamed archive. */
export interface TarStreamEntry {
  readonly header: TarHeader;
  /**
   * The member's body. Read it before asking for the next entry; whatever
   * is left unread then is skipped, and the stream errors if read later.
   */
  readonly body: ReadableStream<Uint8Array>;
}

/** Options of {@linkcode readTarStream}. */
export interface ReadTarStreamOptions {
  /** Aborting stops reading with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Reads a tar archive from a stream, entry by entry. Leaving the loop early
 * (or an error) cancels the input; so does the end of the archive, since
 * anything after the two zero blocks is padding.
 *
 * @example List names
 * ```ts ignore
 * for await (const { header, body } of readTarStream(stream)) {
 *   console.log(header.name);
 *   await body.cancel();
 * }
 * ```
 *
 * @param stream The archive bytes; owned by the reader from now on.
 * @param options Cancellation.
 * @returns The entries, in order.
 * @throws {InvalidContentError} On a truncated or malformed archive (the
 * current body errors with the same error).
 */
export async function* readTarStream(
  stream: ReadableStream<Uint8Array>,
  options: ReadTarStreamOptions = {},
): AsyncGenerator<TarStreamEntry, void, undefined> {
  const { signal } = options;
  const source = new ByteSource(stream.getReader());
  const assembler = new HeaderAssembler();
  try {
    while (true) {
      signal?.throwIfAborted();
      const position = source.position;
      const block = await source.readExact(BLOCK_SIZE);
      if (block === null) {
        if (assembler.pendingAt !== undefined) {
          throw tarError(
            `truncated: the extension header at offset ${assembler.pendingAt} has no entry`,
          );
        }
        return;
      }
      const raw = decodeHeader(block, position);
      if (raw === undefined) {
        if (assembler.pendingAt !== undefined) {
          throw tarError(
            `truncated: the extension header at offset ${assembler.pendingAt} has no entry`,
          );
        }
        const next = await source.readExact(BLOCK_SIZE);
        if (next !== null && !isZeroBlock(next)) {
          throw tarError(
            `unexpected zero block at offset ${position} before more headers`,
          );
        }
        return;
      }
      if (assembler.isMeta(raw)) {
        if (raw.size > MAX_META_SIZE) {
          throw tarError(
            `extension header at offset ${position} is too large (${raw.size} bytes)`,
          );
        }
        const body = raw.size === 0
          ? new Uint8Array()
          : await source.readExact(raw.size);
        if (body === null) throw truncatedAt(source.position);
        await source.skip(paddingOf(raw.size));
        assembler.addMeta(raw, body, position);
        continue;
      }
      const header = assembler.build(raw, position);
      const body = new EntryBody(source, header.size);
      yield { header, body: body.stream };
      await body.finish();
      await source.skip(paddingOf(header.size));
    }
  } finally {
    await source.cancel();
  }
}

function truncatedAt(position: number) {
  return tarError(`truncated: the stream ends at byte ${position}`);
}

/** Buffered exact reads over a stream reader. */
class ByteSource {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunk: Uint8Array = new Uint8Array();
  #done = false;
  /** Bytes consumed so far. */
  position = 0;

  constructor(reader: ReadableStreamDefaultReader<Uint8Array>) {
    this.#reader = reader;
  }

  /** Up to `max` bytes (at least 1), or `null` at the end of input. */
  async read(max: number): Promise<Uint8Array | null> {
    while (this.#chunk.length === 0) {
      if (this.#done) return null;
      const { done, value } = await this.#reader.read();
      if (done) this.#done = true;
      else this.#chunk = value;
    }
    const out = this.#chunk.subarray(0, max);
    this.#chunk = this.#chunk.subarray(out.length);
    this.position += out.length;
    return out;
  }

  /**
   * Exactly `n` bytes; `null` when the input ends before the first byte.
   *
   * @throws {InvalidContentError} When it ends part way.
   */
  async readExact(n: number): Promise<Uint8Array | null> {
    const first = await this.read(n);
    if (first === null) return null;
    if (first.length === n) return first;
    const out = new Uint8Array(n);
    out.set(first);
    let filled = first.length;
    while (filled < n) {
      const part = await this.read(n - filled);
      if (part === null) throw truncatedAt(this.position);
      out.set(part, filled);
      filled += part.length;
    }
    return out;
  }

  /** Discards `n` bytes. */
  async skip(n: number): Promise<void> {
    while (n > 0) {
      const part = await this.read(n);
      if (part === null) throw truncatedAt(this.position);
      n -= part.length;
    }
  }

  async cancel(): Promise<void> {
    this.#chunk = new Uint8Array();
    if (!this.#done) {
      this.#done = true;
      await this.#reader.cancel().catch(() => {});
    }
    this.#reader.releaseLock();
  }
}

/** The body of one entry: a bounded view of the source. */
class EntryBody {
  readonly stream: ReadableStream<Uint8Array>;
  #source: ByteSource;
  #remaining: number;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #open = true;
  #reading: Promise<void> = Promise.resolve();

  constructor(source: ByteSource, size: number) {
    this.#source = source;
    this.#remaining = size;
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
        if (size === 0) this.#close();
      },
      pull: () => {
        this.#reading = this.#pull();
        return this.#reading;
      },
      cancel: () => {
        this.#open = false;
      },
    }, { highWaterMark: 0 });
  }

  async #pull(): Promise<void> {
    try {
      const chunk = await this.#source.read(this.#remaining);
      if (chunk === null) throw truncatedAt(this.#source.position);
      this.#remaining -= chunk.length;
      this.#controller.enqueue(chunk);
      if (this.#remaining === 0) this.#close();
    } catch (error) {
      if (this.#open) this.#controller.error(error);
      this.#open = false;
      throw error;
    }
  }

  /** Skips what the consumer left unread; ends the body stream. */
  async finish(): Promise<void> {
    await this.#reading.catch(() => {});
    const left = this.#remaining;
    this.#remaining = 0;
    if (this.#open) {
      this.#open = false;
      this.#controller.error(
        new Error(
          "tar entry body was not read before moving to the next entry",
        ),
      );
    }
    await this.#source.skip(left);
  }

  #close(): void {
    if (this.#open) {
      this.#open = false;
      this.#controller.close();
    }
  }
}
