/**
 * Reading JSON the way Go's `encoding/json` does when it fills a struct, so
 * that we accept and reject the same documents as containers/image: object
 * keys match field names case-insensitively (the last match wins), `null`
 * leaves a field at its zero value, and a value of the wrong type is an error.
 *
 * @module
 */
import { parseDigest } from "../digest.ts";
import { InvalidContentError } from "../errors.ts";
import type { Digest } from "../types.ts";

/** A decoded JSON object. */
export type JsonObject = Record<string, unknown>;

/** Names the document in messages, e.g. `OCI image manifest`. */
export interface Where {
  /** What the document is. */
  readonly what: string;
  /** The JSON path inside it, e.g. `layers[0].digest`; empty for the root. */
  readonly path: string;
}

const DECODER = new TextDecoder("utf-8", { ignoreBOM: true });

/** Builds the one-line error naming the document and the path. */
export function invalid(where: Where, reason: string): InvalidContentError {
  const at = where.path ? `${where.path}: ` : "";
  return new InvalidContentError(
    `Invalid ${where.what}: ${at}${reason}`.replaceAll("\n", " "),
  );
}

/** `where` one level down. */
export function at(where: Where, key: string | number): Where {
  const path = typeof key === "number"
    ? `${where.path}[${key}]`
    : where.path
    ? `${where.path}.${key}`
    : key;
  return { what: where.what, path };
}

/**
 * Parses bytes as JSON. A byte-order mark is an error, as in Go; invalid
 * UTF-8 becomes U+FFFD, as in Go.
 */
export function decodeJson(bytes: Uint8Array, where: Where): unknown {
  try {
    return JSON.parse(DECODER.decode(bytes));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(where, `not valid JSON (${reason})`);
  }
}

/** Whether a value is a JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses bytes that must hold a JSON object. */
export function decodeObject(bytes: Uint8Array, where: Where): JsonObject {
  const value = decodeJson(bytes, where);
  if (!isObject(value)) throw invalid(where, `expected a JSON object`);
  return value;
}

/**
 * The value Go would store in the struct field `name`: the last key equal to
 * `name` ignoring ASCII case. `undefined` when no key matches.
 */
export function field(object: JsonObject, name: string): unknown {
  const folded = name.toLowerCase();
  let found: unknown = undefined;
  for (const key of Object.keys(object)) {
    if (key === name || key.toLowerCase() === folded) found = object[key];
  }
  return found;
}

/** Whether any key matches `name` with a non-null value (Go: `interface{}` field set). */
export function hasField(object: JsonObject, name: string): boolean {
  const value = field(object, name);
  return value !== undefined && value !== null;
}

/** Describes a JSON value's type for messages, in Go's words. */
function jsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "object") return "object";
  return typeof value;
}

function wrongType(
  where: Where,
  expected: string,
  value: unknown,
): InvalidContentError {
  return invalid(where, `expected ${expected}, got ${jsonType(value)}`);
}

/** A string field; `""` when absent or null. */
export function readString(
  object: JsonObject,
  name: string,
  where: Where,
): string {
  const value = field(object, name);
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") {
    throw wrongType(at(where, name), "a string", value);
  }
  return value;
}

/** A boolean field; false when absent or null. */
export function readBoolean(
  object: JsonObject,
  name: string,
  where: Where,
): boolean {
  const value = field(object, name);
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") {
    throw wrongType(at(where, name), "a boolean", value);
  }
  return value;
}

/** An integer field; `undefined` when absent or null. */
export function readInteger(
  object: JsonObject,
  name: string,
  where: Where,
): number | undefined {
  const value = field(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw wrongType(at(where, name), "an integer", value);
  }
  return value;
}

/** An object field; `undefined` when absent or null. */
export function readObject(
  object: JsonObject,
  name: string,
  where: Where,
): JsonObject | undefined {
  const value = field(object, name);
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw wrongType(at(where, name), "an object", value);
  return value;
}

/** An array field; `undefined` when absent or null. */
export function readArray(
  object: JsonObject,
  name: string,
  where: Where,
): unknown[] | undefined {
  const value = field(object, name);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    throw wrongType(at(where, name), "an array", value);
  }
  return value;
}

/** An array of strings (Go `[]string`: null elements become `""`); `undefined` when absent or null. */
export function readStringArray(
  object: JsonObject,
  name: string,
  where: Where,
): string[] | undefined {
  const array = readArray(object, name, where);
  if (array === undefined) return undefined;
  return array.map((item, i) => {
    if (item === null) return "";
    if (typeof item !== "string") {
      throw wrongType(at(at(where, name), i), "a string", item);
    }
    return item;
  });
}

/** A string map (Go `map[string]string`: null values become `""`); `undefined` when absent or null. */
export function readStringMap(
  object: JsonObject,
  name: string,
  where: Where,
): Record<string, string> | undefined {
  const map = readObject(object, name, where);
  if (map === undefined) return undefined;
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    if (value !== null && typeof value !== "string") {
      throw wrongType(at(at(where, name), key), "a string", value);
    }
    // defineProperty: a "__proto__" key is data, not the prototype.
    Object.defineProperty(result, key, {
      value: value ?? "",
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}

/** A digest field that must be present and valid. */
export function requireDigest(
  object: JsonObject,
  name: string,
  where: Where,
): Digest {
  const text = readString(object, name, where);
  if (text === "") throw invalid(at(where, name), "missing digest");
  try {
    return parseDigest(text);
  } catch (error) {
    throw invalid(
      at(where, name),
      error instanceof Error ? error.message : String(error),
    );
  }
}

/**
 * Quotes a string the way Go's `%q` verb does (`strconv.Quote`): printable
 * characters stay as they are, others become escapes.
 */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === "\\") out += "\\" + char;
    else if (char === "\x07") out += "\\a";
    else if (char === "\b") out += "\\b";
    else if (char === "\f") out += "\\f";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (char === "\v") out += "\\v";
    else if (code < 0x20 || code === 0x7f) {
      out += `\\x${code.toString(16).padStart(2, "0")}`;
    } else if (code >= 0xd800 && code <= 0xdfff) out += "\\ufffd";
    else if (
      /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u.test(char) ||
      (/\p{Zs}/u.test(char) && char !== " ")
    ) {
      out += code > 0xffff
        ? `\\U${code.toString(16).padStart(8, "0")}`
        : `\\u${code.toString(16).padStart(4, "0")}`;
    } else out += char;
  }
  return out + '"';
}
