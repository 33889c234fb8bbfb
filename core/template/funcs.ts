/**
 * Template functions: Go's builtins (`and or not len index slice eq ne lt
 * le gt ge print printf println html js urlquery call`) and the functions
 * containers/common `pkg/report` registers (`join json lower pad split
 * title truncate upper`).
 *
 * skopeo 1.9.3's `inspect --format` registers none of the report functions
 * (`{{json .Labels}}` fails there with `function "json" not defined`); they
 * are offered for callers that want podman's behaviour.
 *
 * @module
 */

import { sprint, sprintf, sprintln } from "./format.ts";
import { marshalJson } from "./json.ts";
import { compareStrings, fromUtf8, isPrint, utf8 } from "./strconv.ts";
import {
  elemType,
  type GoFunc,
  type GoType,
  indexVal,
  indirect,
  indirectInterface,
  isNilVal,
  keyType,
  kindOf,
  lengthOf,
  mapIndex,
  subSlice,
  toVal,
  type Val,
} from "./values.ts";

/** A parameter type; `reflect.Value` takes any value unconverted, as Go's builtins do. */
export type ParamType = GoType | "reflect.Value";

/** A builtin: typed parameters and an implementation over evaluator values. */
export interface Builtin {
  /** Fixed parameter types. */
  readonly params: readonly ParamType[];
  /** Element type of the final variadic parameter. */
  readonly variadic?: ParamType;
  /** The implementation; throws {@linkcode FuncError} for Go's error result. */
  readonly impl: (args: Val[]) => Val;
}

/** The error result of a template function (`error calling NAME: MESSAGE`). */
export class FuncError extends Error {
  /** @param message Go's error text. */
  constructor(message: string) {
    super(message);
    this.name = "FuncError";
  }
}

/** Go's `isTrue`: the truth of a value, and whether it has one. */
export function isTrue(val: Val): { truth: boolean; ok: boolean } {
  const k = kindOf(val);
  switch (k) {
    case "invalid":
      return { truth: false, ok: true };
    case "array":
    case "map":
    case "slice":
    case "string":
      return { truth: lengthOf(val) > 0, ok: true };
    case "bool":
      return { truth: val.v === true, ok: true };
    case "complex": {
      const c = val.v as { re: number; im: number };
      return { truth: c.re !== 0 || c.im !== 0, ok: true };
    }
    case "chan":
    case "func":
    case "ptr":
    case "interface":
      return { truth: !isNilVal(val), ok: true };
    case "int":
    case "uint":
    case "float":
      return { truth: Number(val.v) !== 0, ok: true };
    case "struct":
      return { truth: true, ok: true };
  }
  return { truth: false, ok: false };
}

/** The truth of a value for `and`, `or` and `not`. */
export function truth(val: Val): boolean {
  return isTrue(indirectInterface(val)).truth;
}

const boolVal = (b: boolean): Val => ({ v: b, t: "bool" });
const stringVal = (s: string): Val => ({ v: s, t: "string" });

type BasicKind =
  | "invalid"
  | "bool"
  | "complex"
  | "int"
  | "float"
  | "string"
  | "uint";

function basicKind(val: Val): BasicKind {
  const k = kindOf(val);
  switch (k) {
    case "bool":
    case "int":
    case "uint":
    case "float":
    case "complex":
    case "string":
      return k;
  }
  return "invalid";
}

function asBig(val: Val): bigint {
  const v = val.v;
  if (typeof v === "bigint") return v;
  return BigInt(Math.trunc(Number(v)));
}

function asNum(val: Val): number {
  return Number(val.v);
}

function isNilish(val: Val): boolean {
  if (kindOf(val) === "invalid") return true;
  switch (kindOf(val)) {
    case "chan":
    case "func":
    case "interface":
    case "map":
    case "ptr":
    case "slice":
      return isNilVal(val);
  }
  return false;
}

