import assert from "node:assert/strict";
import { markdownTable, type ScenarioResult, summarize } from "./report.ts";

Deno.test("summarize() takes the middle value of an odd count", () => {
  const stats = summarize([30, 10, 20]);
  assert.deepEqual(stats, {
    median: 20,
    min: 10,
    max: 30,
    samples: [30, 10, 20],
  });
});

Deno.test("summarize() averages the two middle values of an even count", () => {
  assert.equal(summarize([4, 1, 3, 2]).median, 2.5);
});

Deno.test("summarize() rejects an empty set", () => {
  assert.throws(() => summarize([]), RangeError);
});

Deno.test("markdownTable() shows medians, ranges, ratio and failures", () => {
  const results: ScenarioResult[] = [
    {
      id: "a",
      title: "copy a",
      skopeo: { wall: summarize([200, 100, 300]) },
      ours: { wall: summarize([50, 150, 100]) },
      ratio: 0.5,
    },
    {
      id: "b",
      title: "copy b",
      skopeo: { wall: summarize([10]) },
      failure: "results differ: x | y",
    },
  ];
  const lines = markdownTable(results).trimEnd().split("\n");
  assert.equal(lines.length, 4);
  assert.equal(
    lines[2],
    "| copy a | 3 | 200 (100–300) | 100 (50.0–150) | 0.50 | same result |",
  );
  assert.equal(
    lines[3],
    "| copy b | 0 | 10.0 (10.0–10.0) | — | — | FAILED: results differ: x \\| y |",
  );
});

Deno.test("markdownTable() adds CPU and memory when measured", () => {
  const text = markdownTable([{
    id: "a",
    title: "copy a",
    skopeo: {
      wall: summarize([100]),
      cpu: summarize([40]),
      rssMb: summarize([20]),
    },
    ours: {
      wall: summarize([100]),
      cpu: summarize([60]),
      rssMb: summarize([50]),
    },
    ratio: 1,
  }]);
  assert.ok(text.includes("| copy a | 40 | 60 | 1.50 | 20.0 | 50.0 |"), text);
});
