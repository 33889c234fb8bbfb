import assert from "node:assert/strict";
import { isMap, isScalar, isSeq, type Node, parseDocument } from "yaml";
import { mulberry32 } from "../../tests/support/random_image.ts";
import { type QuickNode, readQuickYaml } from "./_quick_yaml.ts";
import { parseSourceConfig } from "./source_config.ts";

/** The quick reader's tree as plain data, to compare with npm:yaml's. */
function plain(node: QuickNode): unknown {
  if (node === null) return null;
  if (Array.isArray(node)) return node.map(plain);
  if (node instanceof Map) {
    return Object.fromEntries([...node].map(([k, v]) => [k, plain(v)]));
  }
  return node.bool ?? node.text;
}

/** npm:yaml's reading of `text` in the same form (plain scalars as text). */
function fullPlain(text: string): unknown {
  const convert = (node: Node | null): unknown => {
    if (node === null) return null;
    if (isMap(node)) {
      return Object.fromEntries(
        node.items.map((pair) => [
          convert(pair.key as Node),
          convert(pair.value as Node | null),
        ]),
      );
    }
    if (isSeq(node)) return node.items.map((item) => convert(item as Node));
    if (!isScalar(node)) throw new Error("unexpected node");
    const value = node.value;
    if (value === null || typeof value === "boolean") return value;
    return typeof value === "string" ? value : String(node.source);
  };
  const document = parseDocument(text);
  assert.deepEqual(document.errors, []);
  return convert(document.contents as Node | null);
}

Deno.test("readQuickYaml() reads the common sync file shape", () => {
  const text = [
    "# sync sources",
    "registry.example.com:5000:",
    "  images:",
    "    busybox: []",
    "    'app':   # trailing comment",
    "    - 1.10",
    '    - "sha256:abc"',
    "    all:",
    "",
    "  images-by-tag-regex:",
    "      nginx: ^1\\.13\\.[12]-alpine-perl$ # regex",
    "  credentials: {}",
    '  cert-dir: "C:\\\\certs\\/x"',
    "  tls-verify: False",
    "quay.io:",
  ].join("\n");
  const read = readQuickYaml(text);
  assert.ok(read !== undefined);
  assert.deepEqual(plain(read), {
    "registry.example.com:5000": {
      images: { busybox: [], app: ["1.10", "sha256:abc"], all: null },
      "images-by-tag-regex": { nginx: "^1\\.13\\.[12]-alpine-perl$" },
      credentials: {},
      "cert-dir": "C:\\certs/x",
      "tls-verify": false,
    },
    "quay.io": null,
  });
  assert.deepEqual(plain(read), fullPlain(text));
});

Deno.test("readQuickYaml() keeps plain scalars' text and types booleans", () => {
  const read = readQuickYaml("a:\n- 1.10\n- 0x1F\n- TRUE\n- ~\n- it's\n");
  assert.ok(read instanceof Map);
  assert.deepEqual(read.get("a"), [
    { text: "1.10" },
    { text: "0x1F" },
    { text: "TRUE", bool: true },
    null,
    { text: "it's" },
  ]);
  assert.equal(readQuickYaml(""), null);
  assert.equal(readQuickYaml("# only a comment\n\n"), null);
});

Deno.test("readQuickYaml() reads one-line flow sequences of scalars", () => {
  const cases: [string, unknown][] = [
    ["a: []", []],
    ["a: [ ]", []],
    ['a: [latest, "1.36"]', ["latest", "1.36"]],
    ["a: ['3.18', 3.19] # c", ["3.18", "3.19"]],
    ["a: [ b ]", ["b"]],
    ["a: [b , c]", ["b", "c"]],
    ["a: [b,c,]", ["b", "c"]],
    ["a: [b  c, d e ,]", ["b  c", "d e"]],
    ["a: [sha256:abc, a:b, a'b, a\"b, a!b]", [
      "sha256:abc",
      "a:b",
      "a'b",
      'a"b',
      "a!b",
    ]],
    ["a: ['it''s', \"q\\\"\\/\", '']", ["it's", 'q"/', ""]],
    ["a: [~, null, TRUE, false]", [null, null, true, false]],
    ["- [b]\n- []", null],
  ];
  for (const [text, expected] of cases) {
    const read = readQuickYaml(text);
    assert.ok(read !== undefined, text);
    const full = fullPlain(text);
    assert.deepEqual(plain(read), full, text);
    if (expected !== null) assert.deepEqual(full, { a: expected }, text);
  }
});