function comparable(val: Val): boolean {
  switch (kindOf(val)) {
    case "map":
    case "slice":
    case "func":
      return false;
  }
  return true;
}

function sameValue(a: Val, b: Val): boolean {
  if (a.t !== b.t) return false;
  return a.v === b.v;
}

function eq(args: Val[]): Val {
  const arg1 = indirectInterface(args[0]!);
  if (args.length < 2) throw new FuncError("missing argument for comparison");
  const k1 = basicKind(arg1);
  for (const raw of args.slice(1)) {
    const arg = indirectInterface(raw);
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (k1 === "int" && k2 === "uint") {
        truth = asBig(arg1) >= 0n && asBig(arg1) === asBig(arg);
      } else if (k1 === "uint" && k2 === "int") {
        truth = asBig(arg) >= 0n && asBig(arg1) === asBig(arg);
      } else if (kindOf(arg1) !== "invalid" && kindOf(arg) !== "invalid") {
        throw new FuncError("incompatible types for comparison");
      }
    } else {
      switch (k1) {
        case "bool":
        case "string":
          truth = arg1.v === arg.v;
          break;
        case "int":
        case "uint":
          truth = asBig(arg1) === asBig(arg);
          break;
        case "float":
          truth = asNum(arg1) === asNum(arg);
          break;
        case "complex": {
          const a = arg1.v as { re: number; im: number },
            b = arg.v as { re: number; im: number };
          truth = a.re === b.re && a.im === b.im;
          break;
        }
        default: {
          const ka = kindOf(arg1), kb = kindOf(arg);
          if (!(ka === kb || ka === "invalid" || kb === "invalid")) {
            throw new FuncError(
              `non-comparable types ${sprint([arg1])}: ${arg1.t}, ${arg.t}: ${
                sprint([arg])
              }`,
            );
          }
          if (isNilish(arg1) || isNilish(arg)) {
            truth = isNilish(arg) === isNilish(arg1);
          } else {
            if (!comparable(arg)) {
              throw new FuncError(
                `non-comparable type ${sprintf("%s", [arg])}: ${arg.t}`,
              );
            }
            truth = sameValue(arg1, arg);
          }
        }
      }
    }
    if (truth) return boolVal(true);
  }
  return boolVal(false);
}

function lt(args: Val[]): boolean {
  const arg1 = indirectInterface(args[0]!);
  const k1 = basicKind(arg1);
  if (k1 === "invalid") throw new FuncError("invalid type for comparison");
  const arg2 = indirectInterface(args[1]!);
  const k2 = basicKind(arg2);
  if (k2 === "invalid") throw new FuncError("invalid type for comparison");
  if (k1 !== k2) {
    if (k1 === "int" && k2 === "uint") {
      return asBig(arg1) < 0n || asBig(arg1) < asBig(arg2);
    }
    if (k1 === "uint" && k2 === "int") {
      return asBig(arg2) >= 0n && asBig(arg1) < asBig(arg2);
    }
    throw new FuncError("incompatible types for comparison");
  }
  switch (k1) {
    case "bool":
    case "complex":
      throw new FuncError("invalid type for comparison");
    case "float":
      return asNum(arg1) < asNum(arg2);
    case "int":
    case "uint":
      return asBig(arg1) < asBig(arg2);
    default:
      return compareStrings(String(arg1.v), String(arg2.v)) < 0;
  }
}

function le(args: Val[]): boolean {
  if (lt(args)) return true;
  return eq(args).v === true;
}

function indexArg(index: Val, cap: number): number {
  let x: bigint;
  switch (kindOf(index)) {
    case "int":
    case "uint":
      x = asBig(index);
      break;
    case "invalid":
      throw new FuncError("cannot index slice/array with nil");
    default:
      throw new FuncError(`cannot index slice/array with type ${index.t}`);
  }
  if (x < 0n || x > BigInt(cap)) {
    throw new FuncError(`index out of range: ${x}`);
  }
  return Number(x);
}

