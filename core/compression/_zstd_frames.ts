/**
 * A Zstandard frame scanner (RFC 8878 §3.1) that cuts the compressed input
 * at block and frame boundaries before it reaches Deno's node:zlib zstd
 * decoder. Measured on Deno 2.9.6, that decoder:
 * - drops everything after a frame's end within the same write (so a chunk
 *   holding the end of one frame and the start of the next loses the second);
 * - ends silently, with no output, on truncated input;
 * - throws *uncaught* from a `process.nextTick` when corruption is found while
 *   it refills a full output buffer.
 * Feeding it one block at a time (a block decodes to at most 128 KiB, less
 * than the output buffer we give it) keeps every error on the caught path;
 * tracking frames here catches truncation and trailing garbage, and drops
 * skippable frames (zstd:chunked metadata) that carry no content.
 *
 * @module
 */
import { InvalidContentError } from "../errors.ts";

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** Largest block size the format allows. */
const MAX_BLOCK_SIZE = 128 * 1024;

const enum State {
  Magic,
  FrameHeaderDescriptor,
  FrameHeaderRest,
  BlockHeader,
  BlockBody,
  Checksum,
  SkippableSize,
  SkippableBody,
}

/** Cuts zstd input into pieces that each lie within one block of one frame. */
export class ZstdFrameScanner {
  #state: State = State.Magic;
  /** Bytes still expected for the current field or body. */
  #need = 4;
  /** Collected bytes of the current small field (magic, sizes, headers). */
  #field = new Uint8Array(8);
  #fieldLength = 0;
  #hasChecksum = false;
  #lastBlock = false;
  #sawInput = false;
  #sawFrame = false;

  /**
   * Splits one input chunk into the pieces to feed the decoder, in order.
   * Pieces never span two blocks or two frames; skippable frames are left out.
   *
   * @throws {InvalidContentError} On bytes that cannot start a frame or block.
   */
  split(chunk: Uint8Array): Uint8Array[] {
    const pieces: Uint8Array[] = [];
    if (chunk.length > 0) this.#sawInput = true;
    // Start of the piece being built; -1 while skipping or holding magic bytes.
    let start = this.#state === State.Magic ||
        this.#state === State.SkippableSize ||
        this.#state === State.SkippableBody
      ? -1
      : 0;
    const cut = (end: number): void => {
      if (start >= 0 && end > start) pieces.push(chunk.subarray(start, end));
      start = -1;
    };
    let at = 0;
    while (at < chunk.length) {
      switch (this.#state) {
        case State.Magic: {
          // Not forwarded until we know this is a zstd frame.
          start = -1;
          const magicStart = at;
          at = this.#collect(chunk, at);
          if (this.#need > 0) break;
          const magic = readUint32(this.#field, 0);
          if (magic === ZSTD_MAGIC) {
            if (at - magicStart === 4) {
              start = magicStart;
            } else {
              // The magic straddled two chunks: replay it on its own.
              pieces.push(this.#field.slice(0, 4));
              start = at;
            }
            this.#enter(State.FrameHeaderDescriptor, 1);
          } else if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
            this.#enter(State.SkippableSize, 4);
          } else {
            throw corrupt(
              this.#sawFrame
                ? "unexpected data after the last frame"
                : "unknown frame magic",
            );
          }
          break;
        }
        case State.FrameHeaderDescriptor: {
          const descriptor = chunk[at++]!;
          if (descriptor & 0x08) throw corrupt("reserved frame header bit set");
          const singleSegment = (descriptor >> 5) & 1;
          const contentSizeFlag = descriptor >> 6;
          const dictionaryIdSize = [0, 1, 2, 4][descriptor & 3]!;
          const contentSizeSize = [singleSegment, 2, 4, 8][contentSizeFlag]!;
          this.#hasChecksum = (descriptor & 0x04) !== 0;
          this.#sawFrame = true;
          const rest = (singleSegment ? 0 : 1) + dictionaryIdSize +
            contentSizeSize;
          this.#enter(
            rest > 0 ? State.FrameHeaderRest : State.BlockHeader,
            rest || 3,
          );
          break;
        }
        case State.FrameHeaderRest:
        case State.BlockBody:
        case State.Checksum: {
          const take = Math.min(this.#need, chunk.length - at);
          at += take;
          this.#need -= take;
          if (this.#need > 0) break;
          if (this.#state === State.FrameHeaderRest) {
            this.#enter(State.BlockHeader, 3);
          } else if (this.#state === State.BlockBody) {
            cut(at);
            start = at;
            if (!this.#lastBlock) this.#enter(State.BlockHeader, 3);
            else if (this.#hasChecksum) this.#enter(State.Checksum, 4);
            else this.#endFrame();
          } else {
            cut(at);
            this.#endFrame();
          }
          break;
        }
        case State.BlockHeader: {
          at = this.#collect(chunk, at);
          if (this.#need > 0) break;
          const header = this.#field[0]! | (this.#field[1]! << 8) |
            (this.#field[2]! << 16);
          this.#lastBlock = (header & 1) === 1;
          const type = (header >> 1) & 3;
          const size = header >>> 3;
          if (type === 3) throw corrupt("reserved block type");
          if (size > MAX_BLOCK_SIZE) throw corrupt("block too large");
          const bodySize = type === 1 ? 1 : size;
          if (bodySize > 0) {
            this.#enter(State.BlockBody, bodySize);
          } else {
            cut(at);
            start = at;
            if (!this.#lastBlock) this.#enter(State.BlockHeader, 3);
            else if (this.#hasChecksum) this.#enter(State.Checksum, 4);
            else this.#endFrame();
          }
          break;
        }
        case State.SkippableSize: {
          at = this.#collect(chunk, at);
          if (this.#need > 0) break;
          const size = readUint32(this.#field, 0);
          if (size > 0) this.#enter(State.SkippableBody, size);
          else this.#enter(State.Magic, 4);
          break;
        }
        case State.SkippableBody: {
          const take = Math.min(this.#need, chunk.length - at);
          at += take;
          this.#need -= take;
          if (this.#need === 0) this.#enter(State.Magic, 4);
          break;
        }
      }
    }
    cut(chunk.length);
    return pieces;
  }

  /**
   * Checks that the input ended between frames.
   *
   * @throws {InvalidContentError} When the input is empty or ends inside a frame.
   */
  finish(): void {
    if (
      !this.#sawInput || this.#state !== State.Magic || this.#fieldLength > 0
    ) {
      throw corrupt("unexpected end of file");
    }
  }

  #endFrame(): void {
    this.#enter(State.Magic, 4);
  }

  #enter(state: State, need: number): void {
    this.#state = state;
    this.#need = need;
    this.#fieldLength = 0;
  }

  /** Copies bytes of a small field; returns the new position. */
  #collect(chunk: Uint8Array, at: number): number {
    const take = Math.min(this.#need, chunk.length - at);
    this.#field.set(chunk.subarray(at, at + take), this.#fieldLength);
    this.#fieldLength += take;
    this.#need -= take;
    return at + take;
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) |
    (bytes[at + 3]! << 24)) >>> 0;
}

function corrupt(reason: string): InvalidContentError {
  return new InvalidContentError(`zstd stream is corrupt: ${reason}`);
}
