/**
 * Runs codec chains (gunzip → zstd, say) in worker threads, so that several
 * layers are recompressed at once: node:zlib works on the calling thread,
 * and one JS thread would otherwise do all of an image's compression work
 * while the other cores idle.
 *
 * Workers are started on demand, at most one per core, and kept only while
 * chains wait for them. Input is handed over in bounded windows (a worker
 * holds at most {@linkcode WINDOW_BYTES} of a chain's unconsumed input,
 * whatever the chunk size, and at least one chunk), chunks this
 * process alone owns move without a copy, and a worker that fails to start
 * (a bundle without the worker file, say) makes chains run on this thread.
 *
 * @module
 */
import { InvalidContentError } from "../errors.ts";
import { disposeChunk, markDisposable, releaseChunk } from "../fs_stream.ts";
import type { FromWorker, ToWorker } from "./_codec_worker.ts";
import { type CodecStage, pipeStages } from "./codec_stages.ts";

/** Input bytes a worker may hold before the next chunk is sent. */
const WINDOW_BYTES = 1 << 20;
/** Output chunks waiting for the reader before input is paused. */
const OUTPUT_QUEUE = 16;

const WORKER_URL = new URL("./_codec_worker.ts", import.meta.url);

/** Options of {@linkcode offThreadStages}. */
export interface OffThreadOptions {
  /** Aborting terminates the worker and errors the output. */
  signal?: AbortSignal | undefined;
}

interface PooledWorker {
  worker: Worker;
  /** Receives the worker's messages for the chain it runs. */
  onMessage: (message: FromWorker) => void;
}

/**
 * Where a chain runs: this thread, or a worker. This thread counts as one
 * lane: it also hashes and writes, but a second worker would cost ~30 MB
 * more memory for no measurable gain on two cores.
 */
type Lane = { kind: "local" } | { kind: "worker"; pooled: PooledWorker };

let lanes = Math.max(1, navigator.hardwareConcurrency || 1);
let localBusy = false;
let liveWorkers = 0;
let workersUnavailable = false;
/**
 * Chains waiting for a lane. A waiter is given a lane, or `undefined`: a
 * worker stopped, so it should try to start one itself.
 */
const waiting: ((lane: Lane | undefined) => void)[] = [];

/**
 * Tells a chain's lane requests that the chain ended (cancelled, aborted,
 * failed) while they waited: they give up, and stop a worker they started.
 */
interface Abandonment {
  /** Whether the chain has ended. */
  readonly ended: () => boolean;
  /** Settles when it ends. */
  readonly promise: Promise<void>;
}

/**
 * Starts a worker and waits until its module has loaded. A chain that ends
 * meanwhile stops it at once: no worker outlives the copy that asked.
 */
function startWorker(
  abandonment: Abandonment,
): Promise<PooledWorker | "abandoned" | undefined> {
  let worker: Worker;
  try {
    // A bundle lacks the worker file: find out quietly (a failed load
    // prints an uncaught error) and run on this thread.
    if (WORKER_URL.protocol === "file:") Deno.statSync(WORKER_URL);
    worker = new Worker(WORKER_URL, { type: "module" });
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    let settled = false;
    abandonment.promise.then(() => {
      if (settled) return;
      settled = true;
      // Counted as stopped at once, not a few promise turns later.
      worker.terminate();
      liveWorkers--;
      resolve("abandoned");
    });
    const pooled: PooledWorker = { worker, onMessage: () => {} };
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      if (event.data.type === "ready") {
        if (settled) return;
        settled = true;
        resolve(pooled);
        return;
      }
      pooled.onMessage(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      worker.terminate();
      if (!settled) resolve(undefined);
      settled = true;
      pooled.onMessage({
        type: "error",
        name: "Error",
        message: `compression worker failed: ${event.message}`,
      });
    };
  });
}

/**
 * A new worker lane, or this thread's when workers cannot start here;
 * `undefined` when the chain ended while the worker started.
 */
