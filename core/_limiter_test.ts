import assert from "node:assert/strict";
import { Limiter } from "./_limiter.ts";

Deno.test("Limiter.run() never runs more tasks than its slots", async () => {
  const limiter = new Limiter(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  await Promise.all(
    [0, 1, 2, 3, 4].map((i) =>
      limiter.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        order.push(i);
        running--;
      })
    ),
  );
  assert.equal(peak, 2);
  assert.equal(order.length, 5);
});

Deno.test("Limiter.run() rejects a waiter whose signal aborts", async () => {
  const limiter = new Limiter(1);
  let release!: () => void;
  const first = limiter.run(() => new Promise<void>((r) => (release = r)));
  const controller = new AbortController();
  const second = limiter.run(() => Promise.resolve("ran"), controller.signal);
  controller.abort(new Error("stop"));
  await assert.rejects(second, /stop/);
  release();
  await first;
  assert.equal(await limiter.run(() => Promise.resolve(7)), 7);
});
