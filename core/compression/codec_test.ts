import assert from "node:assert/strict";
import { gzipSync, zstdCompressSync } from "node:zlib";
import fc from "fast-check";
import {
  BZIP2,
  type CompressionAlgorithm,
  compressStream,
  decompressStream,
  GZIP,
  UnsupportedCompressionError,
  XZ,
  ZSTD,
} from "./mod.ts";
import { InvalidContentError } from "../errors.ts";
import { disposeChunk } from "../fs_stream.ts";
import { componentTest } from "../../tests/support/components.ts";

/** Compressible but not trivial: text lines with varying numbers. */
function sampleText(lines: number): Uint8Array<ArrayBuffer> {
  const text = Array.from(
    { length: lines },
    (_, i) => `line ${i} value ${(i * 2654435761) % 1000003}\n`,
  ).join("");
  return new TextEncoder().encode(text);
}

/** A stream of `bytes` cut into chunks of `size` (or given sizes, cycled). */
function chunked(
  bytes: Uint8Array,
  sizes: number | number[],
): ReadableStream<Uint8Array> {
  const cycle = typeof sizes === "number" ? [sizes] : sizes;
  let at = 0;
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) {
        controller.close();
        return;
      }
      const size = Math.max(1, cycle[i++ % cycle.length]!);
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function readAll(
  stream: ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function compress(
  algorithm: CompressionAlgorithm,
  bytes: Uint8Array,
  level?: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const options = level === undefined ? {} : { level };
  return new Uint8Array(
    await readAll(
      chunked(bytes, 1 << 20).pipeThrough(compressStream(algorithm, options)),
    ),
  );
}

function decompress(
  algorithm: CompressionAlgorithm,
  bytes: Uint8Array,
  chunkSize: number | number[] = 1 << 20,
): Promise<Uint8Array> {
  return readAll(
    chunked(bytes, chunkSize).pipeThrough(decompressStream(algorithm)),
  );
}

function corruptError(name: string, detail: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof InvalidContentError, String(error));
    assert.match(error.message, new RegExp(`^${name} stream is corrupt: `));
    assert.match(error.message, detail);
    return true;
  };
}