Deno.test("readQuickYaml() is not sure about anything outside its subset", () => {
  for (
    const text of [
      "a:\n\tb: c", // tab
      "a: &x b\nc: *x", // anchor, alias
      "a: !!str b", // tag
      "a: |\n  b", // block scalar
      "a: >\n  b", // folded scalar
      "a: {b: c}", // flow mapping with content
      "a: [[b]]", // nested flow
      "a: [b, {c}]",
      "a: [b: c]", // single-pair mapping in a flow sequence
      "a: [b:]",
      'a: ["b":c]',
      "a: [b, , c]", // empty item
      "a: [,]",
      "a: [, b]",
      "a: [b #c]", // comment inside
      "a: [b#c]",
      "a: [b]#c", // comment without a space
      "a: [b] c",
      "a: [b", // unterminated or multi-line
      "a: [b,\n  c]",
      "a: ['b' c]",
      "a: [-b]", // indicator first
      "a: [?b]",
      "a: [&x b]",
      "a: [!t b]",
      "a: [*x]",
      'a: ["\\x41"]',
      "a: b\na: c", // duplicate key
      "1.0: a\n1.00: b", // number keys (duplicates for npm:yaml)
      "true: a",
      "~: a",
      "? a\n: b", // complex key
      "---\na: b", // document marker
      "a: b\n...",
      "%YAML 1.2\n---\na: b", // directive
      "a: b\n  c", // multi-line plain scalar
      'a: "b\n  c"', // multi-line quoted scalar
      "a: b: c", // nested compact mapping
      "a: 'b' c",
      'a: "\\x41"', // escape outside the supported set
      "a: é", // non-ASCII
      "a: b\r\n", // CR
      "a:b", // not a mapping entry
      "a: -b",
      "- a\nb: c", // sequence then mapping at one indent
      "a:\n  b: c\n d: e", // bad indentation
      "a: b #c\n  d: e",
      `${"k".repeat(1100)}: v`, // key over npm:yaml's 1024 limit
    ]
  ) {
    assert.equal(readQuickYaml(text), undefined, JSON.stringify(text));
  }
});

const KEYS = [
  "quay.io",
  "127.0.0.1:5000",
  "10.0.0.1",
  "registry.example.com:5000",
  "Bad Host",
  "a[b]",
  "x#y",
  "a #b",
  "true",
  "~",
  "1.0",
  "1.00",
  "0x10",
  "-k",
  "<<",
  "k'q",
  'k"q',
  "",
];
const SCALARS = [
  "latest",
  "v1.2.3",
  "1.10",
  "1.0",
  "10",
  "-3",
  "+7",
  "0x1F",
  "0o17",
  "017",
  "1e3",
  "1.5E-2",
  ".5",
  "5.",
  ".inf",
  "-.Inf",
  ".nan",
  "yes",
  "no",
  "on",
  "True",
  "TRUE",
  "tRUE",
  "false",
  "FALSE",
  "null",
  "Null",
  "NULL",
  "nULL",
  "~",
  "",
  "2001-12-14",
  "sha256:abc",
  "a: b",
  "a:b",
  "a:",
  "a #b",
  "a#b",
  "-x",
  "- x",
  "?x",
  ":x",
  "[x]",
  "{x}",
  "x]",
  "x,y",
  "x ,y",
  "x, y",
  "a :b",
  "a::b",
  "http://h/p?q=1",
  "a]b",
  "a  b",
  "'q'",
  '"q"',
  "a'b",
  'a"b',
  "\\d+",
  "^1\\.13\\.[12]-alpine-perl$",
  ">= 6.0",
  "^1 || 2.x",
  "!tag",
  "&a",
  "*a",
  "|",
  ">",
  "%x",
  "@x",
  "`x",
  "<<",
  "...",
  "---",
  "C:\\dir/x",
  "é",
  "a\tb",
  "p w",
];
const REGISTRY_KEYS = [
  "images",
  "images-by-tag-regex",
  "images-by-semver",
  "credentials",
  "tls-verify",
  "cert-dir",
];

