/**
 * Go's `encoding/json` marshalling of template values: struct fields in
 * declaration order with their `json` tags, map keys sorted, nil slices and
 * maps as `null`, `time.Time` as RFC 3339 with nanoseconds, Go's string
 * escaping and float formatting.
 *
 * @module
 */

import { GoTime } from "./go_time.ts";
import { formatFloat } from "./strconv.ts";
import {
  GoComplex,
  indirect,
  isNilVal,
  kindOf,
  mapEntries,
  sliceVals,
  structFields,
  toVal,
  type Val,
} from "./values.ts";

/** A value `encoding/json` refuses (NaN, a function…), with Go's message. */
export class JsonMarshalError extends TypeError {
  /**
   * Creates the error.
   *
   * @param message Go's error text, e.g. `json: unsupported value: NaN`.
   */
  constructor(message: string) {
    super(message);
    this.name = "JsonMarshalError";
  }
}

/** Options of {@linkcode marshalJson}. */
export interface MarshalJsonOptions {
  /** Escape `<`, `>` and `&` as `\u003c`… (Go's default; `SetEscapeHTML(false)` turns it off). */
  escapeHtml?: boolean;
  /** Indent each level with this string, as `json.MarshalIndent(v, "", indent)`. */
  indent?: string;
}

const HEX = "0123456789abcdef";

/** Go's JSON string encoding. */
export function jsonString(s: string, escapeHtml: boolean): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c < 0x7f) {
      if (escapeHtml && (c === 0x3c || c === 0x3e || c === 0x26)) {
        out += "\\u00" + HEX[c >> 4] + HEX[c & 15];
      } else out += ch;
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += "\\\\";
        continue;
      case 0x0a:
        out += "\\n";
        continue;
      case 0x0d:
        out += "\\r";
        continue;
      case 0x09:
        out += "\\t";
        continue;
    }
    if (c < 0x20) {
      out += "\\u00" + HEX[c >> 4] + HEX[c & 15];
    } else if (c === 0x2028 || c === 0x2029) {
      out += "\\u202" + HEX[c & 15];
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += "\\ufffd"; // lone surrogate: invalid UTF-8 to Go
    } else out += ch;
  }
  return out + '"';
}

function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) {
    throw new JsonMarshalError(
      `json: unsupported value: ${formatFloat(f, { format: "g" })}`,
    );
  }
  const abs = Math.abs(f);
  let fmt = "f";
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) fmt = "e";
  let s = formatFloat(f, { format: fmt });
  if (fmt === "e") s = s.replace(/e-0(\d)$/, "e-$1");
  return s;
}

function parseTag(
  tag: string | undefined,
  name: string,
): { key: string; omitEmpty: boolean; skip: boolean } {
  if (tag === "-") return { key: name, omitEmpty: false, skip: true };
  if (tag === undefined) return { key: name, omitEmpty: false, skip: false };
  const [key, ...opts] = tag.split(",");
  return {
    key: key || name,
    omitEmpty: opts.includes("omitempty"),
    skip: false,
  };
}

function isEmptyValue(val: Val): boolean {
  switch (kindOf(val)) {
    case "invalid":
      return true;
    case "bool":
      return val.v === false;
    case "int":
    case "uint":
    case "float":
      return Number(val.v) === 0;
    case "string":
    case "slice":
    case "array":
    case "map":
      if (isNilVal(val)) return true;
      if (typeof val.v === "string") return val.v === "";
      if (val.v instanceof Map) return val.v.size === 0;
      if (Array.isArray(val.v) || val.v instanceof Uint8Array) {
        return val.v.length === 0;
      }
      return Object.keys(val.v as object).length === 0;
    case "ptr":
    case "interface":
      return isNilVal(val);
  }
  return false;
}

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

class Encoder {
  readonly #escapeHtml: boolean;
  readonly #indent: string | undefined;

  constructor(options: MarshalJsonOptions) {
    this.#escapeHtml = options.escapeHtml ?? true;
    this.#indent = options.indent;
  }

  #wrap(open: string, close: string, items: string[], level: number): string {
    if (items.length === 0) return open + close;
    if (this.#indent === undefined) return open + items.join(",") + close;
    const inner = "\n" + this.#indent.repeat(level + 1);
    return open + inner + items.join("," + inner) + "\n" +
      this.#indent.repeat(level) + close;
  }

  #colon(): string {
    return this.#indent === undefined ? ":" : ": ";
  }

  encode(val: Val, level: number): string {
    const { val: d, isNil } = indirect(val);
    if (isNil || kindOf(d) === "invalid") return "null";
    const v = d.v;
    if (v instanceof GoTime) return jsonString(v.toJson(), this.#escapeHtml);
    switch (kindOf(d)) {
      case "bool":
        return v ? "true" : "false";
      case "int":
      case "uint":
        return typeof v === "bigint"
          ? v.toString()
          : String(Math.trunc(Number(v)));
      case "float":
        return jsonFloat(Number(v));
      case "string":
        return jsonString(String(v), this.#escapeHtml);
      case "slice":
      case "array": {
        if (isNilVal(d)) return "null";
        if (d.t === "[]uint8" || d.t === "[]byte") {
          const bytes = v instanceof Uint8Array
            ? v
            : new Uint8Array(v as number[]);
          return jsonString(base64(bytes), this.#escapeHtml);
        }
        return this.#wrap(
          "[",
          "]",
          sliceVals(d).map((x) => this.encode(x, level + 1)),
          level,
        );
      }
      case "map": {
        if (isNilVal(d)) return "null";
        const items = mapEntries(d).map(([k, x]) =>
          jsonString(String(k.v), this.#escapeHtml) + this.#colon() +
          this.encode(x, level + 1)
        );
        return this.#wrap("{", "}", items, level);
      }
      case "struct": {
        const items: string[] = [];
        for (const f of structFields(d)) {
          if (!/^\p{Lu}/u.test(f.name)) continue; // unexported
          const tag = parseTag(f.json, f.name);
          if (tag.skip || (tag.omitEmpty && isEmptyValue(f.val))) continue;
          items.push(
            jsonString(tag.key, this.#escapeHtml) + this.#colon() +
              this.encode(f.val, level + 1),
          );
        }
        return this.#wrap("{", "}", items, level);
      }
      case "complex":
        throw new JsonMarshalError(`json: unsupported type: ${d.t}`);
      case "func":
      case "chan":
        throw new JsonMarshalError(`json: unsupported type: ${d.t}`);
    }
    if (v instanceof GoComplex) {
      throw new JsonMarshalError(`json: unsupported type: complex128`);
    }
    return "null";
  }
}

/**
 * Marshals a value as Go's `json.Marshal` (or `MarshalIndent`) does.
 *
 * @example JSON of labels with HTML escaping off, as `{{json .Labels}}` prints them
 * ```ts
 * import { marshalJson } from "./json.ts";
 * const text = marshalJson({ b: "<x>", a: "1" }, { escapeHtml: false });
 * console.assert(text === '{"a":"1","b":"<x>"}');
 * ```
 *
 * @param value The value (plain data or Go wrappers).
 * @param options HTML escaping and indentation.
 * @returns The JSON text, without a trailing newline.
 * @throws {JsonMarshalError} For NaN, infinities, functions and complex numbers.
 */
export function marshalJson(
  value: unknown,
  options: MarshalJsonOptions = {},
): string {
  return new Encoder(options).encode(toVal(value), 0);
}
