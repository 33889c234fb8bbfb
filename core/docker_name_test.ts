import assert from "node:assert/strict";
import { InvalidReferenceError } from "./errors.ts";
import type { Digest } from "./types.ts";
import {
  type DockerName,
  familiarString,
  formatReference,
  isValidTag,
  parseNormalizedNamed,
  splitDockerDomain,
  withDefaultTag,
} from "./docker_name.ts";

const HEX = "0123456789abcdef".repeat(4);
const DIGEST = `sha256:${HEX}` as Digest;

Deno.test("parseNormalizedNamed() normalises names like distribution", () => {
  const cases: [string, string, string][] = [
    ["busybox", "docker.io/library/busybox", "busybox"],
    ["busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"],
    ["library/busybox", "docker.io/library/busybox", "busybox"],
    ["docker.io/busybox", "docker.io/library/busybox", "busybox"],
    ["index.docker.io/busybox", "docker.io/library/busybox", "busybox"],
    ["index.docker.io/a/b", "docker.io/a/b", "a/b"],
    ["acme/app", "docker.io/acme/app", "acme/app"],
    ["acme/team/app:v1", "docker.io/acme/team/app:v1", "acme/team/app:v1"],
    ["quay.io/a/b", "quay.io/a/b", "quay.io/a/b"],
    ["quay.io/b", "quay.io/b", "quay.io/b"],
    ["localhost/app", "localhost/app", "localhost/app"],
    ["localhost:5000/app:t", "localhost:5000/app:t", "localhost:5000/app:t"],
    ["127.0.0.1:5000/a/b", "127.0.0.1:5000/a/b", "127.0.0.1:5000/a/b"],
    ["Example.COM/a", "Example.COM/a", "Example.COM/a"],
    ["a.b-c.d/a__b/c-d/e---f/g.h_i", "a.b-c.d/a__b/c-d/e---f/g.h_i", ""],
    [`busybox@${DIGEST}`, `docker.io/library/busybox@${DIGEST}`, ""],
    [`x/y:tag@${DIGEST}`, `docker.io/x/y:tag@${DIGEST}`, ""],
    ["app:Tag_1.0-rc", "docker.io/library/app:Tag_1.0-rc", "app:Tag_1.0-rc"],
  ];
  for (const [input, full, familiar] of cases) {
    const name = parseNormalizedNamed(input);
    assert.equal(formatReference(name), full, input);
    if (familiar !== "") assert.equal(familiarString(name), familiar, input);
    // Normalised text parses back to the same parts.
    assert.deepEqual(parseNormalizedNamed(full), name, full);
  }
});

Deno.test("parseNormalizedNamed() splits domain, path, tag and digest", () => {
  assert.deepEqual(
    parseNormalizedNamed(`localhost:5000/a/b:1@${DIGEST}`),
    {
      domain: "localhost:5000",
      path: "a/b",
      tag: "1",
      digest: DIGEST,
    } satisfies DockerName,
  );
});

Deno.test("parseNormalizedNamed() rejects invalid names with skopeo's reasons", () => {
  const long = "a".repeat(240);
  const cases: [string, string][] = [
    [
      "127.0.0.1:1/Foo",
      "invalid reference format: repository name must be lowercase",
    ],
    ["UPPER/x", "invalid reference format: repository name must be lowercase"],
    [
      `foo@SHA256:${HEX}`,
      "invalid reference format: repository name must be lowercase",
    ],
    ["", "invalid reference format"],
    ["127.0.0.1:1/", "invalid reference format"],
    ["a//b", "invalid reference format"],
    ["a___b", "invalid reference format"],
    ["-a", "invalid reference format"],
    ["foo:-t", "invalid reference format"],
    [`foo:${"t".repeat(129)}`, "invalid reference format"],
    ["foo@sha256:abc", "invalid reference format"],
    ["host:port/x", "invalid reference format"],
    ["a b", "invalid reference format"],
    [`foo@sha256:${HEX}aa`, "invalid checksum digest length"],
    [`foo@sha256:${HEX.toUpperCase()}`, "invalid checksum digest format"],
    [`foo@md5:${HEX.slice(0, 40)}`, "unsupported digest algorithm"],
    [long, "repository name must not be more than 255 characters"],
    [
      HEX,
      `invalid repository name (${HEX}), cannot specify 64-byte hexadecimal strings`,
    ],
  ];
  for (const [input, reason] of cases) {
    assert.throws(() => parseNormalizedNamed(input), (e) => {
      assert.ok(e instanceof InvalidReferenceError, input);
      assert.equal(e.message, reason);
      assert.equal(e.input, input);
      return true;
    });
  }
  // The limit counts "docker.io/library/" too: 237 characters still fit.
  assert.equal(parseNormalizedNamed("a".repeat(237)).path.length, 245);
  assert.throws(() => parseNormalizedNamed("a".repeat(238)), /255/);
});

