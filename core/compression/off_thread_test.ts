import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { InvalidContentError } from "../errors.ts";
import type { CodecStage } from "./codec_stages.ts";
import { pipeStages } from "./codec_stages.ts";
import {
  liveCodecWorkers,
  offThreadStages,
  setCodecLanes,
} from "./off_thread.ts";
import { chunked } from "../../tests/support/chunked.ts";

const RECOMPRESS: CodecStage[] = [
  { op: "decompress", algorithm: "gzip" },
  { op: "compress", algorithm: "zstd" },
];

/** Compressible, varied content (a few MiB): text lines with numbers. */
function sample(lines: number, seed: number): Uint8Array {
  const parts: string[] = [];
  for (let i = 0; i < lines; i++) {
    parts.push(`line ${i} of sample ${seed}: ${(i * 7919 + seed) % 104729}\n`);
  }
  return new TextEncoder().encode(parts.join(""));
}

async function collect(
  stream: ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  return await new Response(stream).bytes();
}

Deno.test("offThreadStages() gives the bytes the same chain gives on this thread", async () => {
  const raw = sample(60_000, 1);
  const gz = gzipSync(raw);
  const here = await collect(pipeStages(chunked(gz, 65536), RECOMPRESS));
  const there = await collect(offThreadStages(chunked(gz, 65536), RECOMPRESS));
  assert.ok(there.length > 0);
  assert.deepEqual(there, here);
  // And the result decompresses to the input.
  const back = await collect(
    pipeStages(chunked(there, 4096), [{ op: "decompress", algorithm: "zstd" }]),
  );
  assert.deepEqual(back, raw);
});

Deno.test("offThreadStages() runs more chains than lanes, each with its own result", async () => {
  setCodecLanes(2);
  try {
    const inputs = [1, 2, 3, 4, 5].map((seed) => sample(20_000 * seed, seed));
    const outputs = await Promise.all(
      inputs.map((raw) =>
        collect(
          offThreadStages(chunked(gzipSync(raw), 32768), [
            { op: "decompress", algorithm: "gzip" },
          ]),
        )
      ),
    );
    for (const [i, out] of outputs.entries()) assert.deepEqual(out, inputs[i]);
  } finally {
    setCodecLanes(navigator.hardwareConcurrency || 1);
  }
});

Deno.test("offThreadStages() reports corrupt input as this thread's chain does", async () => {
  const gz = gzipSync(sample(30_000, 9));
  gz[gz.length >> 1] = gz[gz.length >> 1]! ^ 0xff; // a byte of deflate data
  const expected = await collect(pipeStages(chunked(gz, 8192), RECOMPRESS))
    .then(() => undefined, (error: unknown) => error);
  assert.ok(expected instanceof InvalidContentError);
  // Every chain of the pool lanes (this thread's, then a worker's) fails alike.
  const failures = await Promise.all(
    [1, 2].map(() =>
      collect(offThreadStages(chunked(gz, 8192), RECOMPRESS)).then(
        () => undefined,
        (error: unknown) => error,
      )
    ),
  );
  for (const error of failures) {
    assert.ok(error instanceof InvalidContentError, String(error));
    assert.equal(error.message, expected.message);
  }
  // The lanes were released: a good chain still runs afterwards.
  const ok = await collect(
    offThreadStages(chunked(gzipSync(sample(100, 3)), 1024), [
      { op: "decompress", algorithm: "gzip" },
    ]),
  );
  assert.deepEqual(ok, sample(100, 3));
});

Deno.test("offThreadStages() stops on abort and frees its lane", async () => {
  setCodecLanes(1);
  try {
    const controller = new AbortController();
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new Uint8Array(65536));
      },
    });
    const out = offThreadStages(endless, [
      { op: "compress", algorithm: "zstd" },
    ], { signal: controller.signal });
    const reader = out.getReader();
    await reader.read();
    controller.abort(new Error("stopped"));
    await assert.rejects(
      (async () => {
        for (;;) if ((await reader.read()).done) return;
      })(),
      /stopped/,
    );
    // With one lane, a new chain runs only if the aborted one released it.
    const ok = await collect(
      offThreadStages(chunked(gzipSync(sample(50, 4)), 512), [
        { op: "decompress", algorithm: "gzip" },
      ]),
    );
    assert.deepEqual(ok, sample(50, 4));
  } finally {
    setCodecLanes(navigator.hardwareConcurrency || 1);
  }
});

Deno.test("offThreadStages() aborted while its worker starts, or while waiting for a lane, leaves no worker and no waiter", async () => {
  setCodecLanes(2);
  try {
    const input = () => chunked(gzipSync(sample(200, 5)), 4096);
    // This thread's lane, held while the others start.
    const holder = offThreadStages(input(), RECOMPRESS);
    const starting = new AbortController();
    const starter = offThreadStages(input(), RECOMPRESS, {
      signal: starting.signal,
    });
    const waitingAbort = new AbortController();
    const waiter = offThreadStages(input(), RECOMPRESS, {
      signal: waitingAbort.signal,
    });
    await Promise.resolve();
    assert.equal(liveCodecWorkers(), 1, "the second chain starts a worker");
    waitingAbort.abort(new Error("gone"));
    starting.abort(new Error("gone"));
    await assert.rejects(collect(starter), /gone/);
    await assert.rejects(collect(waiter), /gone/);
    // Stopped at once: a worker takes tens of milliseconds to load.
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(liveCodecWorkers(), 0);
    // The lanes still work: the held chain, then a new one on a worker.
    const raw = sample(200, 5);
    const zstd = [{ op: "decompress", algorithm: "zstd" }] as CodecStage[];
    assert.deepEqual(
      await collect(pipeStages(chunked(await collect(holder), 4096), zstd)),
      raw,
    );
    const again = await collect(offThreadStages(input(), RECOMPRESS));
    assert.deepEqual(
      await collect(pipeStages(chunked(again, 4096), zstd)),
      raw,
    );
  } finally {
    setCodecLanes(navigator.hardwareConcurrency || 1);
  }
});
