/**
 * The parts of Go's `strconv` that templates need: quoting and unquoting Go
 * literals, and formatting float64 values digit for digit as Go does.
 *
 * @module
 */

const ENCODER = new TextEncoder();

/** The UTF-8 length of a string, as Go's `len` counts it. */
export function byteLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** The UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return ENCODER.encode(text);
}

/** Decodes UTF-8 bytes, replacing invalid sequences with U+FFFD as Go prints them. */
export function fromUtf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** Go's `strings.Compare` order (bytewise UTF-8), which code-point order equals. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const x = [...a], y = [...b];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const p = x[i]!.codePointAt(0)!, q = y[i]!.codePointAt(0)!;
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and ASCII space. */
export function isPrint(codePoint: number): boolean {
  if (codePoint === 0x20) return true;
  if (codePoint < 0x20 || codePoint === 0x7f) return false;
  return PRINTABLE.test(String.fromCodePoint(codePoint));
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

function escapeRune(r: number, quote: number, asciiOnly: boolean): string {
  if (r === quote || r === 0x5c) return "\\" + String.fromCodePoint(r);
  if (asciiOnly ? r < 0x80 && isPrint(r) : isPrint(r)) {
    return String.fromCodePoint(r);
  }
  switch (r) {
    case 7:
      return "\\a";
    case 8:
      return "\\b";
    case 12:
      return "\\f";
    case 10:
      return "\\n";
    case 13:
      return "\\r";
    case 9:
      return "\\t";
    case 11:
      return "\\v";
  }
  if (r < 0x20 || r === 0x7f) return "\\x" + hex(r, 2);
  if (r >= 0xd800 && r <= 0xdfff) return "\\ufffd"; // lone surrogate: invalid UTF-8 in Go
  if (r < 0x10000) return "\\u" + hex(r, 4);
  return "\\U" + hex(r, 8);
}

/**
 * Go's `strconv.Quote` (or `QuoteToASCII` with `asciiOnly`).
 *
 * @param text The string to quote.
 * @param asciiOnly Escape every non-ASCII rune too.
 * @returns The double-quoted Go literal.
 */
export function quote(text: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of text) out += escapeRune(ch.codePointAt(0)!, 0x22, asciiOnly);
  return out + '"';
}

/** Go's `strconv.QuoteRune` (or `QuoteRuneToASCII`). */
export function quoteRune(r: number, asciiOnly = false): string {
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = 0xfffd;
  return "'" + escapeRune(r, 0x27, asciiOnly) + "'";
}

/** Go's `strconv.CanBackquote`. */
export function canBackquote(text: string): boolean {
  for (const ch of text) {
    const r = ch.codePointAt(0)!;
    if (r === 0x60 || r === 0xfeff) return false;
    if (r < 0x20 && r !== 9) return false;
    if (r === 0x7f) return false;
  }
  return true;
}

/** Go's `strconv.ErrSyntax`, whose text is what Go prints. */
export class UnquoteError extends SyntaxError {
  /** @param message Go's error text. */
  constructor(message = "invalid syntax") {
    super(message);
    this.name = "UnquoteError";
  }
}

function hexValue(c: string): number {
  const v = parseInt(c, 16);
  return /^[0-9a-fA-F]$/.test(c) ? v : -1;
}

/**
 * Go's `strconv.UnquoteChar`: decodes the first character or escape of
 * `text` inside a literal delimited by `quote`.
 *
 * @returns The code point, whether it must be written as UTF-8 of a rune
 * (versus a single byte from `\x`/octal), and the rest of the text.
 * @throws {UnquoteError} On a malformed escape.
 */
export function unquoteChar(
  text: string,
  quote: string,
): { value: number; multibyte: boolean; tail: string } {
  const first = text.codePointAt(0);
  if (first === undefined) throw new UnquoteError();
  const c = String.fromCodePoint(first);
  if (c === quote && (quote === "'" || quote === '"')) throw new UnquoteError();
  if (c !== "\\") {
    return {
      value: first,
      multibyte: first >= 0x80,
      tail: text.slice(c.length),
    };
  }
  if (text.length <= 1) throw new UnquoteError();
  const e = text[1]!;
  let rest = text.slice(2);
  const simple: Record<string, number> = {
    a: 7,
    b: 8,
    f: 12,
    n: 10,
    r: 13,
    t: 9,
    v: 11,
    "\\": 0x5c,
  };
  if (e in simple) return { value: simple[e]!, multibyte: false, tail: rest };
  if (e === "x" || e === "u" || e === "U") {
    const n = e === "x" ? 2 : e === "u" ? 4 : 8;
    if (rest.length < n) throw new UnquoteError();
    let v = 0;
    for (let j = 0; j < n; j++) {
      const x = hexValue(rest[j]!);
      if (x < 0) throw new UnquoteError();
      v = v * 16 + x;
    }
    rest = rest.slice(n);
    if (e === "x") return { value: v, multibyte: false, tail: rest };
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new UnquoteError();
    return { value: v, multibyte: true, tail: rest };
  }
  if (e >= "0" && e <= "7") {
    let v = e.charCodeAt(0) - 48;
    if (rest.length < 2) throw new UnquoteError();
    for (let j = 0; j < 2; j++) {
      const x = rest.charCodeAt(j) - 48;
      if (x < 0 || x > 7) throw new UnquoteError();
      v = v * 8 + x;
    }
    if (v > 255) throw new UnquoteError();
    return { value: v, multibyte: false, tail: rest.slice(2) };
  }
  if (e === "'" || e === '"') {
    if (e !== quote) throw new UnquoteError();
    return { value: e.charCodeAt(0), multibyte: false, tail: rest };
  }
  throw new UnquoteError();
}