for (const algorithm of [GZIP, ZSTD]) {
  const name = algorithm.name;

  Deno.test(`compressStream(${name}) round-trips through decompressStream(${name})`, async () => {
    const input = sampleText(60_000); // ~2 MiB
    const compressed = await compress(algorithm, input);
    assert.ok(compressed.length < input.length / 2);
    assert.deepEqual(
      compressed.subarray(0, algorithm.magic.length),
      algorithm.magic,
    );
    for (const sizes of [1 << 20, 4096, [1, 7, 300, 65_537]]) {
      assert.deepEqual(await decompress(algorithm, compressed, sizes), input);
    }
  });

  Deno.test(`compressStream(${name}) handles empty input`, async () => {
    const compressed = await compress(algorithm, new Uint8Array());
    assert.ok(compressed.length > 0);
    assert.equal((await decompress(algorithm, compressed)).length, 0);
  });

  Deno.test(`decompressStream(${name}) reads concatenated members/frames`, async () => {
    const a = sampleText(1000);
    const b = new TextEncoder().encode("second part\n");
    const joined = concat(
      await compress(algorithm, a),
      await compress(algorithm, b),
    );
    // Cut points around the member boundary must not lose the second member.
    for (const sizes of [1 << 20, 13, [joined.length - 20, 20]]) {
      assert.deepEqual(
        await decompress(algorithm, joined, sizes),
        concat(a, b),
      );
    }
  });

  Deno.test(`decompressStream(${name}) rejects truncated input`, async () => {
    const compressed = await compress(algorithm, sampleText(30_000));
    for (const end of [compressed.length - 1, compressed.length >> 1, 5, 1]) {
      await assert.rejects(
        decompress(algorithm, compressed.subarray(0, end), 4096),
        corruptError(name, /unexpected end of file/),
      );
    }
  });

  Deno.test(`decompressStream(${name}) rejects empty input`, async () => {
    await assert.rejects(
      decompress(algorithm, new Uint8Array()),
      corruptError(name, /unexpected end of file/),
    );
  });

  Deno.test(`decompressStream(${name}) rejects corrupt input`, async () => {
    const compressed = await compress(algorithm, sampleText(30_000));
    for (
      const at of [10, 200, compressed.length >> 1, compressed.length - 2]
    ) {
      const bad = compressed.slice();
      bad[at] = bad[at]! ^ 0x55;
      await assert.rejects(
        decompress(algorithm, bad, 8192),
        corruptError(name, /./),
        `corruption at byte ${at} went unnoticed`,
      );
    }
  });

  Deno.test(`decompressStream(${name}) rejects garbage after the end`, async () => {
    const compressed = await compress(algorithm, sampleText(100));
    await assert.rejects(
      decompress(algorithm, concat(compressed, new Uint8Array(8))),
      corruptError(name, /after the (end of the stream|last frame)/),
    );
  });

  Deno.test(`decompressStream(${name}) passes a source error through and stops`, async () => {
    const failure = new Error("network went away");
    const compressed = await compress(algorithm, sampleText(10_000));
    let sent = false;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) controller.error(failure);
        else controller.enqueue(compressed.subarray(0, 1000));
        sent = true;
      },
    });
    await assert.rejects(
      readAll(source.pipeThrough(decompressStream(algorithm))),
      (e) => e === failure,
    );
  });

  Deno.test(`decompressStream(${name}) cancels its source when the reader cancels`, async () => {
    const compressed = await compress(algorithm, sampleText(200_000));
    let cancelled: unknown;
    let at = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(compressed.subarray(at, at + 65_536));
        at += 65_536;
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const reader = source.pipeThrough(decompressStream(algorithm)).getReader();
    assert.ok((await reader.read()).value!.length > 0);
    await reader.cancel("enough");
    // pipeThrough forwards the cancellation to the source asynchronously.
    for (let i = 0; i < 50 && cancelled === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    assert.equal(cancelled, "enough");
  });

  Deno.test(`decompressStream(${name}) applies backpressure to its source`, async () => {
    const input = sampleText(200_000); // ~7 MiB of text
    const compressed = await compress(algorithm, input, 1);
    let pulled = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= compressed.length) controller.close();
        else controller.enqueue(compressed.subarray(pulled, pulled + 16_384));
        pulled += 16_384;
      },
    }, { highWaterMark: 0 });
    const reader = source.pipeThrough(decompressStream(algorithm)).getReader();
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Reading one chunk must not have drained the whole source.
    assert.ok(
      pulled < compressed.length / 2,
      `pulled ${pulled} of ${compressed.length}`,
    );
    await reader.cancel();
  });

  Deno.test(`decompressStream(${name}) round-trips arbitrary bytes and chunkings (property)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 70_000 }),
        fc.array(fc.integer({ min: 1, max: 40_000 }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.integer({ min: 1, max: 9 }),
        async (input, sizes, level) => {
          const compressed = await compress(algorithm, input, level);
          assert.deepEqual(
            await decompress(algorithm, compressed, sizes),
            input,
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  Deno.test(`decompressStream(${name}) never hangs or throws uncaught on damaged input (property)`, async () => {
    const compressed = await compress(algorithm, sampleText(20_000));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: compressed.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        fc.integer({ min: 1, max: compressed.length }),
        async (at, flip, end) => {
          const bad = compressed.slice(0, end);
          if (at < bad.length) bad[at] = bad[at]! ^ flip;
          try {
            await decompress(algorithm, bad, 5000);
          } catch (error) {
            assert.ok(error instanceof InvalidContentError, String(error));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
}

Deno.test("decompressStream(gzip) reads the output of node's gzipSync with 1-byte chunks", async () => {
  const input = sampleText(200);
  assert.deepEqual(await decompress(GZIP, gzipSync(input), 1), input);
});

Deno.test("decompressStream(zstd) skips skippable frames", async () => {
  const a = sampleText(500);
  const b = sampleText(700);
  const skippable = concat(
    new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 5, 0, 0, 0]),
    new TextEncoder().encode("meta!"),
  );
  const joined = concat(
    zstdCompressSync(a),
    skippable,
    zstdCompressSync(b),
    skippable,
  );
  for (const sizes of [1 << 20, 1, 3]) {
    assert.deepEqual(await decompress(ZSTD, joined, sizes), concat(a, b));
  }
});

Deno.test("compressStream() validates levels", () => {
  assert.throws(() => compressStream(GZIP, { level: 10 }), RangeError);
  assert.throws(() => compressStream(ZSTD, { level: 0 }), RangeError);
  assert.throws(() => compressStream(ZSTD, { level: 2.5 }), RangeError);
});

Deno.test("compressStream() and decompressStream() refuse bzip2 and xz", () => {
  for (const algorithm of [BZIP2, XZ]) {
    assert.throws(
      () => compressStream(algorithm),
      (e) =>
        e instanceof UnsupportedCompressionError &&
        e.message === `${algorithm.name} compression is not supported`,
    );
    assert.throws(
      () => decompressStream(algorithm),
      UnsupportedCompressionError,
    );
  }
});

async function runTool(
  command: string,
  args: string[],
  input: Uint8Array,
): Promise<Uint8Array> {
  const child = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const [output] = await Promise.all([
    child.output(),
    writer.write(input).then(() => writer.close()),
  ]);
  assert.equal(
    output.code,
    0,
    `${command} failed: ${new TextDecoder().decode(output.stderr)}`,
  );
  return output.stdout;
}

componentTest({
  name: "compressStream() output is read by gzip and zstd, and theirs by us",
  components: ["gzip", "zstd"],
  fn: async () => {
    const input = sampleText(50_000);
    for (
      const [algorithm, tool] of [[GZIP, "gzip"], [ZSTD, "zstd"]] as const
    ) {
      const ours = await compress(algorithm, input);
      assert.deepEqual(await runTool(tool, ["-dc"], ours), input);
      const theirs = await runTool(tool, ["-c", "-3"], input);
      assert.deepEqual(await decompress(algorithm, theirs, 777), input);
    }
    // zstd's multi-threaded mode and --long write frames our scanner must walk.
    const big = sampleText(200_000);
    const multi = await runTool(
      "zstd",
      ["-c", "-T2", "--long=24", "-B1MiB"],
      big,
    );
    assert.deepEqual(await decompress(ZSTD, multi, 100_000), big);
  },
});

Deno.test("codec output chunks are each the only view of their buffer, so their last reader may free them at once", async () => {
  // Compressible but not trivial: outputs end mid-buffer at each write.
  const input = new Uint8Array(3 * 1024 * 1024);
  for (let i = 0; i < input.length; i++) input[i] = (i * 7919) % 251 & 0x3f;
  for (const algorithm of [GZIP, ZSTD]) {
    const chunks = [];
    for (let at = 0; at < input.length; at += 100_000) {
      chunks.push(input.slice(at, at + 100_000));
    }
    const round = ReadableStream.from(chunks)
      .pipeThrough(compressStream(algorithm))
      .pipeThrough(decompressStream(algorithm));
    const out = new Uint8Array(input.length);
    let filled = 0;
    for await (const chunk of round) {
      assert.equal(chunk.byteOffset, 0, algorithm.name);
      assert.equal(chunk.byteLength, chunk.buffer.byteLength, algorithm.name);
      out.set(chunk, filled);
      filled += chunk.byteLength;
      // Freeing each chunk as soon as it is read must not empty later ones.
      disposeChunk(chunk);
    }
    assert.equal(filled, input.length, algorithm.name);
    assert.deepEqual(out, input, algorithm.name);
  }
});