/** Random sync-shaped YAML text: random quoting, comments and indents. */
function syncText(random: () => number): string {
  const pick = <T>(items: readonly T[]): T =>
    items[Math.floor(random() * items.length)]!;
  const chance = (p: number): boolean => random() < p;
  // Half the texts are tame (what people write), half use odd input often.
  const wild = chance(0.5);
  const odd = (p: number): boolean => wild && chance(p);
  const quote = (text: string): string => {
    const r = random();
    if (r < 0.6) return text;
    if (r < 0.8) return `'${text.replaceAll("'", "''")}'`;
    const escaped = text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')
      .replaceAll("\t", chance(0.5) ? "\\t" : "\t").replaceAll(
        "/",
        chance(0.3) ? "\\/" : "/",
      );
    return `"${odd(0.1) ? escaped + "\\n" : escaped}"`;
  };
  const scalar = (): string =>
    odd(0.2) ? pick(SCALARS) : pick(["latest", "1.10", "v2", "sha256:abc"]);
  const hostKey = (): string =>
    odd(0.2)
      ? pick(KEYS)
      : pick(["quay.io", "127.0.0.1:5000", "r.example:5000", "ghcr.io", "a.b"]);
  const comment = (): string =>
    odd(0.1) ? pick([" #", "#x", "  #: a"]) : chance(0.1) ? " # note" : "";
  const trailing = (): string =>
    odd(0.05) ? "\t" : chance(0.1) ? pick([" ", "  "]) : "";
  const colon = (): string => chance(0.05) ? " :" : ":";
  const lines: string[] = [];
  const push = (indent: number, text: string): void => {
    lines.push(" ".repeat(Math.max(0, indent)) + text + trailing());
    if (chance(0.05)) lines.push(chance(0.5) ? "" : "  # comment line");
  };
  /** `key:` + an inline value, or a block of `children` on the next lines. */
  const entry = (
    indent: number,
    key: string,
    empty: string,
    children: (indent: number) => void,
  ): void => {
    const step = pick([1, 2, 2, 2, 3, 4]);
    const r = random();
    if (r < 0.06) push(indent, `${quote(key)}${colon()}${comment()}`);
    else if (r < 0.12) {
      push(
        indent,
        `${quote(key)}${colon()} ${
          wild ? pick(["[]", "{}", "[ ]", "[x]"]) : empty
        }`,
      );
    } else if (r < 0.16 && wild) {
      push(indent, `${quote(key)}${colon()} ${quote(scalar())}${comment()}`);
    } else {
      push(indent, `${quote(key)}${colon()}${comment()}`);
      children(indent + step);
    }
  };
  /** A one-line flow sequence: random items, quoting, spacing and commas. */
  const flowList = (): string => {
    const space = (): string => pick(["", "", " ", " ", "  "]);
    const parts: string[] = [];
    for (let n = Math.floor(random() * 4); n > 0; n--) {
      const item = odd(0.05)
        ? pick(["", "[x]", "{}", "a: b", "a:", "#x", "- x"])
        : quote(scalar());
      parts.push(space() + item + space());
    }
    const comma = parts.length > 0 && chance(0.2) ? "," + space() : "";
    return `[${parts.join(",")}${comma}${odd(0.05) ? "," : ""}${space()}]`;
  };
  const items = (indent: number, sameIndent: number): void => {
    const at = chance(0.3) ? sameIndent : indent;
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      const item = odd(0.05) ? flowList() : quote(scalar());
      push(at, `-${pick([" ", " ", "  "])}${item}${comment()}`);
    }
  };
  if (chance(0.1)) lines.push("# sync file");
  // Tame texts repeat no key in a mapping (npm:yaml rejects duplicates).
  const fresh = (used: Set<string>, key: string): boolean =>
    wild || (!used.has(key) && used.add(key) !== undefined);
  const hosts = new Set<string>();
  for (let r = Math.floor(random() * 4); r >= 0; r--) {
    const host = hostKey();
    if (!fresh(hosts, host)) continue;
    entry(0, host, "{}", (indent) => {
      const keys = REGISTRY_KEYS.filter(() => chance(0.5));
      if (odd(0.1)) keys.push(pick(["image", "images", "username"]));
      for (const key of keys) {
        if (!wild && (key === "tls-verify" || key === "cert-dir")) {
          const value = key === "tls-verify"
            ? pick(["true", "false", "True", "FALSE"])
            : quote(pick(["/certs", "C:\\certs", "d"]));
          push(indent, `${quote(key)}${colon()} ${value}${comment()}`);
          continue;
        }
        entry(indent, key, "{}", (inner) => {
          const names = new Set<string>();
          for (let n = Math.floor(random() * 3); n >= 0; n--) {
            const name = key === "credentials"
              ? odd(0.2) ? "user" : pick(["username", "password"])
              : chance(0.5)
              ? pick([
                "busybox",
                "a/b",
                "app",
                "ns/x",
                "u/v/w",
                "y",
                "z9",
                "c-d",
              ])
              : hostKey();
            if (!fresh(names, name)) continue;
            if (key === "images" && chance(0.3)) {
              push(inner, `${quote(name)}${colon()} ${flowList()}${comment()}`);
            } else if (key === "images" && !odd(0.3)) {
              entry(inner, name, "[]", (deeper) => items(deeper, inner));
            } else {
              push(
                inner,
                `${quote(name)}${colon()} ${quote(scalar())}${comment()}`,
              );
            }
          }
        });
      }
    });
  }
  if (odd(0.1)) {
    // A stray indentation change somewhere.
    const i = Math.floor(random() * lines.length);
    lines[i] = (chance(0.5) ? " " : "") + lines[i]!.replace(/^ /, "");
  }
  return lines.join("\n") + (chance(0.8) ? "\n" : "");
}

