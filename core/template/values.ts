/**
 * How JavaScript data stands for Go values in a template.
 *
 * Plain data maps naturally: strings, booleans, numbers (integers are Go
 * `int`, others `float64`), bigints (`int64`), arrays (`[]interface {}`),
 * plain objects and `Map`s (`map[string]interface {}`, printed with sorted
 * keys), `null` (nil), `Date` (`time.Time`). Go types that JSON-like data
 * cannot express are given with three wrappers:
 *
 * - {@linkcode GoStruct}: a struct with ordered, typed fields (so `%v`
 *   prints `{a b}` in field order and a missing field is an error, not
 *   `<no value>`);
 * - {@linkcode GoValue}: any value with an explicit Go type (`digest.Digest`,
 *   a typed nil `map[string]string`, a `float64` that happens to be whole)
 *   and optional methods;
 * - {@linkcode GoTime} (in `go_time.ts`): a `time.Time`.
 *
 * Internally every value travels as a {@linkcode Val}: the JS value plus its
 * static Go type, which Go's error messages and nil printing depend on.
 *
 * @module
 */

import { GoTime } from "./go_time.ts";
import { compareStrings } from "./strconv.ts";

/** A Go type written as Go prints it: `string`, `[]string`, `map[string]string`, `*time.Time`, `interface {}`. */
export type GoType = string;

/**
 * A Go function or method as a template sees it: its parameter types let
 * the evaluator check and convert arguments exactly as Go does.
 */
export interface GoFunc {
  /** Types of the fixed parameters. */
  readonly params: readonly GoType[];
  /** Element type of a final `...T` parameter, when variadic. */
  readonly variadic?: GoType;
  /** The result's type; when omitted it is inferred from the returned value. */
  readonly result?: GoType;
  /**
   * The implementation. It receives plain JS values (numbers for integer
   * parameters, arrays for slices, `null` for nil) and throws to report
   * Go's error result (`error calling NAME: MESSAGE`).
   */
  readonly fn: (...args: never[]) => unknown;
}

/**
 * A function usable from a template: a {@linkcode GoFunc} or a plain
 * function, taken as `func(...interface {}) interface {}`.
 */
export type TemplateFunc = GoFunc | ((...args: never[]) => unknown);

/** Methods of a value, by Go name. */
export type GoMethods = Readonly<Record<string, TemplateFunc>>;

/** One field of a {@linkcode GoStruct}. */
export interface GoField {
  /** The Go field name; a lowercase first letter makes it unexported. */
  readonly name: string;
  /** The field's value. */
  readonly value: unknown;
  /** The declared Go type; inferred from the value when omitted. */
  readonly type?: GoType;
  /**
   * The `json` struct tag, e.g. `"Name,omitempty"` or `"-"`; the field name
   * is used when omitted.
   */
  readonly json?: string;
}

/**
 * A Go struct: a named type with ordered fields.
 *
 * @example Print a struct as `%v` does
 * ```ts
 * import { GoStruct, parseTemplate } from "./mod.ts";
 * const layer = new GoStruct("types.ImageInspectLayer", [
 *   { name: "MIMEType", value: "application/vnd.oci.image.layer.v1.tar+gzip" },
 *   { name: "Size", value: 32, type: "int64" },
 * ]);
 * console.assert(
 *   parseTemplate("{{.}}").execute(layer) ===
 *     "{application/vnd.oci.image.layer.v1.tar+gzip 32}",
 * );
 * ```
 */
export class GoStruct {
  /** The Go type name, e.g. `inspect.Output`. */
  readonly typeName: string;
  /** The fields, in declaration order. */
  readonly fields: readonly GoField[];
  /** Methods, by name; looked up before fields, as Go does. */
  readonly methods: GoMethods;

  /**
   * Creates a struct value.
   *
   * @param typeName The Go type name.
   * @param fields The fields, in declaration order.
   * @param options Methods callable from templates.
   */
  constructor(
    typeName: string,
    fields: readonly GoField[],
    options: { methods?: GoMethods } = {},
  ) {
    this.typeName = typeName;
    this.fields = fields;
    this.methods = options.methods ?? {};
  }

  /** The field with that name, if any. */
  field(name: string): GoField | undefined {
    return this.fields.find((f) => f.name === name);
  }
}

