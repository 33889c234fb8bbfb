/**
 * Throughput of the compression streams on compressible text, 1 MiB chunks.
 * Run: `deno bench --allow-all core/compression/compression_bench.ts`.
 *
 * @module
 */
import { compressStream, decompressStream, GZIP, ZSTD } from "./mod.ts";

const SIZE = 32 << 20;
const raw = new TextEncoder().encode(
  Array.from(
    { length: SIZE / 32 },
    (_, i) => `row ${i} ${(i * 7919) % 100003}\n`,
  )
    .join("")
    .slice(0, SIZE),
);

function chunks(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) controller.close();
      else controller.enqueue(bytes.subarray(at, at + (1 << 20)));
      at += 1 << 20;
    },
  });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const gzipped = await drain(chunks(raw).pipeThrough(compressStream(GZIP)));
const zstded = await drain(chunks(raw).pipeThrough(compressStream(ZSTD)));

Deno.bench("gzip -6 compress 32 MiB", { group: "compress" }, async () => {
  await drain(chunks(raw).pipeThrough(compressStream(GZIP)));
});
Deno.bench("gzip -1 compress 32 MiB", { group: "compress" }, async () => {
  await drain(chunks(raw).pipeThrough(compressStream(GZIP, { level: 1 })));
});
Deno.bench("zstd -3 compress 32 MiB", { group: "compress" }, async () => {
  await drain(chunks(raw).pipeThrough(compressStream(ZSTD)));
});
Deno.bench("gzip decompress 32 MiB", { group: "decompress" }, async () => {
  await drain(chunks(gzipped).pipeThrough(decompressStream(GZIP)));
});
Deno.bench("zstd decompress 32 MiB", { group: "decompress" }, async () => {
  await drain(chunks(zstded).pipeThrough(decompressStream(ZSTD)));
});
