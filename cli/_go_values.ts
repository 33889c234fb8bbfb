/**
 * Parsers for flag values with Go's (strconv / time) rules and error texts,
 * so that `--retry-times=abc` fails exactly as skopeo's does.
 *
 * @module
 */

const TRUE = new Set(["1", "t", "T", "true", "TRUE", "True"]);
const FALSE = new Set(["0", "f", "F", "false", "FALSE", "False"]);

/** Go `strconv.ParseBool`. */
export function parseGoBool(text: string): boolean {
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  throw new Error(
    `strconv.ParseBool: parsing ${goQuote(text)}: invalid syntax`,
  );
}

const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** Go's `underscoreOK`: `_` only between digits (a base prefix counts as one). */
function underscoreOk(text: string): boolean {
  let s = text;
  if (s[0] === "+" || s[0] === "-") s = s.slice(1);
  let saw = "^";
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && /[bBoOxX]/.test(s[1]!)) {
    i = 2;
    saw = "0";
    hex = s[1]!.toLowerCase() === "x";
  }
  for (; i < s.length; i++) {
    const ch = s[i]!;
    if (/[0-9]/.test(ch) || (hex && /[a-fA-F]/.test(ch))) {
      saw = "0";
      continue;
    }
    if (ch === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

/**
 * Go `strconv.ParseInt(text, 0, 64)`: `0x`/`0o`/`0b` prefixes (any case), a
 * leading `0` for octal, `_` between digits. The range is int64's; values
 * beyond 2^53 lose precision as JavaScript numbers.
 */
export function parseGoInt(text: string): number {
  const syntax = () =>
    new Error(`strconv.ParseInt: parsing ${goQuote(text)}: invalid syntax`);
  const range = () =>
    new Error(`strconv.ParseInt: parsing ${goQuote(text)}: value out of range`);
  let s = text;
  const negative = s[0] === "-";
  if (s[0] === "+" || s[0] === "-") s = s.slice(1);
  if (s === "") throw syntax();
  let base = 10;
  if (s[0] === "0") {
    const prefix = s.length >= 3 ? s[1]!.toLowerCase() : "";
    base = prefix === "b" ? 2 : prefix === "x" ? 16 : 8;
    s = prefix === "b" || prefix === "o" || prefix === "x"
      ? s.slice(2)
      : s.slice(1);
  }
  let value = 0n;
  let underscores = false;
  for (const ch of s) {
    if (ch === "_") {
      underscores = true;
      continue;
    }
    const digit = /^[0-9a-zA-Z]$/.test(ch) ? Number.parseInt(ch, 36) : 99;
    if (digit >= base) throw syntax();
    value = value * BigInt(base) + BigInt(digit);
    // ParseUint stops at the first uint64 overflow, before later digits.
    if (value > UINT64_MAX) throw range();
  }
  if (underscores && !underscoreOk(text)) throw syntax();
  if (value > (negative ? INT64_MAX + 1n : INT64_MAX)) throw range();
  return Number(negative ? -value : value);
}

/**
 * Go `strconv.Atoi`: base 10 only (no prefixes, no `_`), as pflag's `ints`
 * flags parse each element.
 */
export function parseGoAtoi(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) {
    throw new Error(`strconv.Atoi: parsing ${goQuote(text)}: invalid syntax`);
  }
  const value = BigInt(text);
  if (value > INT64_MAX || value < -INT64_MAX - 1n) {
    throw new Error(
      `strconv.Atoi: parsing ${goQuote(text)}: value out of range`,
    );
  }
  return Number(value);
}

const UNIT_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  "µs": 1e3, // U+00B5 MICRO SIGN
  "μs": 1e3, // U+03BC GREEK SMALL LETTER MU
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go `time.ParseDuration`, in milliseconds. */
export function parseGoDuration(text: string): number {
  const invalid = () => new Error(`time: invalid duration ${timeQuote(text)}`);
  let rest = text;
  let negative = false;
  if (rest[0] === "-" || rest[0] === "+") {
    negative = rest[0] === "-";
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") throw invalid();
  let totalNs = 0;
  while (rest !== "") {
    // [0-9]*(\.[0-9]*)? then a unit: any run of characters up to a digit or `.`.
    const number = /^([0-9]*)(?:\.([0-9]*))?/.exec(rest)!;
    const [whole, integer = "", fraction] = number;
    if (integer === "" && !fraction) throw invalid();
    rest = rest.slice(whole.length);
    const unit = /^[^0-9.]*/.exec(rest)![0];
    if (unit === "") {
      throw new Error(`time: missing unit in duration ${timeQuote(text)}`);
    }
    rest = rest.slice(unit.length);
    const scale = UNIT_NS[unit];
    if (scale === undefined) {
      throw new Error(
        `time: unknown unit ${timeQuote(unit)} in duration ${timeQuote(text)}`,
      );
    }
    totalNs += Number(`${integer || "0"}.${fraction || "0"}`) * scale;
    // Go's Duration is an int64 of nanoseconds.
    if (totalNs > Number(INT64_MAX)) throw invalid();
  }
  const ms = totalNs / 1e6;
  return negative ? -ms : ms;
}

/** The `time` package's own quoting: `\xNN` for bytes outside printable ASCII. */
function timeQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x80 || code < 0x20) {
      for (const byte of new TextEncoder().encode(ch)) {
        out += `\\x${byte.toString(16).padStart(2, "0")}`;
      }
    } else out += ch === '"' || ch === "\\" ? `\\${ch}` : ch;
  }
  return out + '"';
}

const ESCAPES: Readonly<Record<string, string>> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  '"': '\\"',
  "\\": "\\\\",
};

/** Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols, ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go `strconv.Quote` (what `%q` prints). */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const escape = ESCAPES[ch];
    if (escape) {
      out += escape;
      continue;
    }
    if (PRINTABLE.test(ch)) {
      out += ch;
      continue;
    }
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code >= 0xd800 && code <= 0xdfff) out += "\\ufffd"; // lone surrogate
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return out + '"';
}