/**
 * A value with an explicit Go type and, optionally, methods.
 *
 * @example A typed nil map prints `map[]`
 * ```ts
 * import { GoValue, parseTemplate } from "./mod.ts";
 * const labels = new GoValue(null, "map[string]string");
 * console.assert(parseTemplate("{{.}}").execute(labels) === "map[]");
 * ```
 */
export class GoValue {
  /** The JS value. */
  readonly value: unknown;
  /** Its Go type. */
  readonly type: GoType;
  /** Methods, by name. */
  readonly methods: GoMethods;

  /**
   * Wraps a value with its Go type.
   *
   * @param value The JS value.
   * @param type Its Go type.
   * @param options Methods callable from templates (a `String` method makes
   * the value a `fmt.Stringer`).
   */
  constructor(
    value: unknown,
    type: GoType,
    options: { methods?: GoMethods } = {},
  ) {
    this.value = value;
    this.type = type;
    this.methods = options.methods ?? {};
  }
}

/** Marks the absence of a value (Go's invalid `reflect.Value`), printed `<no value>`. */
export const NO_VALUE: unique symbol = Symbol("no value");

/** A value inside the evaluator: the JS value and its static Go type. */
export interface Val {
  /** The JS value; for interface types, the dynamic value (possibly a wrapper). */
  readonly v: unknown;
  /** The static Go type. */
  readonly t: GoType;
  /** Methods of the value's type. */
  readonly m?: GoMethods;
}

/** The invalid value. */
export const INVALID: Val = { v: NO_VALUE, t: "" };

/** A reflect.Kind, as far as templates distinguish them. */
export type Kind =
  | "invalid"
  | "bool"
  | "int"
  | "uint"
  | "float"
  | "complex"
  | "string"
  | "slice"
  | "array"
  | "map"
  | "struct"
  | "ptr"
  | "interface"
  | "func"
  | "chan";

const INT_TYPES = new Set(["int", "int8", "int16", "int32", "int64", "rune"]);
const UINT_TYPES = new Set([
  "uint",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "uintptr",
  "byte",
]);

/** Whether a Go type is an interface type. */
export function isInterfaceType(t: GoType): boolean {
  return t === "interface {}" || t === "any" || t === "error" ||
    t.startsWith("interface");
}

function kindOfType(t: GoType): Kind | undefined {
  if (isInterfaceType(t)) return "interface";
  if (t.startsWith("*")) return "ptr";
  if (t.startsWith("[]")) return "slice";
  if (/^\[\d+\]/.test(t)) return "array";
  if (t.startsWith("map[")) return "map";
  if (t.startsWith("func")) return "func";
  if (t.startsWith("chan ") || t.startsWith("<-chan")) return "chan";
  if (t === "string") return "string";
  if (t === "bool") return "bool";
  if (INT_TYPES.has(t)) return "int";
  if (UINT_TYPES.has(t)) return "uint";
  if (t === "float32" || t === "float64") return "float";
  if (t === "complex64" || t === "complex128") return "complex";
  if (t.startsWith("struct")) return "struct";
  return undefined;
}

/** A complex number (Go `complex128`). */
export class GoComplex {
  /** Real part. */
  readonly re: number;
  /** Imaginary part. */
  readonly im: number;
  /**
   * Creates a complex number.
   *
   * @param re Real part.
   * @param im Imaginary part.
   */
  constructor(re: number, im: number) {
    this.re = re;
    this.im = im;
  }
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function kindOfValue(v: unknown): Kind {
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(v) ? "int" : "float";
    case "bigint":
      return "int";
    case "function":
      return "func";
    case "undefined":
      return "interface";
  }
  if (v === null) return "interface";
  if (v instanceof GoComplex) return "complex";
  if (v instanceof GoStruct || v instanceof GoTime) return "struct";
  if (Array.isArray(v) || v instanceof Uint8Array) return "slice";
  if (v instanceof Map) return "map";
  if (isPlainObject(v as object)) return "map";
  return "struct";
}

