/**
 * Worker entry of `off_thread.ts`: runs one codec chain at a time on its own
 * thread. Protocol (main → worker): `start` with the stages, `data` chunks,
 * `end`; (worker → main): `ready` once loaded, `consumed` per input chunk
 * taken by the chain, `data` chunks of output, then `done` or `error`.
 *
 * @module
 */
import { markDisposable } from "../fs_stream.ts";
import { buildStages, type CodecStage } from "./codec_stages.ts";

/** Messages the main thread sends. */
export type ToWorker =
  | { type: "start"; stages: CodecStage[] }
  | { type: "data"; chunk: Uint8Array }
  | { type: "end" };

/** Messages the worker sends. */
export type FromWorker =
  | { type: "ready" }
  | { type: "consumed" }
  | { type: "data"; chunk: Uint8Array }
  | { type: "done" }
  | { type: "error"; name: string; message: string };

const port = self as unknown as {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
};

let writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
let failed = false;

function report(error: unknown): void {
  if (failed) return;
  failed = true;
  port.postMessage({
    type: "error",
    name: error instanceof Error ? error.name : "Error",
    message: error instanceof Error ? error.message : String(error),
  });
}

function start(stages: CodecStage[]): void {
  failed = false;
  let chain: TransformStream<Uint8Array, Uint8Array>[];
  try {
    chain = buildStages(stages);
  } catch (error) {
    report(error);
    return;
  }
  let readable = chain[0]!.readable;
  for (const stage of chain.slice(1)) readable = readable.pipeThrough(stage);
  writer = chain[0]!.writable.getWriter();
  (async () => {
    for await (const chunk of readable) {
      // A view into a buffer zlib keeps filling must be copied; a chunk
      // that is its whole buffer moves to the main thread without a copy.
      const whole = chunk.byteOffset === 0 &&
        chunk.byteLength === chunk.buffer.byteLength;
      const out = whole ? chunk : new Uint8Array(chunk);
      port.postMessage({ type: "data", chunk: out }, [
        out.buffer as ArrayBuffer,
      ]);
    }
    if (!failed) port.postMessage({ type: "done" });
  })().catch(report);
}

port.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case "start":
      start(message.stages);
      break;
    case "data":
      // Transferred to this thread: the chain may free it once consumed.
      writer?.write(markDisposable(message.chunk)).then(
        () => port.postMessage({ type: "consumed" }),
        report,
      );
      break;
    case "end":
      writer?.close().catch(report);
      writer = undefined;
      break;
  }
};
port.postMessage({ type: "ready" });