Deno.test("parseNormalizedNamed() names the given input in errors", () => {
  assert.throws(
    () => parseNormalizedNamed("Foo", { input: "docker://Foo" }),
    (e) => e instanceof InvalidReferenceError && e.input === "docker://Foo",
  );
});

Deno.test("splitDockerDomain() detects domains by '.', ':' or localhost", () => {
  assert.deepEqual(splitDockerDomain("a/b"), {
    domain: "docker.io",
    remainder: "a/b",
  });
  assert.deepEqual(splitDockerDomain("a.b/c"), {
    domain: "a.b",
    remainder: "c",
  });
  assert.deepEqual(splitDockerDomain("a:1/c"), {
    domain: "a:1",
    remainder: "c",
  });
  assert.deepEqual(splitDockerDomain("localhost/c"), {
    domain: "localhost",
    remainder: "c",
  });
  assert.deepEqual(splitDockerDomain("localhostx/c"), {
    domain: "docker.io",
    remainder: "localhostx/c",
  });
});

Deno.test("withDefaultTag() tags name-only references only", () => {
  assert.equal(withDefaultTag(parseNormalizedNamed("a")).tag, "latest");
  assert.equal(withDefaultTag(parseNormalizedNamed("a:1")).tag, "1");
  const digested = withDefaultTag(parseNormalizedNamed(`a@${DIGEST}`));
  assert.equal(digested.tag, undefined);
  assert.equal(digested.digest, DIGEST);
  assert.ok(isValidTag("v1.0_x-y"));
  assert.ok(!isValidTag(".v1"));
});

/** A small seeded PRNG so the property test is reproducible. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("parseNormalizedNamed() round-trips generated valid references", () => {
  const random = prng(42);
  const pick = <T>(items: readonly T[]): T =>
    items[Math.floor(random() * items.length)]!;
  const word = (alphabet: string, min: number, max: number): string => {
    const n = min + Math.floor(random() * (max - min + 1));
    let s = "";
    for (let i = 0; i < n; i++) s += pick([...alphabet]);
    return s;
  };
  const alnum = "abcdefghijklmnopqrstuvwxyz0123456789";
  const component = (): string => {
    let s = word(alnum, 1, 5);
    while (random() < 0.3) {
      s += pick([".", "_", "__", "-", "---"]) + word(alnum, 1, 4);
    }
    return s;
  };
  for (let i = 0; i < 2000; i++) {
    const domain = pick(["", "", "localhost", "reg.example.com", "h:5000"]);
    const path = Array.from(
      { length: 1 + Math.floor(random() * 3) },
      component,
    ).join("/");
    const tag = random() < 0.5 ? undefined : word(alnum + "_", 1, 1) +
      word(alnum + "ABC_.-", 0, 10);
    const digest = random() < 0.3
      ? `sha256:${word("0123456789abcdef", 64, 64)}`
      : undefined;
    const text = (domain ? `${domain}/` : "") + path +
      (tag ? `:${tag}` : "") + (digest ? `@${digest}` : "");
    const parsed = parseNormalizedNamed(text);
    assert.equal(parsed.tag, tag, text);
    assert.equal(parsed.digest, digest, text);
    assert.deepEqual(parseNormalizedNamed(formatReference(parsed)), parsed);
    assert.deepEqual(parseNormalizedNamed(familiarString(parsed)), parsed);
  }
});

Deno.test("parseNormalizedNamed() fails fast on hostile input", () => {
  // Patterns that make backtracking engines explode must stay linear.
  const started = performance.now();
  for (
    const text of [
      "a".repeat(5000) + "!",
      "a-".repeat(3000) + "!",
      "a.".repeat(3000) + "/!",
      "a" + "-a".repeat(3000) + ":",
    ]
  ) {
    assert.throws(() => parseNormalizedNamed(text), InvalidReferenceError);
  }
  assert.ok(performance.now() - started < 1000);
});
