/**
 * Raw JSON values as Go's `encoding/json` handles `json.RawMessage`: the
 * members of an object kept as text (numbers and key order untouched), and
 * re-emitted compacted with `<`, `>`, `&`, U+2028 and U+2029 escaped, which
 * is what `json.Marshal` does to them. Used where skopeo derives IDs from
 * such bytes, so that ours are the same.
 *
 * @module
 */
import { InvalidContentError } from "../../core/errors.ts";

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

/**
 * The top-level members of a JSON object, each value as raw text; a
 * repeated key keeps its last value, as Go's decoder does.
 *
 * @param text A JSON object.
 * @param what Names the text in errors.
 * @returns Key → raw value text.
 * @throws {InvalidContentError} When `text` is not a JSON object.
 */
export function rawObjectMembers(
  text: string,
  what: string,
): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidContentError(
      `${what}: ${error instanceof Error ? error.message : error}`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InvalidContentError(`${what}: not a JSON object`);
  }
  // The text is valid JSON from here on, so the scanner can be simple.
  const members = new Map<string, string>();
  let i = skipSpace(text, 0) + 1; // past "{"
  for (;;) {
    i = skipSpace(text, i);
    if (text[i] === "}") break;
    const keyEnd = endOfValue(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd) + 1; // past ":"
    i = skipSpace(text, i);
    const valueEnd = endOfValue(text, i);
    members.set(key, text.slice(i, valueEnd));
    i = skipSpace(text, valueEnd);
    if (text[i] === ",") i++;
  }
  return members;
}

/**
 * Go's `json.Compact` with HTML escaping, as `json.Marshal` applies to a
 * `json.RawMessage`.
 *
 * @param raw Valid JSON text.
 * @returns The compacted text.
 */
export function compactGoJson(raw: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inString) {
      if (c === "\\") {
        out += c + raw[++i]!;
        continue;
      }
      if (c === '"') inString = false;
      out += escapeHtml(c);
    } else if (!WHITESPACE.has(c)) {
      if (c === '"') inString = true;
      out += c;
    }
  }
  return out;
}

/**
 * `json.Marshal` of a Go `map[string]…` whose values are already JSON text:
 * keys sorted byte-wise, no spaces.
 *
 * @param members Key → JSON text (already compacted).
 * @returns The object's JSON text.
 */
export function marshalSortedMap(members: ReadonlyMap<string, string>): string {
  const keys = [...members.keys()].sort(compareBytes);
  return `{${keys.map((k) => `${goString(k)}:${members.get(k)}`).join(",")}}`;
}

/** A Go-marshalled JSON string (HTML characters escaped). */
export function goString(value: string): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, escapeHtml);
}

function escapeHtml(c: string): string {
  switch (c) {
    case "<":
    case ">":
    case "&":
    case "\u2028":
    case "\u2029":
      return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    default:
      return c;
  }
}

/** Go sorts map keys by their UTF-8 bytes; UTF-16 order differs only past the BMP. */
function compareBytes(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! - y[i]!;
  }
  return x.length - y.length;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  return i;
}

/** The index just past the JSON value starting at `i` (valid JSON assumed). */
function endOfValue(text: string, i: number): number {
  const first = text[i];
  if (first === '"') {
    for (let j = i + 1; j < text.length; j++) {
      if (text[j] === "\\") j++;
      else if (text[j] === '"') return j + 1;
    }
    return text.length;
  }
  if (first === "{" || first === "[") {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') {
        j = endOfValue(text, j) - 1;
      } else if (c === "{" || c === "[") {
        depth++;
      } else if (c === "}" || c === "]") {
        if (--depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !/[\s,}\]]/.test(text[j]!)) j++;
  return j;
}
