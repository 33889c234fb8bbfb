import assert from "node:assert/strict";
import {
  goQuote,
  parseGoAtoi,
  parseGoBool,
  parseGoDuration,
  parseGoInt,
} from "./_go_values.ts";

Deno.test("parseGoBool() accepts Go's spellings and rejects others", () => {
  for (const text of ["1", "t", "T", "true", "TRUE", "True"]) {
    assert.equal(parseGoBool(text), true, text);
  }
  for (const text of ["0", "f", "F", "false", "FALSE", "False"]) {
    assert.equal(parseGoBool(text), false, text);
  }
  assert.throws(() => parseGoBool("bogus"), {
    message: 'strconv.ParseBool: parsing "bogus": invalid syntax',
  });
  assert.throws(() => parseGoBool(""), {
    message: 'strconv.ParseBool: parsing "": invalid syntax',
  });
  assert.throws(() => parseGoBool("yes"), /invalid syntax/);
  assert.throws(() => parseGoBool("tRUE"), /invalid syntax/);
});

Deno.test("parseGoInt() reads decimal, prefixed and legacy octal numbers", () => {
  const cases: Array<[string, number]> = [
    ["0", 0],
    ["-0", 0],
    ["+5", 5],
    ["-42", -42],
    ["010", 8],
    ["00", 0],
    ["0o17", 15],
    ["0O7", 7],
    ["0x1F", 31],
    ["0X1f", 31],
    ["0b101", 5],
    ["0B1", 1],
    ["1_000", 1000],
    ["0_1", 1],
    ["0x_1", 1],
    ["-0x10", -16],
    ["9223372036854775807", 9223372036854775807],
    ["-9223372036854775808", -9223372036854775808],
  ];
  for (const [text, expected] of cases) {
    assert.equal(parseGoInt(text), expected, text);
  }
});

Deno.test("parseGoInt() rejects what strconv.ParseInt rejects, with its text", () => {
  // Each verdict was checked against `skopeo copy --retry-times=X`.
  for (
    const text of [
      "",
      "abc",
      "_10",
      "1__0",
      "1_",
      "0_",
      "0b2",
      "08",
      "0o",
      "0x",
      "0x1g",
      " 1",
      "1.0",
      "+",
      "--1",
    ]
  ) {
    assert.throws(() => parseGoInt(text), {
      message: `strconv.ParseInt: parsing ${goQuote(text)}: invalid syntax`,
    }, text);
  }
  for (
    const text of [
      "9223372036854775808",
      "-9223372036854775809",
      "99999999999999999999",
      "0x8000000000000000",
    ]
  ) {
    assert.throws(() => parseGoInt(text), {
      message: `strconv.ParseInt: parsing "${text}": value out of range`,
    }, text);
  }
});

Deno.test("parseGoAtoi() is base 10 only, like strconv.Atoi", () => {
  assert.equal(parseGoAtoi("-2"), -2);
  assert.equal(parseGoAtoi("+7"), 7);
  assert.equal(parseGoAtoi("010"), 10);
  for (const text of ["0x1", "", "1_0", "a"]) {
    assert.throws(() => parseGoAtoi(text), {
      message: `strconv.Atoi: parsing ${goQuote(text)}: invalid syntax`,
    }, text);
  }
  assert.throws(() => parseGoAtoi("9223372036854775808"), {
    message: 'strconv.Atoi: parsing "9223372036854775808": value out of range',
  });
});

Deno.test("parseGoDuration() returns milliseconds for Go durations", () => {
  const cases: Array<[string, number]> = [
    ["0", 0],
    ["-0", 0],
    ["1h30m", 90 * 60_000],
    ["1.5s", 1500],
    ["500ms", 500],
    ["-2m", -120_000],
    ["+3s", 3000],
    [".5s", 500],
    ["5.s", 5000],
    ["1000000ns", 1],
    ["2000us", 2],
    ["3000µs", 3], // micro sign
    ["4000μs", 4], // Greek mu
    ["1h1m1s1ms", 3_661_001],
  ];
  for (const [text, expected] of cases) {
    assert.equal(parseGoDuration(text), expected, text);
  }
});

Deno.test("parseGoDuration() fails with time.ParseDuration's messages", () => {
  // Checked against `skopeo --command-timeout X`.
  const cases: Array<[string, string]> = [
    ["5", 'time: missing unit in duration "5"'],
    ["1h30", 'time: missing unit in duration "1h30"'],
    ["1.5.5s", 'time: missing unit in duration "1.5.5s"'],
    ["5x", 'time: unknown unit "x" in duration "5x"'],
    ["1hx", 'time: unknown unit "hx" in duration "1hx"'],
    ["abc", 'time: invalid duration "abc"'],
    ["", 'time: invalid duration ""'],
    ["-", 'time: invalid duration "-"'],
    [".s", 'time: invalid duration ".s"'],
    ["s", 'time: invalid duration "s"'],
    ["3000000h", 'time: invalid duration "3000000h"'],
    ["1é", 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"'],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseGoDuration(text), { message }, text);
  }
});

Deno.test("goQuote() escapes like strconv.Quote", () => {
  assert.equal(goQuote('say "hi"'), '"say \\"hi\\""');
  assert.equal(goQuote("a\\b"), '"a\\\\b"');
  assert.equal(goQuote("l1\nl2\tx\r"), '"l1\\nl2\\tx\\r"');
  assert.equal(goQuote("\x07\b\f\v"), '"\\a\\b\\f\\v"');
  assert.equal(goQuote("\x00\x1b\x7f"), '"\\x00\\x1b\\x7f"');
  assert.equal(goQuote("héllo ✓ 日本"), '"héllo ✓ 日本"');
  assert.equal(goQuote("\u0085\u00ad\u2028"), '"\\u0085\\u00ad\\u2028"');
  assert.equal(goQuote("\u{e0001}"), '"\\U000e0001"');
  assert.equal(goQuote(""), '""');
});
