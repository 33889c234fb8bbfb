import assert from "node:assert/strict";
import {
  compareSemVer,
  filterTagsBySemVer,
  parseSemVer,
  parseSemVerRange,
} from "./semver.ts";

function matches(constraint: string, version: string): boolean {
  return parseSemVerRange(constraint).test(parseSemVer(version)!);
}

Deno.test("parseSemVer() accepts lenient tags and rejects others", () => {
  assert.deepEqual(parseSemVer("v1.2"), {
    major: 1,
    minor: 2,
    patch: 0,
    prerelease: [],
  });
  assert.deepEqual(parseSemVer("1.2.3-rc.1+build.5")?.prerelease, ["rc", "1"]);
  for (const bad of ["latest", "1.2.3.4", "1..2", "", "v", "1.2-"]) {
    assert.equal(parseSemVer(bad), undefined, bad);
  }
});

Deno.test("compareSemVer() follows SemVer precedence", () => {
  const ordered = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.10.0",
    "2.0.0",
  ].map((v) => parseSemVer(v)!);
  for (let i = 1; i < ordered.length; i++) {
    assert.equal(compareSemVer(ordered[i - 1]!, ordered[i]!), -1);
    assert.equal(compareSemVer(ordered[i]!, ordered[i - 1]!), 1);
  }
  assert.equal(compareSemVer(parseSemVer("1.2")!, parseSemVer("v1.2.0")!), 0);
});

Deno.test("parseSemVerRange() implements the operators", () => {
  const cases: [string, string, boolean][] = [
    [">= 1.2.0", "1.2.0", true],
    [">=1.2.0", "1.1.9", false],
    [">1.2.0", "1.2.0", false],
    [">1.2", "1.2.9", false],
    [">1.2", "1.3.0", true],
    ["<1.2", "1.1.9", true],
    ["<1.2", "1.2.0", false],
    ["<=1.2", "1.2.9", true],
    ["<=1.2.3", "1.2.4", false],
    ["=1.2.3", "1.2.3", true],
    ["1.2.x", "1.2.7", true],
    ["1.2.x", "1.3.0", false],
    ["!=1.2.3", "1.2.3", false],
    ["!=1.2.x", "1.4.0", true],
    ["~1.2.3", "1.2.9", true],
    ["~1.2.3", "1.3.0", false],
    ["~1", "1.9.9", true],
    ["^1.2.3", "1.9.0", true],
    ["^1.2.3", "2.0.0", false],
    ["^0.2.3", "0.2.9", true],
    ["^0.2.3", "0.3.0", false],
    ["^0.0.3", "0.0.4", false],
    ["*", "7.0.0", true],
    [">=1.0, <2.0", "1.5.0", true],
    [">=1.0 <2.0", "2.0.0", false],
    ["<1.0 || >=3", "3.1.0", true],
    ["<1.0 || >=3", "2.0.0", false],
    ["1.2 - 1.4.5", "1.4.5", true],
    ["1.2 - 1.4.5", "1.4.6", false],
    ["1.2 - 1.4", "1.4.9", true],
    [">=1.0.0", "1.5.0-rc.1", false],
    [">=1.0.0-0", "1.5.0-rc.1", true],
  ];
  for (const [constraint, version, expected] of cases) {
    assert.equal(
      matches(constraint, version),
      expected,
      `${constraint} ${version}`,
    );
  }
});

Deno.test("parseSemVerRange() rejects malformed constraints", () => {
  for (const bad of ["", ">=", "1.2.3.4", ">= a", "|| 1"]) {
    assert.throws(() => parseSemVerRange(bad), /improper constraint/, bad);
  }
});

Deno.test("filterTagsBySemVer() keeps matching version tags in order", () => {
  assert.deepEqual(
    filterTagsBySemVer(
      ["latest", "v1.2.0", "1.3.1", "2.0.0", "1.4.0-rc1", "main"],
      ">=1.2 <2",
    ),
    ["v1.2.0", "1.3.1"],
  );
});
