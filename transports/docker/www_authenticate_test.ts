import assert from "node:assert/strict";
import {
  type AuthChallenge,
  formatWwwAuthenticate,
  parseWwwAuthenticate,
} from "./www_authenticate.ts";

Deno.test("parseWwwAuthenticate() reads registry challenges", () => {
  const cases: [string, AuthChallenge[]][] = [
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
      [{
        scheme: "bearer",
        params: {
          realm: "https://auth.docker.io/token",
          service: "registry.docker.io",
          scope: "repository:library/busybox:pull",
        },
      }],
    ],
    ['Basic realm="test"', [{ scheme: "basic", params: { realm: "test" } }]],
    ["Basic", [{ scheme: "basic", params: {} }]],
    [
      'Basic realm="a", Bearer realm="b" , service=svc',
      [
        { scheme: "basic", params: { realm: "a" } },
        { scheme: "bearer", params: { realm: "b", service: "svc" } },
      ],
    ],
    [
      'BEARER Realm = "x\\"y\\\\z", error="insufficient_scope"',
      [{
        scheme: "bearer",
        params: { realm: 'x"y\\z', error: "insufficient_scope" },
      }],
    ],
    [
      'Bearer realm="a,b", scope="repository:a/b:pull,push"',
      [{
        scheme: "bearer",
        params: { realm: "a,b", scope: "repository:a/b:pull,push" },
      }],
    ],
    [
      "Negotiate abc/+def==, Basic realm=r",
      [
        { scheme: "negotiate", params: {}, token68: "abc/+def==" },
        { scheme: "basic", params: { realm: "r" } },
      ],
    ],
    ["", []],
    [" , ,", []],
  ];
  for (const [header, expected] of cases) {
    assert.deepEqual(parseWwwAuthenticate(header), expected, header);
  }
});

Deno.test("parseWwwAuthenticate() survives malformed headers", () => {
  for (
    const header of [
      'Bearer realm="unterminated',
      "Bearer =x",
      'Bearer realm="a" junk, service="s"',
      "Bearer realm=, service",
      "@@@ ###",
      "Bearer realm",
      '"',
      "\\",
    ]
  ) {
    const parsed = parseWwwAuthenticate(header);
    assert.ok(Array.isArray(parsed), header);
  }
  assert.deepEqual(
    parseWwwAuthenticate('Bearer realm="a" junk, service="s"')[0]!.params,
    { realm: "a", service: "s" },
  );
  assert.deepEqual(
    parseWwwAuthenticate('Bearer realm="unterminated')[0]!.params,
    { realm: "unterminated" },
  );
});

function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("parseWwwAuthenticate() fuzz: random input never throws and stays fast", () => {
  const random = prng(7);
  const alphabet = ' \t,="\\abcXYZ019=/+-_.:;@!';
  const started = performance.now();
  for (let i = 0; i < 5000; i++) {
    let s = "";
    const n = Math.floor(random() * 60);
    for (let j = 0; j < n; j++) {
      s += alphabet[Math.floor(random() * alphabet.length)];
    }
    const parsed = parseWwwAuthenticate(s);
    for (const c of parsed) {
      assert.match(c.scheme, /^[!#$%&'*+\-.^_`|~0-9a-z]+$/, s);
    }
  }
  assert.ok(parseWwwAuthenticate("a".repeat(100_000) + '="').length === 1);
  assert.ok(performance.now() - started < 3000);
});

Deno.test("parseWwwAuthenticate() fuzz: formatted challenges round-trip", () => {
  const random = prng(11);
  const pick = (s: string, min: number, max: number): string => {
    let out = "";
    const n = min + Math.floor(random() * (max - min + 1));
    for (let i = 0; i < n; i++) out += s[Math.floor(random() * s.length)];
    return out;
  };
  const tokenChars = "abcdefghijklmnopqrstuvwxyz0123456789-_.";
  const valueChars = tokenChars + ' ,="\\:/=';
  for (let i = 0; i < 2000; i++) {
    const challenges: AuthChallenge[] = [];
    const count = 1 + Math.floor(random() * 3);
    for (let c = 0; c < count; c++) {
      const params: Record<string, string> = {};
      const n = Math.floor(random() * 4);
      for (let p = 0; p < n; p++) {
        const name = pick(tokenChars, 1, 8);
        if (!(name in params)) params[name] = pick(valueChars, 0, 20);
      }
      challenges.push({ scheme: pick(tokenChars, 1, 8), params });
    }
    const header = formatWwwAuthenticate(challenges);
    assert.deepEqual(parseWwwAuthenticate(header), challenges, header);
  }
});