/** The result or the error message of one parse. */
async function outcome(
  text: string,
  fastPath: boolean,
): Promise<unknown> {
  try {
    return await parseSourceConfig(text, "sync.yaml", { fastPath });
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

Deno.test("parseSourceConfig() answers the same with and without the fast path", async () => {
  const seedText = Deno.env.get("FUZZ_SEED");
  const seed = seedText === undefined
    ? Math.floor(Math.random() * 2 ** 31)
    : Number(seedText);
  console.log(`FUZZ_SEED=${seed}`);
  const next = mulberry32(seed);
  const random = (): number => next() / 2 ** 32;
  const seen = { quick: 0, flow: 0, valid: 0, total: 0 };
  const deadline = performance.now() + 1500;
  while (seen.total < 3000 && performance.now() < deadline) {
    const text = syncText(random);
    const fast = await outcome(text, true);
    const full = await outcome(text, false);
    assert.deepEqual(
      fast,
      full,
      `FUZZ_SEED=${seed} text ${JSON.stringify(text)}`,
    );
    const read = readQuickYaml(text);
    if (read !== undefined) {
      seen.quick++;
      if (/\[ *[^\] ]/.test(text)) seen.flow++;
      // Whatever the reader answers is what npm:yaml reads, too.
      assert.deepEqual(
        plain(read),
        fullPlain(text),
        `FUZZ_SEED=${seed} text ${JSON.stringify(text)}`,
      );
    }
    if (Array.isArray(full)) seen.valid++;
    seen.total++;
  }
  console.log(JSON.stringify(seen));
  // The generator must reach the fast path and both outcomes often.
  assert.ok(seen.quick > seen.total / 5, JSON.stringify(seen));
  assert.ok(seen.flow > seen.total / 20, JSON.stringify(seen));
  assert.ok(seen.valid > seen.total / 10, JSON.stringify(seen));
});

Deno.test("parseSourceConfig() reads every odd scalar alike on both paths", async () => {
  const quoted = (text: string): string[] => [
    text,
    `'${text.replaceAll("'", "''")}'`,
    `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`,
  ];
  const places = [
    (s: string) => `r:\n  images:\n    app:\n    - ${s}\n`,
    (s: string) => `r:\n  images:\n    app: [${s}]\n`,
    (s: string) => `r:\n  images:\n    app: [ x ,${s} , ] # c\n`,
    (s: string) => `r:\n  images:\n    app:\n    - [${s},x]\n`,
    (s: string) => `r:\n  images-by-tag-regex:\n    app: ${s} # c\n`,
    (s: string) => `r:\n  cert-dir: ${s}\n`,
    (s: string) => `r:\n  tls-verify: ${s}\n`,
    (s: string) => `r:\n  credentials:\n    username: ${s}\n`,
    (s: string) => `r:\n  images:\n    ${s}: []\n`,
    (s: string) => `${s}:\n  images: {}\n`,
  ];
  let quick = 0;
  for (const text of new Set([...SCALARS, ...KEYS])) {
    for (const written of quoted(text)) {
      for (const place of places) {
        const yaml = place(written);
        const read = readQuickYaml(yaml);
        if (read !== undefined) {
          quick++;
          assert.deepEqual(plain(read), fullPlain(yaml), JSON.stringify(yaml));
        }
        assert.deepEqual(
          await outcome(yaml, true),
          await outcome(yaml, false),
          JSON.stringify(yaml),
        );
      }
    }
  }
  assert.ok(quick > 500, `only ${quick} read by the fast path`);
});