async function workerLane(
  abandonment: Abandonment,
): Promise<Lane | undefined> {
  liveWorkers++;
  const pooled = await startWorker(abandonment);
  if (pooled !== "abandoned") {
    if (pooled && !abandonment.ended()) return { kind: "worker", pooled };
    liveWorkers--;
    if (pooled) {
      pooled.worker.terminate();
    } else if (!abandonment.ended()) {
      workersUnavailable = true;
      return { kind: "local" };
    }
  }
  // Whoever waits may start the worker this chain no longer needs.
  waiting.shift()?.(undefined);
  return undefined;
}

/**
 * The lane for one chain; waits while every lane is busy. `undefined`
 * when the chain ended first.
 */
async function acquire(abandonment: Abandonment): Promise<Lane | undefined> {
  while (!abandonment.ended()) {
    // Without workers, chains share this thread as they always did.
    if (workersUnavailable) return { kind: "local" };
    if (!localBusy) {
      localBusy = true;
      return { kind: "local" };
    }
    if (liveWorkers < lanes - 1) return await workerLane(abandonment);
    let grant!: (lane: Lane | undefined) => void;
    const granted = new Promise<Lane | undefined>((resolve) => grant = resolve);
    waiting.push(grant);
    const outcome = await Promise.race([
      granted,
      abandonment.promise.then(() => "ended" as const),
    ]);
    if (outcome === "ended") {
      const at = waiting.indexOf(grant);
      if (at >= 0) waiting.splice(at, 1);
      else {
        // Handed a lane meanwhile: pass it on.
        const lane = await granted;
        if (lane) release(lane, true);
        else waiting.shift()?.(undefined);
      }
      return undefined;
    }
    if (outcome) return outcome;
  }
  return undefined;
}

/** Hands a lane to the next waiting chain, or frees it. */
function release(lane: Lane, healthy: boolean): void {
  const next = waiting.shift();
  if (lane.kind === "local") {
    if (next) next(lane);
    else localBusy = false;
    return;
  }
  lane.pooled.onMessage = () => {};
  if (healthy && next) {
    next(lane);
    return;
  }
  // Nothing waits (or it broke): stop it, so no idle thread outlives the work.
  lane.pooled.worker.terminate();
  liveWorkers--;
  // The next chain starts a worker of its own, unless it ended meanwhile.
  next?.(undefined);
}

/**
 * Pipes `stream` through a codec chain on a worker thread (on this thread
 * when workers are unavailable). Errors read as the same chain's errors on
 * this thread (`InvalidContentError` for corrupt input).
 *
 * @example Recompress gzip as zstd off the main thread
 * ```ts
 * import { offThreadStages } from "./off_thread.ts";
 * import { compressStream, GZIP } from "./mod.ts";
 * const gz = new Blob(["layer"]).stream().pipeThrough(compressStream(GZIP));
 * const zst = offThreadStages(gz, [
 *   { op: "decompress", algorithm: "gzip" },
 *   { op: "compress", algorithm: "zstd" },
 * ]);
 * console.assert((await new Response(zst).bytes())[0] === 0x28);
 * ```
 *
 * Read the output to its end, cancel it, or abort `signal`: a chain left
 * open keeps its worker, and so the process, alive.
 *
 * @param stream The input; consumed or cancelled.
 * @param stages The chain.
 * @param options Cancellation.
 * @returns The chain's output.
 */
