import assert from "node:assert/strict";
import type { Digest } from "../types.ts";
import { syncSummary } from "./summary.ts";
import type { SyncResult } from "./sync_images.ts";

const D = `sha256:${"d".repeat(64)}` as Digest;

function result(): SyncResult {
  return {
    images: 2,
    skipped: 1,
    sources: 1,
    failures: [],
    bytes: 300,
    blobs: { linked: 1, copiedLocally: 0, waited: 0 },
    records: [
      {
        source: "a",
        destination: "A",
        status: "copied",
        digest: D,
        bytes: 300,
      },
      {
        source: "b",
        destination: "B",
        status: "skipped",
        reason: "already present at destination",
        digest: D,
        bytes: 0,
      },
      {
        source: "c",
        destination: "C",
        status: "failed",
        reason: "boom",
        bytes: 0,
      },
    ],
  };
}

Deno.test("syncSummary() sorts images by outcome, with reasons", () => {
  const summary = syncSummary(result(), undefined, {
    durationMs: 41.6,
    shard: "1/2",
  });
  assert.equal(summary.success, false, "a failed image fails the summary");
  assert.equal(summary.error, undefined);
  assert.deepEqual(summary.counts, { copied: 1, skipped: 1, failed: 1 });
  assert.equal(summary.bytesMoved, 300);
  assert.equal(summary.durationMs, 42);
  assert.equal(summary.shard, "1/2");
  assert.deepEqual(summary.failed, [
    { source: "c", destination: "C", reason: "boom" },
  ]);
  assert.equal(summary.skipped[0]!.reason, "already present at destination");
  assert.equal(summary.planned, undefined);
});

Deno.test("syncSummary() reports an error and planned images of a dry run", () => {
  const planned: SyncResult = {
    ...result(),
    records: [{ source: "p", destination: "P", status: "planned", bytes: 0 }],
  };
  const summary = syncSummary(planned, new Error("stopped"), { durationMs: 1 });
  assert.equal(summary.success, false);
  assert.equal(summary.error, "stopped");
  assert.equal(summary.counts.planned, 1);
  assert.deepEqual(summary.planned, [{ source: "p", destination: "P" }]);
  assert.equal(JSON.parse(JSON.stringify(summary)).error, "stopped");
});
