import assert from "node:assert/strict";
import { parseBenchArgs, selectScenarios } from "./main.ts";
import { SCENARIOS } from "./scenarios.ts";

const noEnv = (): undefined => undefined;

Deno.test("parseBenchArgs() defaults to the full image and 5 runs", () => {
  assert.deepEqual(parseBenchArgs([], noEnv), {
    size: "full",
    runs: 5,
    maxSeconds: 300,
    rebuild: false,
  });
});

Deno.test("parseBenchArgs() defaults to small and 3 runs under CI", () => {
  const options = parseBenchArgs([], (n) => n === "CI" ? "true" : undefined);
  assert.equal(options?.size, "small");
  assert.equal(options?.runs, 3);
});

Deno.test("parseBenchArgs() lets flags override BENCH_SIZE", () => {
  const env = (n: string): string | undefined =>
    n === "BENCH_SIZE" ? "small" : undefined;
  assert.equal(parseBenchArgs([], env)?.size, "small");
  assert.equal(parseBenchArgs(["--size", "full"], env)?.size, "full");
});

Deno.test("parseBenchArgs() reads runs, json, scenarios and cache", () => {
  assert.deepEqual(
    parseBenchArgs([
      "--runs=2",
      "--json",
      "out.json",
      "--only",
      "oci-dir, recopy",
      "--cache-dir",
      "/c",
      "--rebuild",
    ], noEnv),
    {
      size: "full",
      runs: 2,
      maxSeconds: 300,
      rebuild: true,
      json: "out.json",
      only: ["oci-dir", "recopy"],
      cacheDir: "/c",
    },
  );
});

Deno.test("parseBenchArgs() rejects bad sizes, counts and scenario ids", () => {
  assert.throws(() => parseBenchArgs(["--size", "giant"], noEnv), TypeError);
  assert.throws(() => parseBenchArgs(["--runs", "0"], noEnv), TypeError);
  assert.throws(() => parseBenchArgs(["--runs", "1.5"], noEnv), TypeError);
  assert.throws(() => parseBenchArgs(["--only", "nope"], noEnv), TypeError);
  assert.throws(() => parseBenchArgs(["--bogus"], noEnv));
});

Deno.test("selectScenarios() runs only the archive rows on the huge image", () => {
  const huge = selectScenarios({ size: "huge" }).map((s) => s.id);
  assert.deepEqual(huge, [
    "oci-docker-archive",
    "docker-archive-dir",
    "docker-archive-oci",
    "oci-oci-archive",
    "oci-archive-dir",
  ]);
  assert.equal(parseBenchArgs(["--size", "huge"], noEnv)?.size, "huge");
  assert.equal(selectScenarios({ size: "full" }).length, SCENARIOS.length);
  assert.deepEqual(
    selectScenarios({ size: "huge", only: ["oci-dir", "zstd"] }).map((s) =>
      s.id
    ),
    ["oci-dir", "zstd"],
  );
});
