import assert from "node:assert/strict";
import {
  byteLength,
  canBackquote,
  compareStrings,
  formatFloat,
  quote,
  quoteRune,
  unquote,
  UnquoteError,
} from "./strconv.ts";

Deno.test("formatFloat() prints the shortest form with Go's %v exponent rule", () => {
  const cases: Array<[number, string]> = [
    [1, "1"],
    [0.1, "0.1"],
    [1e6, "1e+06"],
    [100000, "100000"],
    [123456789, "1.23456789e+08"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [1e21, "1e+21"],
    [1e100, "1e+100"],
    [-0, "-0"],
    [-2.5, "-2.5"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
    [NaN, "NaN"],
  ];
  for (const [x, want] of cases) {
    assert.equal(
      formatFloat(x, { format: "g", precision: -1 }),
      want,
      String(x),
    );
  }
});

Deno.test("formatFloat() rounds exact binary values half to even", () => {
  assert.equal(formatFloat(0.5, { format: "f", precision: 0 }), "0");
  assert.equal(formatFloat(1.5, { format: "f", precision: 0 }), "2");
  assert.equal(formatFloat(2.5, { format: "f", precision: 0 }), "2");
  assert.equal(formatFloat(0.25, { format: "f", precision: 1 }), "0.2");
  assert.equal(formatFloat(0.05, { format: "f", precision: 1 }), "0.1"); // 0.05 is slightly above in binary
  assert.equal(formatFloat(1.005, { format: "f", precision: 2 }), "1.00"); // 1.005 is slightly below
  assert.equal(formatFloat(9.99, { format: "f", precision: 1 }), "10.0");
  assert.equal(formatFloat(0.0004, { format: "f", precision: 2 }), "0.00");
  assert.equal(formatFloat(2.675, { format: "g", precision: 3 }), "2.67");
});

Deno.test("formatFloat() handles e, f, g with precision and hex floats", () => {
  assert.equal(
    formatFloat(1234.5678, { format: "e", precision: 6 }),
    "1.234568e+03",
  );
  assert.equal(
    formatFloat(1234.5678, { format: "E", precision: 2 }),
    "1.23E+03",
  );
  assert.equal(
    formatFloat(0.000123, { format: "e", precision: 2 }),
    "1.23e-04",
  );
  assert.equal(formatFloat(3.14159, { format: "f", precision: 4 }), "3.1416");
  assert.equal(
    formatFloat(1234.5678, { format: "g", precision: 3 }),
    "1.23e+03",
  );
  assert.equal(formatFloat(1, { format: "g", precision: 3 }), "1");
  assert.equal(formatFloat(0, { format: "e", precision: 2 }), "0.00e+00");
  assert.equal(formatFloat(3.5, { format: "X", precision: -1 }), "0X1.CP+01");
  assert.equal(formatFloat(1, { format: "x", precision: -1 }), "0x1p+00");
  assert.equal(formatFloat(0, { format: "x", precision: -1 }), "0x0p+00");
});

Deno.test("quote() escapes like Go's strconv.Quote", () => {
  assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(quote("é\n\x7f\x01"), '"é\\n\\x7f\\x01"');
  assert.equal(quote("é😀", true), '"\\u00e9\\U0001f600"');
  assert.equal(quote("\u2028"), '"\\u2028"');
  assert.equal(quoteRune(0x27), "'\\''");
  assert.equal(quoteRune(-1 >>> 0), "'�'");
  assert.ok(canBackquote("ab"));
  assert.ok(!canBackquote("a`b"));
  assert.ok(!canBackquote("a\nb"));
});

Deno.test("unquote() decodes Go literals and rejects malformed ones", () => {
  assert.equal(unquote('"\\x41\\u00e9\\101\\t"'), "AéA\t");
  assert.equal(unquote("`raw\\n\r`"), "raw\\n");
  assert.equal(unquote("'x'"), "x");
  assert.equal(unquote(`"'"`), "'");
  for (
    const bad of ['"a\\qb"', '"\\\'"', "'ab'", '"abc', '"\\400"', '"\\ud800"']
  ) {
    assert.throws(() => unquote(bad), UnquoteError, bad);
  }
});

Deno.test("byteLength() and compareStrings() follow UTF-8", () => {
  assert.equal(byteLength("héllo😀"), 10);
  assert.equal(byteLength(""), 0);
  // U+FF5E sorts before U+1F600 in UTF-8 although its UTF-16 code unit is larger.
  assert.equal(compareStrings("\uff5e", "😀"), -1);
  assert.equal(compareStrings("a", "ab"), -1);
  assert.equal(compareStrings("b", "a"), 1);
});
