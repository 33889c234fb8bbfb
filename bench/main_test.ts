import assert from "node:assert/strict";
import { parseBenchArgs } from "./main.ts";

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
  assert.throws(() => parseBenchArgs(["--size", "huge"], noEnv), TypeError);
  assert.throws(() => parseBenchArgs(["--runs", "0"], noEnv), TypeError);
  assert.throws(() => parseBenchArgs(["--runs", "1.5"], noEnv), TypeError);
  assert.throws(() => parseBenchArgs(["--only", "nope"], noEnv), TypeError);
  assert.throws(() => parseBenchArgs(["--bogus"], noEnv));
});
