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

/** Go `strconv.ParseInt(text, 0, 64)` limited to safe integers. */
export function parseGoInt(text: string): number {
  const match = /^([+-]?)(0x[0-9a-fA-F_]+|0o?[0-7_]*|0b[01_]+|[1-9][0-9_]*|0)$/
    .exec(text);
  if (!match) {
    throw new Error(
      `strconv.ParseInt: parsing ${goQuote(text)}: invalid syntax`,
    );
  }
  const body = match[2]!.replaceAll("_", "");
  const value = body.startsWith("0x") || body.startsWith("0b") ||
      body.startsWith("0o")
    ? Number(body)
    : body.length > 1 && body.startsWith("0")
    ? Number.parseInt(body.slice(1), 8)
    : Number(body);
  const signed = match[1] === "-" ? -value : value;
  if (!Number.isSafeInteger(signed)) {
    throw new Error(
      `strconv.ParseInt: parsing ${goQuote(text)}: value out of range`,
    );
  }
  return signed;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go `time.ParseDuration`, in milliseconds. */
export function parseGoDuration(text: string): number {
  const invalid = () => new Error(`time: invalid duration ${goQuote(text)}`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") throw invalid();
  let total = 0;
  const part = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest !== "") {
    const match = part.exec(rest);
    if (!match || match[1] === "" || match[1] === ".") {
      if (/^[0-9.]+$/.test(rest)) {
        throw new Error(`time: missing unit in duration ${goQuote(text)}`);
      }
      throw invalid();
    }
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return sign * total;
}

/** Go `strconv.Quote` for the printable ASCII messages we produce. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) {
      out += `\\x${code.toString(16).padStart(2, "0")}`;
    } else out += ch;
  }
  return out + '"';
}