function prepareArg(value: Val, argType: GoType): Val {
  if (kindOf(value) === "invalid") {
    const k = kindOf({ v: null, t: argType });
    if (!["chan", "func", "interface", "map", "ptr", "slice"].includes(k)) {
      throw new FuncError(`value is nil; should be of type ${argType}`);
    }
    return { v: null, t: argType };
  }
  if (value.t === argType || argType === "interface {}") return value;
  const intLike = (k: string): boolean => k === "int" || k === "uint";
  if (intLike(kindOf(value)) && intLike(kindOf({ v: 0, t: argType }))) {
    return { v: value.v, t: argType };
  }
  throw new FuncError(`value has type ${value.t}; should be ${argType}`);
}

function index(args: Val[]): Val {
  let item = indirectInterface(args[0]!);
  if (kindOf(item) === "invalid") throw new FuncError("index of untyped nil");
  for (const raw of args.slice(1)) {
    const idx = indirectInterface(raw);
    const ind = indirect(item);
    if (ind.isNil) throw new FuncError("index of nil pointer");
    item = ind.val;
    switch (kindOf(item)) {
      case "array":
      case "slice": {
        const n = lengthOf(item);
        const x = indexArg(idx, n);
        if (x >= n) throw new FuncError("reflect: slice index out of range");
        item = indexVal(item, x);
        break;
      }
      case "string": {
        const bytes = utf8(String(item.v));
        const x = indexArg(idx, bytes.length);
        if (x >= bytes.length) {
          throw new FuncError("reflect: string index out of range");
        }
        item = { v: bytes[x]!, t: "uint8" };
        break;
      }
      case "map": {
        const key = prepareArg(
          idx,
          item.t.startsWith("map[") ? keyType(item.t) : "string",
        );
        const found = mapIndex(item, key.v);
        item = found ??
          zeroOf(item.t.startsWith("map[") ? elemType(item.t) : "interface {}");
        break;
      }
      default:
        throw new FuncError(`can't index item of type ${item.t}`);
    }
  }
  return item;
}

/** Go's zero value of a type. */
export function zeroOf(t: GoType): Val {
  switch (kindOf({ v: 0, t })) {
    case "string":
      return { v: "", t };
    case "bool":
      return { v: false, t };
    case "int":
    case "uint":
    case "float":
      return { v: 0, t };
  }
  return { v: null, t };
}

function slice(args: Val[]): Val {
  const item = indirectInterface(args[0]!);
  if (kindOf(item) === "invalid") throw new FuncError("slice of untyped nil");
  const indexes = args.slice(1);
  if (indexes.length > 3) {
    throw new FuncError(`too many slice indexes: ${indexes.length}`);
  }
  let cap: number;
  switch (kindOf(item)) {
    case "string":
      if (indexes.length === 3) {
        throw new FuncError("cannot 3-index slice a string");
      }
      cap = utf8(String(item.v)).length;
      break;
    case "array":
    case "slice":
      cap = lengthOf(item);
      break;
    default:
      throw new FuncError(`can't slice item of type ${item.t}`);
  }
  const idx = [0, lengthOf(item), 0];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(indirectInterface(x), cap);
  });
  if (idx[0]! > idx[1]!) {
    throw new FuncError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  }
  if (indexes.length === 3 && idx[1]! > idx[2]!) {
    throw new FuncError(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  }
  if (kindOf(item) === "string") {
    return {
      v: fromUtf8(utf8(String(item.v)).slice(idx[0], idx[1])),
      t: item.t,
    };
  }
  return subSlice(item, idx[0]!, idx[1]!);
}

function length(args: Val[]): Val {
  const { val, isNil } = indirect(args[0]!);
  if (isNil) throw new FuncError("len of nil pointer");
  switch (kindOf(val)) {
    case "array":
    case "chan":
    case "map":
    case "slice":
    case "string":
      return { v: lengthOf(val), t: "int" };
    case "invalid":
      throw new FuncError("reflect: call of reflect.Value.Type on zero Value");
  }
  throw new FuncError(`len of type ${val.t}`);
}

