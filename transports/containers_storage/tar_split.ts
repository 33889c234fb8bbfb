/**
 * tar-split metadata, the `<layer>.tar-split.gz` file containers/storage
 * keeps beside every layer: gzip-compressed JSON lines, each either a raw
 * segment of the layer tar (headers, padding, trailer; `type` 2) or a file
 * whose body lives on disk (`type` 1: name, size, CRC-64 of the body).
 * Replaying the entries with the bodies read from the layer's files gives
 * back the layer tar byte for byte, so its diff digest stays the one of the
 * blob that was pulled.
 *
 * This module splits a tar stream into such entries while the caller
 * extracts the files ({@linkcode disassembleTar}), encodes entries
 * ({@linkcode TarSplitEncoder}), reads them back ({@linkcode readTarSplit})
 * and reassembles the tar ({@linkcode assembleTar}).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { InvalidContentError } from "../../core/errors.ts";
import { gzipDecompressStream } from "../../core/compression/gzip.ts";
import {
  BLOCK_SIZE,
  decodeHeader,
  paddingOf,
  tarError,
} from "../_tar/header.ts";
import {
  HeaderAssembler,
  MAX_META_SIZE,
  type TarHeader,
} from "../_tar/entry.ts";
import { Crc64 } from "./crc64.ts";

/** A raw piece of the tar stream, stored as is. */
export interface TarSplitSegment {
  readonly type: 2;
  /** The bytes. */
  readonly payload: Uint8Array;
  /** Index of this entry in the file. */
  readonly position: number;
}

/** A tar member whose body is read from the layer's files. */
export interface TarSplitFile {
  readonly type: 1;
  /** Path of the member in the layer (as the tar names it). */
  readonly name: string;
  /** Body size; 0 for directories, links and other header-only members. */
  readonly size: number;
  /** CRC-64/ISO of the body (8 bytes), or `null` for an empty body. */
  readonly payload: Uint8Array | null;
  /** Index of this entry in the file. */
  readonly position: number;
}

/** One line of a tar-split file. */
export type TarSplitEntry = TarSplitSegment | TarSplitFile;

const encoder = new TextEncoder();

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString("base64");
}

function isValidUtf8(text: string): boolean {
  return !text.includes("\uFFFD");
}

/**
 * Encodes entries as tar-split's JSON lines (the field order and `omitempty`
 * rules of its Go `Entry` struct), numbering them as they come.
 *
 * @example
 * ```ts
 * import { TarSplitEncoder } from "./tar_split.ts";
 * const enc = new TarSplitEncoder();
 * const line = enc.segment(new Uint8Array([1, 2]));
 * console.assert(line === '{"type":2,"payload":"AQI=","position":0}\n');
 * ```
 */
export class TarSplitEncoder {
  #position = 0;

  /** A raw segment's line. */
  segment(payload: Uint8Array): string {
    return `{"type":2,"payload":${
      JSON.stringify(base64(payload))
    },"position":${this
      .#position++}}\n`;
  }

  /** A file entry's line. */
  file(name: string, size: number, crc: Uint8Array | null): string {
    const nameField = isValidUtf8(name)
      ? `"name":${JSON.stringify(name)},`
      : `"name_raw":${JSON.stringify(base64(encoder.encode(name)))},`;
    const sizeField = size > 0 ? `"size":${size},` : "";
    const payload = crc === null ? "null" : JSON.stringify(base64(crc));
    return `{"type":1,${nameField}${sizeField}"payload":${payload},"position":${this
      .#position++}}\n`;
  }
}

/**
 * Reads a `.tar-split.gz` stream entry by entry.
 *
 * @param stream The gzip-compressed JSON lines; consumed.
 * @returns The entries in order.
 * @throws {InvalidContentError} On a malformed line.
 */
