import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import {
  filterTagNames,
  hasTagFilters,
  parseSyncDuration,
  parseTagFilters,
} from "./filters.ts";

const TAGS = [
  "0.9.0",
  "1.0.0",
  "1.2.0",
  "1.10.0",
  "2.0.0-rc.1",
  "2.0.0",
  "latest",
];

Deno.test("parseSyncDuration() reads Go durations, days and weeks", () => {
  assert.equal(parseSyncDuration("90m"), 90 * 60_000);
  assert.equal(parseSyncDuration("1h30m"), 90 * 60_000);
  assert.equal(parseSyncDuration("1.5h"), 90 * 60_000);
  assert.equal(parseSyncDuration("2w1d"), 15 * 86_400_000);
  assert.equal(parseSyncDuration("250ms"), 250);
});

Deno.test("parseSyncDuration() rejects text that is not a positive duration", () => {
  for (const text of ["", "5", "h", "3 days", "-1h", "0s", "1y"]) {
    assert.throws(() => parseSyncDuration(text), UsageError, text);
  }
});

Deno.test("parseTagFilters() checks expressions and ranges before any request", () => {
  assert.throws(
    () => parseTagFilters({ includeRegex: "(" }),
    /invalid --include-tag-regex/,
  );
  assert.throws(
    () => parseTagFilters({ semver: "not a range" }),
    /invalid --include-semver/,
  );
  assert.throws(() => parseTagFilters({ newerThan: "soon" }), /--newer-than/);
  assert.equal(hasTagFilters(parseTagFilters({})), false);
  assert.equal(hasTagFilters(parseTagFilters({ newerThan: "1h" })), true);
});

Deno.test("filterTagNames() matches regexes unanchored, as the YAML key", () => {
  const filters = parseTagFilters({ includeRegex: "\\.0$" });
  assert.deepEqual(filterTagNames(TAGS, filters), [
    "0.9.0",
    "1.0.0",
    "1.2.0",
    "1.10.0",
    "2.0.0",
  ]);
});

Deno.test("filterTagNames() combines include, exclude and semver", () => {
  const filters = parseTagFilters({
    includeRegex: "^[0-9]",
    excludeRegex: "^1\\.2",
    semver: ">=1.0.0",
  });
  assert.deepEqual(filterTagNames(TAGS, filters), ["1.0.0", "1.10.0", "2.0.0"]);
});
