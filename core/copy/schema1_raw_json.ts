/**
 * Go's `map[string]*json.RawMessage` round trip, which containers/image uses
 * to edit schema1 configs while keeping every field it does not know: the
 * top-level object is split into raw member texts, members are removed or
 * added, and the result is written with sorted keys and each raw value
 * compacted as Go does (whitespace dropped, `<`, `>`, `&`, U+2028 and
 * U+2029 escaped inside strings), numbers keeping their original spelling.
 *
 * @module
 */
import { InvalidContentError } from "../errors.ts";
import { goJsonStringify } from "./go_json.ts";

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  return i;
}

function skipString(text: string, i: number): number {
  // text[i] is the opening quote.
  for (i++; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  throw new InvalidContentError("Unterminated string in JSON");
}

function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    while (i < text.length) {
      const d = text[i]!;
      if (d === '"') {
        i = skipString(text, i);
        continue;
      }
      if (d === "{" || d === "[") depth++;
      else if (d === "}" || d === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new InvalidContentError("Unterminated JSON value");
  }
  while (
    i < text.length && !WHITESPACE.has(text[i]!) && !",}]".includes(text[i]!)
  ) i++;
  return i;
}

/**
 * Splits a JSON object into its members' raw texts, as Go's unmarshalling
 * into `map[string]*json.RawMessage` (a repeated key keeps its last value).
 *
 * @param text A JSON object.
 * @returns Key → raw value text, in first-seen key order.
 * @throws {InvalidContentError} When the text is not a JSON object.
 */
export function rawJsonMembers(text: string): Map<string, string> {
  // Validates the whole text first, so the scanner below sees valid JSON.
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidContentError(
      `Invalid JSON: ${(error as Error).message}`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InvalidContentError("Expected a JSON object");
  }
  const members = new Map<string, string>();
  let i = skipWhitespace(text, 0) + 1;
  for (;;) {
    i = skipWhitespace(text, i);
    if (text[i] === "}") break;
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWhitespace(text, keyEnd) + 1; // the colon
    i = skipWhitespace(text, i);
    const end = skipValue(text, i);
    members.set(key, text.slice(i, end));
    i = skipWhitespace(text, end);
    if (text[i] === ",") i++;
  }
  return members;
}

/**
 * Compacts raw JSON as Go's `json.Marshal` does for a `json.RawMessage`.
 *
 * @param raw Valid JSON text.
 * @returns The compact text.
 */
export function goCompact(raw: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inString) {
      if (c === "\\") {
        out += c + raw[++i];
        continue;
      }
      if (c === '"') inString = false;
      if (
        c === "<" || c === ">" || c === "&" || c === "\u2028" || c === "\u2029"
      ) {
        out += `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
        continue;
      }
      out += c;
    } else if (!WHITESPACE.has(c)) {
      if (c === '"') inString = true;
      out += c;
    }
  }
  return out;
}

/**
 * Writes raw members as Go marshals a `map[string]*json.RawMessage`:
 * keys sorted, values compacted.
 *
 * @param members Key → raw value text.
 * @returns The JSON object text.
 */
export function goMarshalRawMembers(members: Map<string, string>): string {
  const keys = [...members.keys()].sort();
  return `{${
    keys.map((k) => `${goJsonStringify(k)}:${goCompact(members.get(k)!)}`)
      .join(",")
  }}`;
}