function call(args: Val[]): Val {
  const fn = indirectInterface(args[0]!);
  if (kindOf(fn) === "invalid") throw new FuncError("call of nil");
  if (kindOf(fn) !== "func" || typeof fn.v !== "function") {
    throw new FuncError(`non-function of type ${fn.t}`);
  }
  const argv = args.slice(1).map((a) => {
    const d = indirectInterface(a);
    return kindOf(d) === "invalid" ? null : d.v;
  });
  try {
    return toVal((fn.v as (...a: unknown[]) => unknown)(...argv));
  } catch (e) {
    throw new FuncError(e instanceof Error ? e.message : String(e));
  }
}

// Go's evalArgs for html, js and urlquery.
function evalArgs(args: Val[]): string {
  if (args.length === 1) {
    const d = indirectInterface(args[0]!);
    if (d.t === "string") return String(d.v);
  }
  return sprint(args.map((a) => {
    const d = indirectInterface(a);
    if (kindOf(d) === "ptr") return indirect(d).val;
    return d;
  }));
}

/** Go's `template.HTMLEscapeString`. */
export function htmlEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    switch (ch) {
      case '"':
        out += "&#34;";
        break;
      case "'":
        out += "&#39;";
        break;
      case "&":
        out += "&amp;";
        break;
      case "<":
        out += "&lt;";
        break;
      case ">":
        out += "&gt;";
        break;
      case "\0":
        out += "\uFFFD";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

/** Go's `template.JSEscapeString`. */
export function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (r < 0x80) {
      switch (ch) {
        case "\\":
          out += "\\\\";
          continue;
        case "'":
          out += "\\'";
          continue;
        case '"':
          out += '\\"';
          continue;
        case "<":
          out += "\\u003C";
          continue;
        case ">":
          out += "\\u003E";
          continue;
        case "&":
          out += "\\u0026";
          continue;
        case "=":
          out += "\\u003D";
          continue;
      }
      if (r < 0x20) {
        out += "\\u00" + r.toString(16).toUpperCase().padStart(2, "0");
      } else out += ch;
      continue;
    }
    if (isPrint(r)) out += ch;
    else out += "\\u" + r.toString(16).toUpperCase().padStart(4, "0");
  }
  return out;
}

/** Go's `url.QueryEscape`. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of utf8(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

const ANY = "interface {}";

/** Go's builtin template functions. */
export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  // and/or are evaluated lazily by the executor; these entries give their arity.
  ["and", {
    params: ["reflect.Value"],
    variadic: "reflect.Value",
    impl: (a) => a[a.length - 1]!,
  }],
  ["or", {
    params: ["reflect.Value"],
    variadic: "reflect.Value",
    impl: (a) => a[a.length - 1]!,
  }],
  ["call", {
    params: ["reflect.Value"],
    variadic: "reflect.Value",
    impl: call,
  }],
  ["html", {
    params: [],
    variadic: ANY,
    impl: (a) => stringVal(htmlEscape(evalArgs(a))),
  }],
  ["index", {
    params: ["reflect.Value"],
    variadic: "reflect.Value",
    impl: index,
  }],
  ["slice", {
    params: ["reflect.Value"],
    variadic: "reflect.Value",
    impl: slice,
  }],
  ["js", {
    params: [],
    variadic: ANY,
    impl: (a) => stringVal(jsEscape(evalArgs(a))),
  }],
  ["len", { params: ["reflect.Value"], impl: length }],
  ["not", { params: ["reflect.Value"], impl: (a) => boolVal(!truth(a[0]!)) }],
  ["print", { params: [], variadic: ANY, impl: (a) => stringVal(sprint(a)) }],
  [
    "printf",
    {
      params: ["string"],
      variadic: ANY,
      impl: (a) => stringVal(sprintf(String(a[0]!.v), a.slice(1))),
    },
  ],
  ["println", {
    params: [],
    variadic: ANY,
    impl: (a) => stringVal(sprintln(a)),
  }],
  ["urlquery", {
    params: [],
    variadic: ANY,
    impl: (a) => stringVal(queryEscape(evalArgs(a))),
  }],
  ["eq", { params: ["reflect.Value"], variadic: "reflect.Value", impl: eq }],
  ["ge", {
    params: ["reflect.Value", "reflect.Value"],
    impl: (a) => boolVal(!lt(a)),
  }],
  ["gt", {
    params: ["reflect.Value", "reflect.Value"],
    impl: (a) => boolVal(!le(a)),
  }],
  ["le", {
    params: ["reflect.Value", "reflect.Value"],
    impl: (a) => boolVal(le(a)),
  }],
  ["lt", {
    params: ["reflect.Value", "reflect.Value"],
    impl: (a) => boolVal(lt(a)),
  }],
  ["ne", {
    params: ["reflect.Value", "reflect.Value"],
    impl: (a) => boolVal(eq(a).v !== true),
  }],
]);