/**
 * Go's `strconv.Unquote` for `"…"`, `` `…` `` and `'…'` literals.
 *
 * @throws {UnquoteError} When Go would return `strconv.ErrSyntax`.
 */
export function unquote(literal: string): string {
  const n = literal.length;
  if (n < 2) throw new UnquoteError();
  const q = literal[0]!;
  if (q !== literal[n - 1]) throw new UnquoteError();
  const body = literal.slice(1, n - 1);
  if (q === "`") {
    if (body.includes("`")) throw new UnquoteError();
    return body.replaceAll("\r", "");
  }
  if (q !== '"' && q !== "'") throw new UnquoteError();
  if (body.includes("\n")) throw new UnquoteError();
  if (!body.includes("\\") && !body.includes(q)) {
    if (q === '"') return body;
    if ([...body].length === 1) return body;
  }
  const bytes: number[] = [];
  let rest = body;
  while (rest.length > 0) {
    const { value, multibyte, tail } = unquoteChar(rest, q);
    rest = tail;
    if (value < 0x80 || !multibyte) bytes.push(value);
    else bytes.push(...utf8(String.fromCodePoint(value)));
    if (q === "'" && rest.length > 0) throw new UnquoteError();
  }
  return fromUtf8(new Uint8Array(bytes));
}

// ---------------------------------------------------------------------------
// Floats

/** A decimal digit string with the decimal point after `dp` digits. */
interface Decimal {
  digits: string; // no leading or trailing zeros; "" for zero
  dp: number;
}

function trimZeros(d: Decimal): Decimal {
  let digits = d.digits.replace(/0+$/, "");
  let dp = d.dp;
  const lead = digits.length - digits.replace(/^0+/, "").length;
  digits = digits.slice(lead);
  dp -= lead;
  if (digits === "") dp = 0;
  return { digits, dp };
}

/** The exact decimal expansion of a finite, non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: "", dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  if (exp >= 0) {
    const s = (mant << BigInt(exp)).toString();
    return trimZeros({ digits: s, dp: s.length });
  }
  const s = (mant * 5n ** BigInt(-exp)).toString();
  return trimZeros({ digits: s, dp: s.length + exp });
}

/** The shortest digits that round-trip, as JS and Go both compute them. */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: "", dp: 0 };
  const [m, e] = x.toExponential().split("e") as [string, string];
  const digits = m.replace(".", "");
  return trimZeros({ digits, dp: Number(e) + 1 });
}

/** Rounds to `nd` digits, half to even on exact ties, as Go's decimal does. */
function roundDecimal(d: Decimal, nd: number): Decimal {
  if (nd < 0) return { digits: "", dp: 0 };
  if (nd >= d.digits.length) return d;
  const next = d.digits.charCodeAt(nd) - 48;
  let up: boolean;
  if (next > 5) up = true;
  else if (next < 5) up = false;
  else if (nd + 1 < d.digits.length) up = true; // more non-zero digits follow
  else up = nd > 0 && (d.digits.charCodeAt(nd - 1) - 48) % 2 === 1;
  let digits = d.digits.slice(0, nd);
  let dp = d.dp;
  if (up) {
    const arr = digits.split("").map(Number);
    let i = arr.length - 1;
    while (i >= 0 && arr[i] === 9) {
      arr[i] = 0;
      i--;
    }
    if (i < 0) {
      arr.unshift(1); // all nines: 99 -> 100, one more integer digit
      dp++;
    } else arr[i]!++;
    digits = arr.join("");
  }
  return trimZeros({ digits, dp });
}

function digitAt(d: Decimal, i: number): string {
  return i >= 0 && i < d.digits.length ? d.digits[i]! : "0";
}