export function offThreadStages(
  stream: ReadableStream<Uint8Array>,
  stages: readonly CodecStage[],
  options: OffThreadOptions = {},
): ReadableStream<Uint8Array> {
  const signal = options.signal;
  const reader = stream.getReader();
  let lane: Lane | undefined;
  let pooled: PooledWorker | undefined;
  let inFlight = 0;
  let inFlightBytes = 0;
  const sentSizes: number[] = [];
  let finished = false;
  let wakeSender: (() => void) | undefined;
  let local: ReadableStreamDefaultReader<Uint8Array> | undefined;

  let endChain!: () => void;
  const abandonment: Abandonment = {
    ended: () => finished,
    promise: new Promise((resolve) => endChain = resolve),
  };
  const finish = (healthy: boolean): void => {
    if (finished) return;
    finished = true;
    endChain();
    signal?.removeEventListener("abort", onAbort);
    if (lane) release(lane, healthy);
  };
  let controllerRef!: ReadableStreamDefaultController<Uint8Array>;
  const fail = (error: unknown): void => {
    if (finished) return;
    finish(false);
    try {
      controllerRef.error(error);
    } catch {
      // already closed or errored
    }
    reader.cancel(error).catch(() => {});
    wakeSender?.();
  };
  const onAbort = (): void => fail(signal?.reason);

  /**
   * Sends input while the worker holds less than WINDOW_BYTES and the
   * reader keeps up with the output, until the input ends.
   */
  const send = async (): Promise<void> => {
    while (!finished) {
      const queued = -(controllerRef.desiredSize ?? 0);
      if (
        (inFlight > 0 && inFlightBytes >= WINDOW_BYTES) ||
        queued >= OUTPUT_QUEUE
      ) {
        await new Promise<void>((resolve) => wakeSender = resolve);
        wakeSender = undefined;
        continue;
      }
      const { done, value } = await reader.read();
      if (finished) return;
      if (done) {
        post({ type: "end" });
        return;
      }
      inFlight++;
      inFlightBytes += value.byteLength;
      sentSizes.push(value.byteLength);
      const owned = releaseChunk(value);
      // A copy (of the view only: Buffer#slice would share the memory).
      const chunk = owned ? value : new Uint8Array(value);
      // Copied: the original is freed now if this chain alone held it.
      if (!owned) disposeChunk(value);
      post({ type: "data", chunk }, [chunk.buffer as ArrayBuffer]);
    }
  };
  const post = (message: ToWorker, transfer: Transferable[] = []): void => {
    pooled!.worker.postMessage(message, transfer);
  };

  return new ReadableStream<Uint8Array>({
    async start(controller) {
      controllerRef = controller;
      signal?.addEventListener("abort", onAbort, { once: true });
      if (signal?.aborted) return fail(signal.reason);
      const granted = await acquire(abandonment);
      if (granted === undefined) return;
      lane = granted;
      if (finished) {
        release(lane, true);
        return;
      }
      if (lane.kind === "local") {
        local = pipeStages(
          new ReadableStream({
            pull: async (c) => {
              const { done, value } = await reader.read();
              if (done) c.close();
              else c.enqueue(value);
            },
            cancel: (reason) => reader.cancel(reason),
          }),
          stages,
        ).getReader();
        return;
      }
      pooled = lane.pooled;
      pooled.onMessage = (message) => {
        switch (message.type) {
          case "consumed":
            inFlight--;
            inFlightBytes -= sentSizes.shift() ?? 0;
            wakeSender?.();
            break;
          case "data":
            // Transferred: its whole buffer is ours alone.
            controller.enqueue(markDisposable(message.chunk));
            break;
          case "done":
            finish(true);
            controller.close();
            break;
          case "error":
            fail(rebuild(message));
            break;
        }
      };
      post({ type: "start", stages: [...stages] });
      send().catch(fail);
    },
    async pull(controller) {
      if (!local) {
        wakeSender?.();
        return;
      }
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await local.read();
      } catch (error) {
        finish(false);
        throw error;
      }
      if (next.done) {
        finish(true);
        controller.close();
      } else controller.enqueue(next.value);
    },
    async cancel(reason) {
      if (!local) return fail(reason);
      finish(false);
      await local.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** The worker's error as the error this thread's chain would have thrown. */
function rebuild(message: { name: string; message: string }): Error {
  return message.name === "InvalidContentError"
    ? new InvalidContentError(message.message)
    : new Error(message.message);
}

/**
 * Sets how many chains run at once: this thread plus `count - 1` workers
 * (default: one per core). For tests and benchmarks.
 *
 * @param count At least 1.
 */
export function setCodecLanes(count: number): void {
  lanes = Math.max(1, Math.floor(count));
}

/**
 * How many codec workers are running (chains in progress or starting).
 *
 * @returns The count; 0 once every chain has ended.
 */
export function liveCodecWorkers(): number {
  return liveWorkers;
}
