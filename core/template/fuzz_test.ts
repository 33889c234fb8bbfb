/**
 * Brief fuzzing of the lexer, parser and executor: random and mutated
 * templates must either render or throw TemplateError, quickly. Set
 * FUZZ_SEED to replay a failure (the seed is in the failure message).
 */
import assert from "node:assert/strict";
import {
  formatReport,
  GoStruct,
  GoTime,
  isJsonFormat,
  JsonMarshalError,
  parseTemplate,
  REPORT_FUNCS,
  TemplateError,
} from "./mod.ts";
import { FORMAT_CASES } from "./testdata/cases.ts";

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  "{{",
  "}}",
  "{{-",
  "-}}",
  " ",
  "\t",
  "\n",
  ".",
  ".A",
  ".B.C",
  ".M",
  "$",
  "$x",
  ":=",
  "=",
  "|",
  "(",
  ")",
  ",",
  '"s"',
  '"\\x',
  "`r`",
  "'c'",
  "'\\n'",
  "1",
  "-2",
  "3.5e2",
  "0x1F",
  "1i",
  "nil",
  "true",
  "if",
  "else",
  "end",
  "range",
  "with",
  "define",
  "template",
  "block",
  "break",
  "continue",
  '"t"',
  "printf",
  '"%v%d%q"',
  "len",
  "index",
  "slice",
  "eq",
  "lt",
  "and",
  "or",
  "not",
  "print",
  "json",
  "join",
  "call",
  "html",
  "/*",
  "*/",
  "}",
  "{",
  "é",
  "😀",
  "\\",
  "%",
  "-",
  "_",
  "x",
];

const DATA = [
  new GoStruct("T", [
    { name: "A", value: "a", type: "string" },
    { name: "B", value: { C: [1, 2.5, "x", null] } },
    { name: "M", value: { k: "v" }, type: "map[string]string" },
    {
      name: "T",
      value: GoTime.parse("2024-01-02T03:04:05Z"),
      type: "*time.Time",
    },
    { name: "F", value: (a: unknown) => a },
  ]),
  { A: [], M: null },
  null,
];

function check(text: string, seed: number): void {
  const started = performance.now();
  for (const data of DATA) {
    try {
      parseTemplate(text, { funcs: REPORT_FUNCS }).execute(data);
    } catch (e) {
      if (!(e instanceof TemplateError)) {
        assert.fail(
          `seed ${seed}: ${JSON.stringify(text)} threw ${
            (e as Error)?.stack ?? e
          }`,
        );
      }
      assert.doesNotMatch(
        e.message,
        /\n/,
        `seed ${seed}: multi-line error for ${JSON.stringify(text)}`,
      );
    }
    try {
      formatReport(text, data);
    } catch (e) {
      // JSON formats marshal the data itself, and a function field has no JSON.
      const json = e instanceof JsonMarshalError &&
        (text === "" || isJsonFormat(text));
      if (!(e instanceof TemplateError) && !json) {
        assert.fail(
          `seed ${seed}: formatReport(${JSON.stringify(text)}) threw ${
            (e as Error)?.stack ?? e
          }`,
        );
      }
    }
  }
  const ms = performance.now() - started;
  assert.ok(ms < 2000, `seed ${seed}: ${JSON.stringify(text)} took ${ms} ms`);
}

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? Date.now() % 2 ** 31);
const BUDGET_MS = 1500;

Deno.test(`parseTemplate() and execute() survive random templates (seed ${SEED})`, () => {
  const random = mulberry32(SEED);
  const pick = <T>(xs: readonly T[]): T =>
    xs[Math.floor(random() * xs.length)]!;
  const started = performance.now();
  let n = 0;
  for (; n < 3000 && performance.now() - started < BUDGET_MS; n++) {
    let text = "";
    const len = 1 + Math.floor(random() * 24);
    for (let i = 0; i < len; i++) {
      text += random() < 0.9
        ? pick(FRAGMENTS)
        : String.fromCodePoint(Math.floor(random() * 0x3000));
    }
    check(text, SEED);
  }
  assert.ok(n >= 100, `only ${n} iterations ran`);
});

Deno.test(`parseTemplate() and execute() survive mutated real templates (seed ${SEED})`, () => {
  const random = mulberry32(SEED ^ 0x5bd1e995);
  const started = performance.now();
  let n = 0;
  for (; n < 3000 && performance.now() - started < BUDGET_MS; n++) {
    const chars = [
      ...FORMAT_CASES[Math.floor(random() * FORMAT_CASES.length)]!.format,
    ];
    const edits = 1 + Math.floor(random() * 4);
    for (let i = 0; i < edits; i++) {
      const at = Math.floor(random() * (chars.length + 1));
      const r = random();
      const ch = FRAGMENTS[Math.floor(random() * FRAGMENTS.length)]!;
      if (r < 0.4) chars.splice(at, 1);
      else if (r < 0.8) chars.splice(at, 0, ch);
      else chars.splice(at, 1, ch);
    }
    check(chars.join(""), SEED);
  }
  assert.ok(n >= 100, `only ${n} iterations ran`);
});