// Per-rune case mapping, keeping runes whose mapping is not a single rune
// (Go's unicode.ToUpper('ß') is 'ß'; JS would give "SS").
function mapRunes(s: string, f: (ch: string) => string): string {
  let out = "";
  for (const ch of s) {
    const m = f(ch);
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  const r = ch.codePointAt(0)!;
  if (r <= 0x7f) return !/[0-9a-zA-Z_]/.test(ch);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return /\s/u.test(ch);
}

function title(s: string): string {
  let prev = " ";
  let out = "";
  for (const ch of s) {
    out += isSeparator(prev) ? mapRunes(ch, (c) => c.toUpperCase()) : ch;
    prev = ch;
  }
  return out;
}

function split(s: string, sep: string): string[] {
  if (sep === "") return [...s];
  return s.split(sep);
}

function truncate(source: string, n: number): string {
  const bytes = utf8(source);
  if (bytes.length < n) return source;
  if (n < 0) {
    throw new Error(`runtime error: slice bounds out of range [:${n}]`);
  }
  return fromUtf8(bytes.slice(0, n));
}

function pad(source: string, prefix: number, suffix: number): string {
  if (source === "") return source;
  if (prefix < 0 || suffix < 0) {
    throw new Error("strings: negative Repeat count");
  }
  return " ".repeat(prefix) + source + " ".repeat(suffix);
}

function fn<A extends unknown[]>(
  f: (...args: A) => unknown,
): (...args: never[]) => unknown {
  return f as unknown as (...args: never[]) => unknown;
}

/**
 * The functions containers/common `report` adds for podman's `--format`
 * (`DefaultFuncs`). skopeo 1.9.3 does not register them.
 */
export const REPORT_FUNCS: Readonly<Record<string, GoFunc>> = {
  join: {
    params: ["[]string", "string"],
    result: "string",
    fn: fn((elems: string[] | null, sep: string) => (elems ?? []).join(sep)),
  },
  json: {
    params: [ANY],
    result: "string",
    fn: fn((v: unknown) => {
      try {
        return marshalJson(v, { escapeHtml: false });
      } catch {
        return ""; // Go ignores the encoder's error and prints nothing
      }
    }),
  },
  lower: {
    params: ["string"],
    result: "string",
    fn: fn((s: string) => mapRunes(s, (c) => c.toLowerCase())),
  },
  pad: { params: ["string", "int", "int"], result: "string", fn: fn(pad) },
  split: { params: ["string", "string"], result: "[]string", fn: fn(split) },
  title: { params: ["string"], result: "string", fn: fn(title) },
  truncate: { params: ["string", "int"], result: "string", fn: fn(truncate) },
  upper: {
    params: ["string"],
    result: "string",
    fn: fn((s: string) => mapRunes(s, (c) => c.toUpperCase())),
  },
};