export async function* readTarSplit(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<TarSplitEntry, void, undefined> {
  const lines = stream.pipeThrough(gzipDecompressStream()).pipeThrough(
    new TextDecoderStream(),
  );
  let rest = "";
  for await (const text of lines) {
    rest += text;
    let newline: number;
    while ((newline = rest.indexOf("\n")) !== -1) {
      const line = rest.slice(0, newline);
      rest = rest.slice(newline + 1);
      if (line.trim() !== "") yield parseLine(line);
    }
  }
  if (rest.trim() !== "") yield parseLine(rest);
}

function parseLine(line: string): TarSplitEntry {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(line);
  } catch (error) {
    throw new InvalidContentError(`Invalid tar-split line: ${error}`);
  }
  const position = typeof json.position === "number" ? json.position : 0;
  const payload = typeof json.payload === "string"
    ? new Uint8Array(Buffer.from(json.payload, "base64"))
    : null;
  if (json.type === 2) {
    return { type: 2, payload: payload ?? new Uint8Array(), position };
  }
  if (json.type === 1) {
    const name = typeof json.name === "string" && json.name !== ""
      ? json.name
      : typeof json.name_raw === "string"
      ? new TextDecoder().decode(Buffer.from(json.name_raw, "base64"))
      : "";
    const size = typeof json.size === "number" ? json.size : 0;
    return { type: 1, name, size, payload, position };
  }
  throw new InvalidContentError(
    `Invalid tar-split line: unknown entry type ${JSON.stringify(json.type)}`,
  );
}

const COALESCE = 1 << 17;

/** Opens a member's body (of `size` bytes) from the layer's files. */
export type OpenMemberBody = (
  name: string,
  size: number,
) => Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array>>;

/**
 * Rebuilds the layer tar from tar-split entries and the layer's files, as
 * containers/storage does for `Diff`: every body is checked against its
 * recorded size and CRC-64.
 *
 * @param entries The tar-split entries, in order.
 * @param open Opens a member's body by its tar name.
 * @returns The tar stream.
 */
export function assembleTar(
  entries: AsyncIterable<TarSplitEntry>,
  open: OpenMemberBody,
): ReadableStream<Uint8Array> {
  async function* pieces(): AsyncGenerator<Uint8Array, void, undefined> {
    for await (const entry of entries) {
      if (entry.type === 2) {
        if (entry.payload.length > 0) yield entry.payload;
        continue;
      }
      if (entry.size === 0) continue;
      const crc = new Crc64();
      let size = 0;
      for await (const chunk of await open(entry.name, entry.size)) {
        crc.update(chunk);
        size += chunk.length;
        yield chunk;
      }
      const sum = crc.sum();
      if (
        size !== entry.size || entry.payload === null ||
        !sum.every((b, i) => b === entry.payload![i])
      ) {
        throw new InvalidContentError(
          `file integrity checksum failed for ${JSON.stringify(entry.name)}`,
        );
      }
    }
  }
  // Headers are 512-byte pieces and most files are small: hand on chunks
  // of at least COALESCE bytes so that hashing and writing run in bulk.
  async function* generate(): AsyncGenerator<Uint8Array, void, undefined> {
    let buffer = new Uint8Array(COALESCE);
    let used = 0;
    for await (const piece of pieces()) {
      if (used + piece.length > COALESCE && used > 0) {
        yield buffer.subarray(0, used);
        buffer = new Uint8Array(COALESCE);
        used = 0;
      }
      if (piece.length >= COALESCE) {
        yield piece;
        continue;
      }
      buffer.set(piece, used);
      used += piece.length;
    }
    if (used > 0) yield buffer.subarray(0, used);
  }
  return ReadableStream.from(generate());
}

/** A member handed to the extractor by {@linkcode disassembleTar}. */
export interface TarMember {
  /** Header, with PAX and GNU extensions applied. */
  readonly header: TarHeader;
  /** The body; whatever the extractor leaves unread is skipped. */
  readonly body: AsyncIterable<Uint8Array>;
}

/** Options of {@linkcode disassembleTar}. */
export interface DisassembleTarOptions {
  /** Receives each member; the next one waits until it resolves. */
  onMember(member: TarMember): Promise<void>;
  /** Receives tar-split lines (see {@linkcode TarSplitEncoder}). */
  onLine(line: string): Promise<void> | void;
  /** Aborts reading. */
  signal?: AbortSignal | undefined;
}

/** What {@linkcode disassembleTar} read. */
export interface DisassembledTar {
  /** Bytes of the whole stream (the diff size). */
  size: number;
}

/**
 * Reads an uncompressed layer tar, handing each member to an extractor and
 * recording everything else (headers, padding, the trailer and anything
 * after it) as tar-split segments, so that the stream can be rebuilt
 * exactly from the extracted files.
 *
 * @param stream The tar bytes; consumed to the end.
 * @param options The extractor, the tar-split sink and cancellation.
 * @returns The stream's size.
 * @throws {InvalidContentError} On a malformed or truncated tar.
 */
