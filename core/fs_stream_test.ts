import assert from "node:assert/strict";
import {
  DEFAULT_CHUNK_SIZE,
  disposeChunk,
  keepChunk,
  markDisposable,
  readFileStream,
  writeStreamToFile,
} from "./fs_stream.ts";
import { InvalidContentError } from "./errors.ts";

function pattern(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  return bytes;
}

async function collect(
  stream: ReadableStream<Uint8Array>,
): Promise<{ bytes: Uint8Array; sizes: number[] }> {
  const sizes: number[] = [];
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) {
    sizes.push(chunk.length);
    parts.push(chunk);
  }
  const bytes = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return { bytes, sizes };
}

async function withTempFile(
  content: Uint8Array,
  fn: (path: string) => Promise<void>,
): Promise<void> {
  const path = await Deno.makeTempFile({ prefix: "fs_stream_test" });
  try {
    await Deno.writeFile(path, content);
    await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("readFileStream() reads a whole file in chunkSize chunks", async () => {
  const content = pattern(2_500_000);
  await withTempFile(content, async (path) => {
    const { bytes, sizes } = await collect(
      readFileStream(await Deno.open(path)),
    );
    assert.deepEqual(bytes, content);
    const full = Math.floor(2_500_000 / DEFAULT_CHUNK_SIZE);
    assert.deepEqual(sizes, [
      ...Array(full).fill(DEFAULT_CHUNK_SIZE),
      2_500_000 - full * DEFAULT_CHUNK_SIZE,
    ]);
  });
});

Deno.test("readFileStream() reads only [offset, offset+length)", async () => {
  const content = pattern(100_000);
  await withTempFile(content, async (path) => {
    const { bytes, sizes } = await collect(
      readFileStream(await Deno.open(path), {
        offset: 1234,
        length: 50_000,
        chunkSize: 16_384,
      }),
    );
    assert.deepEqual(bytes, content.subarray(1234, 51_234));
    assert.deepEqual(sizes, [16_384, 16_384, 16_384, 848]);
  });
});

Deno.test("readFileStream() with length 0 yields nothing", async () => {
  await withTempFile(pattern(10), async (path) => {
    const { bytes } = await collect(
      readFileStream(await Deno.open(path), { offset: 3, length: 0 }),
    );
    assert.equal(bytes.length, 0);
  });
});

Deno.test("readFileStream() errors when the file ends before length", async () => {
  await withTempFile(pattern(1000), async (path) => {
    await assert.rejects(
      collect(
        readFileStream(await Deno.open(path), { offset: 900, length: 200 }),
      ),
      (error: unknown) =>
        error instanceof InvalidContentError &&
        /expected 200 bytes from offset 900, got 100/.test(error.message),
    );
  });
});

Deno.test("readFileStream() closes the file on cancel and keeps it with closeFile: false", async () => {
  await withTempFile(pattern(3 << 20), async (path) => {
    const file = await Deno.open(path);
    const reader = readFileStream(file, { closeFile: false }).getReader();
    assert.equal((await reader.read()).value?.length, DEFAULT_CHUNK_SIZE);
    await reader.cancel();
    // Still open: reading works.
    assert.equal(await file.read(new Uint8Array(4)), 4);
    file.close();

    const owned = await Deno.open(path);
    const ownedReader = readFileStream(owned).getReader();
    await ownedReader.read();
    await ownedReader.cancel();
    assert.throws(() => owned.close(), Deno.errors.BadResource);
  });
});

Deno.test("readFileStream() errors with the abort reason", async () => {
  await withTempFile(pattern(3 << 20), async (path) => {
    const controller = new AbortController();
    const reader = readFileStream(await Deno.open(path), {
      signal: controller.signal,
    }).getReader();
    await reader.read();
    const reason = new Error("stop reading");
    controller.abort(reason);
    await assert.rejects(reader.read(), (e) => e === reason);
  });
});

Deno.test("readFileStream() rejects bad ranges", async () => {
  await withTempFile(pattern(4), async (path) => {
    const file = await Deno.open(path);
    try {
      assert.throws(() => readFileStream(file, { offset: -1 }), RangeError);
      assert.throws(() => readFileStream(file, { chunkSize: 0 }), RangeError);
    } finally {
      file.close();
    }
  });
});

Deno.test("writeStreamToFile() writes every byte and returns the count", async () => {
  const content = pattern(3_000_000);
  const path = await Deno.makeTempFile({ prefix: "fs_stream_test" });
  try {
    const n = await writeStreamToFile(new Blob([content]).stream(), path);
    assert.equal(n, content.length);
    assert.deepEqual(await Deno.readFile(path), content);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("writeStreamToFile() rejects with the stream's error", async () => {
  const path = await Deno.makeTempFile({ prefix: "fs_stream_test" });
  try {
    const failure = new Error("source broke");
    let sent = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) controller.error(failure);
        else controller.enqueue(pattern(10));
        sent = true;
      },
    });
    await assert.rejects(writeStreamToFile(stream, path), (e) => e === failure);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("writeStreamToFile() stops and cancels the stream on abort", async () => {
  const path = await Deno.makeTempFile({ prefix: "fs_stream_test" });
  try {
    const controller = new AbortController();
    let cancelled: unknown;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(pattern(100));
        controller.abort(new Error("enough"));
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    await assert.rejects(
      writeStreamToFile(stream, path, { signal: controller.signal }),
      /enough/,
    );
    assert.equal((cancelled as Error).message, "enough");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("disposeChunk() frees a marked chunk and leaves others alone", () => {
  const marked = markDisposable(new Uint8Array([1, 2, 3]));
  const plain = new Uint8Array([4, 5]);
  const kept = markDisposable(new Uint8Array([6]));
  keepChunk(kept);
  disposeChunk(marked);
  disposeChunk(plain);
  disposeChunk(kept);
  assert.equal(marked.byteLength, 0);
  assert.equal((marked.buffer as ArrayBuffer).detached, true);
  assert.deepEqual([...plain], [4, 5]);
  assert.deepEqual([...kept], [6]);
  // A second dispose of a freed chunk is harmless.
  disposeChunk(marked);
});

Deno.test("disposeChunk() ignores a slice of a marked chunk", () => {
  const marked = markDisposable(new Uint8Array([1, 2, 3]));
  disposeChunk(marked.subarray(1));
  assert.deepEqual([...marked], [1, 2, 3]);
});

Deno.test("readFileStream() chunks may be disposed by their last reader", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, pattern(3000));
    const stream = readFileStream(await Deno.open(path), { chunkSize: 1024 });
    const sizes: number[] = [];
    for await (const chunk of stream) {
      sizes.push(chunk.byteLength);
      disposeChunk(chunk);
      assert.equal(chunk.byteLength, 0);
    }
    assert.deepEqual(sizes, [1024, 1024, 952]);
  } finally {
    await Deno.remove(path);
  }
});
