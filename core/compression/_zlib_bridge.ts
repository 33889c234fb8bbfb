/**
 * Runs a node:zlib stream (gzip, zstd) as a Web `TransformStream`, with
 * backpressure both ways and errors surfaced as rejections, never as
 * unhandled events.
 *
 * Backpressure: a `TransformStream` calls `transform()` only while its
 * readable side wants data, and each call here waits until zlib has processed
 * the piece it was given; pieces are bounded (`maxPiece`, or the splitter's
 * cuts), so one call never produces more than a bounded amount of output.
 *
 * @module
 */
import type { Transform } from "node:stream";
import { InvalidContentError } from "../errors.ts";
import { disposeChunk, markDisposable } from "../fs_stream.ts";

/** Cuts input before it reaches zlib, and checks it at the end. */
export interface InputSplitter {
  /** Pieces to write, in order. May throw on corrupt input. */
  split(chunk: Uint8Array): Uint8Array[];
  /** Called once after the last chunk. May throw on truncated input. */
  finish(): void;
}

/** How to build and name one bridged zlib stream. */
export interface ZlibBridgeOptions {
  /** Algorithm name for messages, e.g. `gzip`. */
  name: string;
  /** Decompressors report bad input as {@linkcode InvalidContentError}. */
  direction: "compression" | "decompression";
  /**
   * Creates the node:zlib stream; may be async, so that node:zlib (~15–40 ms
   * of start-up) loads only when a copy really compresses or decompresses.
   */
  create: () => Transform | Promise<Transform>;
  /** Largest piece written to zlib at once (when no splitter cuts input). */
  maxPiece: number;
  /** Optional input splitter (zstd frame scanner). */
  splitter?: InputSplitter;
}

/**
 * Wraps a node:zlib transform as a Web `TransformStream<Uint8Array, Uint8Array>`.
 *
 * @param options The zlib factory and how to name its errors.
 * @returns A transform stream; errors reject both sides.
 */
export function zlibTransformStream(
  options: ZlibBridgeOptions,
): TransformStream<Uint8Array, Uint8Array> {
  const { name, direction, create, maxPiece, splitter } = options;
  let zlib: Transform | undefined;
  let failure: Error | undefined;
  let written = 0;
  const waiters = new Set<(error: Error) => void>();

  const fail = (error: unknown): Error => {
    if (!failure) {
      failure = describe(error, name, direction);
      for (const reject of waiters) reject(failure);
      waiters.clear();
    }
    return failure;
  };
  const wait = (
    start: (done: (error?: unknown) => void) => void,
  ): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (failure) {
        reject(failure);
        return;
      }
      const settle = (error?: unknown): void => {
        waiters.delete(settle);
        if (error) reject(fail(error));
        else resolve();
      };
      waiters.add(settle);
      try {
        start((error?: unknown) => settle(error ?? failure));
      } catch (error) {
        settle(fail(error));
      }
    });
  const write = async (piece: Uint8Array): Promise<void> => {
    for (let at = 0; at < piece.length; at += maxPiece) {
      const part = piece.subarray(at, at + maxPiece);
      written += part.length;
      await wait((done) => zlib!.write(part, (error) => done(error)));
    }
  };
  /** The output buffer zlib is filling, once slices of it were passed on. */
  let filling: ArrayBufferLike | undefined;
  const destroy = (): void => {
    zlib?.removeAllListeners("data");
    zlib?.destroy();
  };

  return new TransformStream<Uint8Array, Uint8Array>({
    async start(controller) {
      zlib = await create();
      zlib.on("data", (chunk: Uint8Array) => {
        try {
          const buffer = chunk.buffer;
          const view = new Uint8Array(buffer, chunk.byteOffset, chunk.length);
          const reachesEnd =
            view.byteOffset + view.length === buffer.byteLength;
          // Every chunk passed on is the only view of its buffer, so its last
          // consumer frees it at once: waiting for a collection let peak
          // memory grow with the data (gzip → zstd of the bench image peaked
          // at 123 MB instead of 95, of a 4× bigger one at 161 instead of 104).
          if (view.byteOffset === 0 && reachesEnd) {
            // zlib filled this buffer and has moved on to a new one.
            controller.enqueue(markDisposable(view));
            return;
          }
          // A slice of the buffer zlib keeps filling: pass on a copy, and
          // free the buffer once zlib has filled it (it then takes another).
          controller.enqueue(markDisposable(view.slice()));
          filling = reachesEnd ? undefined : buffer;
          if (reachesEnd) detach(buffer);
        } catch (error) {
          // The readable side is already errored or cancelled.
          fail(error);
        }
      });
      zlib.on("error", (error: unknown) => fail(error));
    },
    async transform(chunk) {
      try {
        for (const piece of splitter ? splitter.split(chunk) : [chunk]) {
          if (piece.length > 0) await write(piece);
        }
        // zlib has consumed it (write callbacks ran): free a chunk we were
        // the last to read now rather than at the next garbage collection.
        if (!splitter) disposeChunk(chunk);
      } catch (error) {
        destroy();
        throw fail(error);
      }
    },
    async flush() {
      try {
        splitter?.finish();
        // "close" comes after "end" and after any late "error".
        await wait((done) => {
          zlib!.once("close", () => done());
          zlib!.end();
        });
        // Closed: zlib writes no more into the buffer it was filling.
        if (filling) detach(filling);
        filling = undefined;
        const consumed = (zlib as unknown as { bytesWritten: number })
          .bytesWritten;
        if (direction === "decompression" && consumed < written) {
          throw new InvalidContentError(
            `${name} stream is corrupt: unexpected data after the end of the stream`,
          );
        }
      } catch (error) {
        destroy();
        throw fail(error);
      }
    },
    cancel(reason) {
      fail(reason);
      destroy();
    },
  });
}

/**
 * zlib's output buffers are its `chunkSize` (≥ 128 KiB here); anything at or
 * under Node's 8 KiB Buffer pool might be shared with unrelated Buffers.
 */
const SMALLEST_OWN_BUFFER = 64 * 1024;

/** Frees a buffer now; one that cannot be detached is left to the collector. */
function detach(buffer: ArrayBufferLike): void {
  if (
    !(buffer instanceof ArrayBuffer) || buffer.detached ||
    buffer.byteLength < SMALLEST_OWN_BUFFER
  ) return;
  try {
    buffer.transfer(0);
  } catch {
    // Not detachable (e.g. shared with the runtime).
  }
}

/** Turns a zlib error into the error we report. */
function describe(
  error: unknown,
  name: string,
  direction: "compression" | "decompression",
): Error {
  if (error instanceof InvalidContentError) return error;
  if (!(error instanceof Error) || !isZlibError(error)) {
    return error instanceof Error ? error : new Error(String(error));
  }
  const detail = error.message.replace(/^Zstd (de)?compress error: /, "");
  return direction === "decompression"
    ? new InvalidContentError(`${name} stream is corrupt: ${detail}`, {
      cause: error,
    })
    : new Error(`${name} compression failed: ${detail}`, { cause: error });
}

function isZlibError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return (typeof code === "string" && /^(Z_|ZSTD_)/.test(code)) ||
    /^Zstd (de)?compress error: /.test(error.message);
}