export async function disassembleTar(
  stream: ReadableStream<Uint8Array>,
  options: DisassembleTarOptions,
): Promise<DisassembledTar> {
  const input = new RawInput(stream.getReader());
  const assembler = new HeaderAssembler();
  const split = new TarSplitEncoder();
  let raw: Uint8Array[] = [];
  let longName: string | undefined;
  const flush = async () => {
    const payload = concat(raw);
    raw = [];
    await options.onLine(split.segment(payload));
  };
  try {
    while (true) {
      options.signal?.throwIfAborted();
      const position = input.position;
      const block = await input.exact(BLOCK_SIZE);
      if (block === null) break;
      raw.push(block);
      const header = decodeHeader(block, position);
      if (header === undefined) {
        // The trailer's second zero block ends the archive, as in Go's
        // reader; what follows (record padding) is a segment of its own.
        const second = await input.exact(BLOCK_SIZE).catch(() => null);
        if (second) raw.push(second);
        break;
      }
      if (assembler.isMeta(header)) {
        if (header.size > MAX_META_SIZE) {
          throw tarError(`extension header at offset ${position} is too large`);
        }
        const body = await input.exact(header.size + paddingOf(header.size));
        if (body === null && header.size > 0) throw truncated(input.position);
        if (body) raw.push(body);
        const metaBody = body?.subarray(0, header.size) ?? new Uint8Array();
        assembler.addMeta(header, metaBody, position);
        if (header.typeflag === "L") longName = cString(metaBody);
        continue;
      }
      const member = assembler.build(header, position);
      // tar-split records the name as the archive has it (Go's hdr.Name).
      const rawName = member.pax.path ?? longName ?? header.name;
      longName = undefined;
      await flush();
      const crc = new Crc64();
      let left = member.size;
      const body = async function* (): AsyncGenerator<
        Uint8Array,
        void,
        undefined
      > {
        while (left > 0) {
          const chunk = await input.some(left);
          if (chunk === null) throw truncated(input.position);
          left -= chunk.length;
          crc.update(chunk);
          yield chunk;
        }
      };
      await options.onMember({ header: member, body: body() });
      for await (const _ of body()) { /* skip what the extractor left */ }
      await options.onLine(
        split.file(rawName, member.size, member.size > 0 ? crc.sum() : null),
      );
      const padding = await input.exact(paddingOf(member.size));
      if (padding === null && paddingOf(member.size) > 0) {
        throw truncated(input.position);
      }
      if (padding) raw.push(padding);
    }
    if (raw.length > 0) await flush();
    // Everything after the archive belongs to the diff too: tar-split
    // records it read by read (up to 1 MiB), then an empty read at the end.
    while (true) {
      const chunk = await input.some(1 << 20);
      if (chunk === null) break;
      raw.push(chunk.slice());
      await flush();
    }
    await flush();
    return { size: input.position };
  } finally {
    await input.cancel();
  }
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end));
}

function truncated(position: number): InvalidContentError {
  return tarError(`truncated: the stream ends at byte ${position}`);
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Buffered reads over a stream, counting the bytes consumed. */
class RawInput {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunk: Uint8Array = new Uint8Array();
  #ended = false;
  position = 0;

  constructor(reader: ReadableStreamDefaultReader<Uint8Array>) {
    this.#reader = reader;
  }

  /** Up to `max` bytes, or `null` at the end. */
  async some(max: number): Promise<Uint8Array | null> {
    while (this.#chunk.length === 0) {
      if (this.#ended) return null;
      const { done, value } = await this.#reader.read();
      if (done) this.#ended = true;
      else this.#chunk = value;
    }
    const out = this.#chunk.subarray(0, max);
    this.#chunk = this.#chunk.subarray(out.length);
    this.position += out.length;
    return out;
  }

  /** Exactly `n` bytes (a copy), `null` at the end, or an error part way. */
  async exact(n: number): Promise<Uint8Array | null> {
    if (n === 0) return null;
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const part = await this.some(n - filled);
      if (part === null) {
        if (filled === 0) return null;
        throw truncated(this.position);
      }
      out.set(part, filled);
      filled += part.length;
    }
    return out;
  }

  async cancel(): Promise<void> {
    if (!this.#ended) {
      this.#ended = true;
      await this.#reader.cancel().catch(() => {});
    }
    this.#reader.releaseLock();
  }
}