/** The dynamic Go type of a plain JS value (`null` has none). */
export function dynamicType(v: unknown): GoType | undefined {
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(v) ? "int" : "float64";
    case "bigint":
      return "int64";
    case "function":
      return "func(...interface {}) interface {}";
    case "undefined":
      return undefined;
  }
  if (v === null) return undefined;
  if (v instanceof GoValue) return v.type;
  if (v instanceof GoStruct) return v.typeName;
  if (v instanceof GoTime || v instanceof Date) return "time.Time";
  if (v instanceof GoComplex) return "complex128";
  if (v instanceof Uint8Array) return "[]uint8";
  if (Array.isArray(v)) return "[]interface {}";
  if (v instanceof Map) {
    const keys = [...v.keys()];
    if (keys.length > 0 && keys.every((k) => Number.isInteger(k))) {
      return "map[int]interface {}";
    }
    return "map[string]interface {}";
  }
  if (isPlainObject(v as object)) return "map[string]interface {}";
  return (v as object).constructor?.name || "struct {}";
}

/** Builds the evaluator's view of a JS value, optionally with a declared type. */
export function toVal(raw: unknown, declared?: GoType): Val {
  if (raw instanceof GoValue) {
    if (declared !== undefined && isInterfaceType(declared)) {
      return { v: raw, t: declared };
    }
    return {
      v: raw.value instanceof Date ? GoTime.fromDate(raw.value) : raw.value,
      t: raw.type,
      m: raw.methods,
    };
  }
  if (raw instanceof Date) raw = GoTime.fromDate(raw);
  if (raw === undefined) raw = null;
  if (declared !== undefined) return { v: raw, t: declared };
  const t = dynamicType(raw);
  return t === undefined ? { v: null, t: "interface {}" } : { v: raw, t };
}

/** The reflect.Kind of a value. */
export function kindOf(val: Val): Kind {
  if (val.v === NO_VALUE) return "invalid";
  return kindOfType(val.t) ?? kindOfValue(val.v);
}

/** Whether a pointer, interface, map, slice or func value is nil. */
export function isNilVal(val: Val): boolean {
  return val.v === null || val.v === undefined;
}

/** Go's `indirectInterface`: the dynamic value of an interface (invalid when nil). */
export function indirectInterface(val: Val): Val {
  if (kindOf(val) !== "interface") return val;
  if (isNilVal(val)) return INVALID;
  return toVal(val.v);
}

/** The value a non-nil pointer points to. */
export function pointerElem(val: Val): Val {
  const t = val.t.startsWith("*") ? val.t.slice(1) : val.t;
  return { v: val.v, t, ...(val.m ? { m: val.m } : {}) };
}

/** Go's `indirect`: follows pointers and interfaces; stops at a nil one. */
export function indirect(val: Val): { val: Val; isNil: boolean } {
  for (;;) {
    const k = kindOf(val);
    if (k !== "ptr" && k !== "interface") return { val, isNil: false };
    if (isNilVal(val)) return { val, isNil: true };
    val = k === "ptr" ? pointerElem(val) : toVal(val.v);
  }
}

/** The element type of a slice, array, map or pointer type. */
export function elemType(t: GoType): GoType {
  if (t.startsWith("[]")) return t.slice(2);
  const arr = /^\[\d+\](.*)$/.exec(t);
  if (arr) return arr[1]!;
  if (t.startsWith("*")) return t.slice(1);
  if (t.startsWith("map[")) {
    let depth = 0;
    for (let i = 3; i < t.length; i++) {
      if (t[i] === "[") depth++;
      else if (t[i] === "]" && --depth === 0) return t.slice(i + 1);
    }
  }
  return "interface {}";
}

/** The key type of a map type. */
export function keyType(t: GoType): GoType {
  if (!t.startsWith("map[")) return "string";
  let depth = 0;
  for (let i = 3; i < t.length; i++) {
    if (t[i] === "[") depth++;
    else if (t[i] === "]" && --depth === 0) return t.slice(4, i);
  }
  return "string";
}

function sliceItems(val: Val): readonly unknown[] {
  const v = val.v;
  if (Array.isArray(v)) return v;
  if (v instanceof Uint8Array) return [...v];
  return [];
}

/** Length of a slice, array, map or string value (strings in UTF-8 bytes). */
export function lengthOf(val: Val): number {
  const v = val.v;
  if (v === null || v === undefined) return 0;
  if (typeof v === "string") return new TextEncoder().encode(v).length;
  if (v instanceof Map) return v.size;
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length;
  if (typeof v === "object") return Object.keys(v).length;
  return 0;
}