function formatE(d: Decimal, prec: number, e: string): string {
  let out = d.digits.length > 0 ? d.digits[0]! : "0";
  if (prec > 0) {
    out += ".";
    for (let i = 1; i <= prec; i++) out += digitAt(d, i);
  }
  const exp = d.digits.length === 0 ? 0 : d.dp - 1;
  const abs = Math.abs(exp);
  return out + e + (exp < 0 ? "-" : "+") + (abs < 10 ? "0" : "") + abs;
}

function formatF(d: Decimal, prec: number): string {
  let out = "";
  if (d.dp > 0) {
    for (let i = 0; i < d.dp; i++) out += digitAt(d, i);
  } else out = "0";
  if (prec > 0) {
    out += ".";
    for (let i = 0; i < prec; i++) out += digitAt(d, d.dp + i);
  }
  return out;
}

function formatHexFloat(x: number, prec: number, upper: boolean): string {
  // x is finite and non-negative.
  let mant = 0n, exp = 0;
  if (x !== 0) {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    const hi = view.getUint32(0), lo = view.getUint32(4);
    const biased = (hi >>> 20) & 0x7ff;
    mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    if (biased === 0) {
      exp = -1022;
      while ((mant & (1n << 52n)) === 0n) {
        mant <<= 1n;
        exp--;
      }
    } else {
      mant |= 1n << 52n;
      exp = biased - 1023;
    }
  }
  // mant has 53 bits: 1 integer bit + 52 fraction bits = 13 hex digits.
  let frac = mant & ((1n << 52n) - 1n);
  let lead = mant >> 52n;
  let fracDigits = 13;
  if (prec >= 0 && prec < 13) {
    const shift = BigInt((13 - prec) * 4);
    const half = 1n << (shift - 1n);
    const rem = frac & ((1n << shift) - 1n);
    frac >>= shift;
    if (rem > half || (rem === half && (frac & 1n) === 1n)) {
      frac++;
      if (frac >> BigInt(prec * 4) === 1n) {
        frac = 0n;
        lead++;
        if (lead === 2n) {
          lead = 1n;
          exp++;
        }
      }
    }
    fracDigits = prec;
  }
  let fs = fracDigits > 0 ? frac.toString(16).padStart(fracDigits, "0") : "";
  if (prec < 0) fs = fs.replace(/0+$/, "");
  else fs = fs.padEnd(prec, "0");
  const expAbs = Math.abs(exp);
  let out = "0x" + lead.toString() + (fs ? "." + fs : "") + "p" +
    (exp < 0 ? "-" : "+") + (expAbs < 10 ? "0" : "") + expAbs;
  if (upper) out = out.toUpperCase();
  return out;
}

/**
 * Go's `strconv.FormatFloat(x, fmt, prec, 64)`.
 *
 * @param x The value.
 * @param options `format`: one of `e E f F g G x X`; `precision`: digits
 * (after the point for e/f, significant for g), -1 (default) for the
 * shortest representation that round-trips.
 * @returns Go's text, with a leading `-` for negatives, `+Inf`, `-Inf`, `NaN`.
 */
export function formatFloat(
  x: number,
  options: { format: string; precision?: number },
): string {
  const fmt = options.format;
  let prec = options.precision ?? -1;
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const sign = neg ? "-" : "";
  if (fmt === "x" || fmt === "X") {
    return sign + formatHexFloat(abs, prec, fmt === "X");
  }
  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = shortestDecimal(abs);
    switch (fmt) {
      case "e":
      case "E":
        prec = Math.max(d.digits.length - 1, 0);
        break;
      case "f":
      case "F":
        prec = Math.max(d.digits.length - d.dp, 0);
        break;
      default:
        prec = d.digits.length;
    }
  } else {
    const exact = exactDecimal(abs);
    switch (fmt) {
      case "e":
      case "E":
        d = roundDecimal(exact, prec + 1);
        break;
      case "f":
      case "F":
        d = roundDecimal(exact, exact.dp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        d = roundDecimal(exact, prec);
    }
  }
  switch (fmt) {
    case "e":
    case "E":
      return sign + formatE(d, prec, fmt);
    case "f":
    case "F":
      return sign + formatF(d, prec);
  }
  // g, G
  let eprec = prec;
  if (eprec > d.digits.length && d.digits.length >= d.dp) {
    eprec = d.digits.length;
  }
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (d.digits.length > 0 && (exp < -4 || exp >= eprec)) {
    if (prec > d.digits.length) prec = d.digits.length;
    return sign + formatE(d, prec - 1, fmt === "g" ? "e" : "E");
  }
  if (prec > d.dp) prec = d.digits.length;
  return sign + formatF(d, Math.max(prec - d.dp, 0));
}