/** Element `i` of a slice or array value. */
export function indexVal(val: Val, i: number): Val {
  const items = sliceItems(val);
  return toVal(items[i], elemOf(val));
}

function elemOf(val: Val): GoType {
  return val.t.startsWith("[") ? elemType(val.t) : "interface {}";
}

/** All elements of a slice or array. */
export function sliceVals(val: Val): Val[] {
  const t = elemOf(val);
  return sliceItems(val).map((x) => toVal(x, t));
}

/** A sub-slice, keeping the type. */
export function subSlice(val: Val, from: number, to: number): Val {
  const v = val.v;
  if (v instanceof Uint8Array) return { v: v.slice(from, to), t: val.t };
  if (Array.isArray(v)) return { v: v.slice(from, to), t: val.t };
  return { v: [], t: val.t };
}

function mapElemType(val: Val): GoType {
  return val.t.startsWith("map[") ? elemType(val.t) : "interface {}";
}

/** Looks a key up in a map value; `undefined` when absent. */
export function mapIndex(val: Val, key: unknown): Val | undefined {
  const v = val.v;
  const et = mapElemType(val);
  if (v instanceof Map) {
    return v.has(key) ? toVal(v.get(key), et) : undefined;
  }
  if (v === null || typeof v !== "object" || typeof key !== "string") {
    return undefined;
  }
  if (!Object.prototype.hasOwnProperty.call(v, key)) return undefined;
  return toVal((v as Record<string, unknown>)[key], et);
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === "string" && typeof b === "string") {
    return compareStrings(a, b);
  }
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
    if (Number.isNaN(b)) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === "bigint" && typeof b === "bigint") {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === "boolean" && typeof b === "boolean") {
    return a === b ? 0 : a ? 1 : -1;
  }
  return compareStrings(String(a), String(b));
}

/** A map's entries sorted by key, as `fmt` and `range` order them. */
export function mapEntries(val: Val): Array<[Val, Val]> {
  const v = val.v;
  const kt = val.t.startsWith("map[") ? keyType(val.t) : "string";
  const et = mapElemType(val);
  let entries: Array<[unknown, unknown]>;
  if (v instanceof Map) entries = [...v.entries()];
  else if (v !== null && typeof v === "object") entries = Object.entries(v);
  else entries = [];
  entries.sort((x, y) => compareKeys(x[0], y[0]));
  return entries.map((
    [k, x],
  ) => [toVal(k, isInterfaceType(kt) ? undefined : kt), toVal(x, et)]);
}

/** The fields of a struct value, in order, with their values. */
export function structFields(
  val: Val,
): Array<{ name: string; val: Val; json?: string }> {
  const v = val.v;
  if (v instanceof GoStruct) {
    return v.fields.map((f) => ({
      name: f.name,
      val: toVal(f.value, f.type),
      ...(f.json !== undefined ? { json: f.json } : {}),
    }));
  }
  if (v instanceof GoTime) return [];
  if (v !== null && typeof v === "object") {
    return Object.entries(v).map(([name, x]) => ({ name, val: toVal(x) }));
  }
  return [];
}

/** Methods of a value: its own and, for wrappers, their built-in ones. */
export function methodOf(val: Val, name: string): TemplateFunc | undefined {
  const own = val.m?.[name];
  if (own) return own;
  const v = val.v;
  if (v instanceof GoStruct) return v.methods[name];
  if (v instanceof GoTime) return v.method(name);
  if (v instanceof GoValue) return v.methods[name];
  return undefined;
}

/** Whether a value is a `fmt.Stringer`; returns its text. */
export function stringerText(val: Val): string | undefined {
  const m = methodOf(val, "String");
  if (m === undefined) return undefined;
  const fn = typeof m === "function" ? m : m.fn;
  return String((fn as () => unknown)());
}

/** Whether a value of type `from` is assignable to a parameter of type `to`. */
export function assignable(from: GoType, to: GoType): boolean {
  if (from === to) return true;
  if (isInterfaceType(to)) return to === "interface {}" || to === "any";
  // byte/uint8 and rune/int32 are aliases.
  const alias = (t: string): string =>
    t.replaceAll("byte", "uint8").replaceAll("rune", "int32").replaceAll(
      "any",
      "interface {}",
    );
  return alias(from) === alias(to);
}
