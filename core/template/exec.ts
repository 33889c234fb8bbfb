/**
 * Executes parsed template trees as Go 1.19's `text/template` does: field
 * and method lookup, function calls with Go's argument checks, pipelines,
 * variables, `if`/`with`/`range`/`template`, and Go's execution errors
 * (`template: t:1:2: executing "t" at <.X>: …`).
 *
 * @module
 */

import { formatValue, sprint } from "./format.ts";
import { GoTime } from "./go_time.ts";
import {
  type Builtin,
  BUILTINS,
  FuncError,
  isTrue,
  truth,
  zeroOf,
} from "./funcs.ts";
import type {
  BranchNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  VariableNode,
} from "./nodes.ts";
import { nodeString } from "./nodes.ts";
import { byteLength, quote } from "./strconv.ts";
import { TemplateError } from "./template_error.ts";
import {
  assignable,
  dynamicType,
  elemType,
  GoComplex,
  type GoFunc,
  type GoType,
  indirect,
  indirectInterface,
  INVALID,
  isInterfaceType,
  isNilVal,
  kindOf,
  mapEntries,
  mapIndex,
  methodOf,
  sliceVals,
  stringerText,
  structFields,
  type TemplateFunc,
  toVal,
  type Val,
} from "./values.ts";

/** What `{{.Missing}}` on a map gives, as Go's `missingkey` option. */
export type MissingKey = "invalid" | "zero" | "error";

/** What the executor needs from its template. */
export interface ExecContext {
  /** Trees by template name. */
  readonly trees: ReadonlyMap<string, ListNode>;
  /** Custom functions by name (they override builtins of the same name). */
  readonly funcs: ReadonlyMap<string, TemplateFunc>;
  /** The `missingkey` option. */
  readonly missingKey: MissingKey;
}

const MAX_EXEC_DEPTH = 100000;

// Go's missingVal: "no final argument" marker, compared by identity.
const MISSING: Val = { v: Symbol("missing"), t: "" };

const BREAK = Symbol("break");
const CONTINUE = Symbol("continue");

class DepthExceeded {
  readonly node: TemplateNode;
  readonly tmplName: string;
  constructor(node: TemplateNode, tmplName: string) {
    this.node = node;
    this.tmplName = tmplName;
  }
}

function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError &&
    e.message === "Maximum call stack size exceeded";
}

class ExecFailure extends Error {
  readonly line: number | undefined;
  readonly column: number | undefined;
  constructor(message: string, line?: number, column?: number) {
    super(message);
    this.line = line;
    this.column = column;
  }
}

interface Variable {
  name: string;
  value: Val;
}

type Callable =
  | { kind: "builtin"; name: string; builtin: Builtin }
  | { kind: "func"; name: string; func: TemplateFunc };

function isGoFunc(f: TemplateFunc): f is GoFunc {
  return typeof f !== "function";
}

function canBeNil(t: GoType): boolean {
  const k = kindOf({ v: null, t });
  return k === "chan" || k === "func" || k === "interface" || k === "map" ||
    k === "ptr" ||
    k === "slice";
}

function isHexInt(s: string): boolean {
  return s.length > 2 && s[0] === "0" && (s[1] === "x" || s[1] === "X") &&
    !/[pP]/.test(s);
}

function intValue(n: bigint, t: GoType = "int"): Val {
  const v =
    n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(n)
      : n;
  return { v, t };
}

/** A JS value for a Go function parameter. */
function toJs(val: Val): unknown {
  if (kindOf(val) === "invalid") return null;
  const d = indirectInterface(val);
  if (kindOf(d) === "invalid") return null;
  return d.v;
}

class State {
  readonly #ctx: ExecContext;
  #tmplName: string;
  #vars: Variable[];
  #node: Node | null = null;
  #depth: number;
  readonly #out: string[];

  constructor(
    ctx: ExecContext,
    name: string,
    dot: Val,
    out: string[],
    depth: number,
  ) {
    this.#ctx = ctx;
    this.#tmplName = name;
    this.#vars = [{ name: "$", value: dot }];
    this.#out = out;
    this.#depth = depth;
  }

  // ---- errors and variables

  at(node: Node): void {
    this.#node = node;
  }

  errorf(message: string): never {
    const name = this.#tmplName;
    const node = this.#node;
    if (node === null) throw new ExecFailure(`template: ${name}: ${message}`);
    const text = node.source.text.slice(0, node.pos);
    const nl = text.lastIndexOf("\n");
    const column = byteLength(nl === -1 ? text : text.slice(nl + 1));
    const line = 1 + text.split("\n").length - 1;
    throw new ExecFailure(
      `template: ${node.source.name}:${line}:${column}: executing ${
        quote(name)
      } at <${nodeString(node)}>: ${message}`,
      line,
      column,
    );
  }

  #push(name: string, value: Val): void {
    this.#vars.push({ name, value });
  }

  #mark(): number {
    return this.#vars.length;
  }

  #pop(mark: number): void {
    this.#vars.length = mark;
  }

  #setVar(name: string, value: Val): void {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      if (this.#vars[i]!.name === name) {
        this.#vars[i]!.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  #setTopVar(n: number, value: Val): void {
    this.#vars[this.#vars.length - n]!.value = value;
  }

  #varValue(name: string): Val {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      if (this.#vars[i]!.name === name) return this.#vars[i]!.value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // ---- walking

  walk(dot: Val, node: Node): void {
    this.at(node);
    switch (node.kind) {
      case "action": {
        const val = this.#evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.#printValue(node, val);
        return;
      }
      case "break":
        throw BREAK;
      case "continue":
        throw CONTINUE;
      case "comment":
        return;
      case "if":
      case "with":
        return this.#walkIfOrWith(node, dot);
      case "list":
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case "range":
        return this.#walkRange(dot, node);
      case "template":
        return this.#walkTemplate(dot, node);
      case "text":
        this.#out.push(node.text);
        return;
    }
    this.errorf(`unknown node: ${nodeString(node)}`);
  }

  #walkIfOrWith(node: BranchNode, dot: Val): void {
    const mark = this.#mark();
    try {
      const val = this.#evalPipeline(dot, node.pipe);
      const { truth, ok } = isTrue(indirectInterface(val));
      if (!ok) this.errorf(`if/with can't use ${formatValue(val)}`);
      if (truth) this.walk(node.kind === "with" ? val : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.#pop(mark);
    }
  }

  #walkRange(dot: Val, r: BranchNode): void {
    this.at(r);
    const outer = this.#mark();
    try {
      const val = indirect(this.#evalPipeline(dot, r.pipe)).val;
      const mark = this.#mark();
      const oneIteration = (index: Val, elem: Val): void => {
        if (r.pipe.decl.length > 0) this.#setTopVar(1, elem);
        if (r.pipe.decl.length > 1) this.#setTopVar(2, index);
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.#pop(mark);
        }
      };
      switch (kindOf(val)) {
        case "array":
        case "slice": {
          const items = sliceVals(val);
          if (items.length === 0) break;
          items.forEach((elem, i) => oneIteration({ v: i, t: "int" }, elem));
          return;
        }
        case "map": {
          const entries = mapEntries(val);
          if (entries.length === 0) break;
          for (const [k, v] of entries) oneIteration(k, v);
          return;
        }
        case "invalid":
          break;
        default:
          this.errorf(`range can't iterate over ${formatValue(val)}`);
      }
      if (r.elseList) this.walk(dot, r.elseList);
    } catch (e) {
      if (e !== BREAK) throw e;
    } finally {
      this.#pop(outer);
    }
  }

  #walkTemplate(dot: Val, t: TemplateNode): void {
    this.at(t);
    const tree = this.#ctx.trees.get(t.name);
    if (tree === undefined) {
      this.errorf(`template ${quote(t.name)} not defined`);
    }
    if (this.#depth >= MAX_EXEC_DEPTH) {
      this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    }
    const newDot = this.#evalPipeline(dot, t.pipe);
    const state = new State(
      this.#ctx,
      t.name,
      newDot,
      this.#out,
      this.#depth + 1,
    );
    try {
      state.walk(newDot, tree);
    } catch (e) {
      // JS runs out of stack long before Go's depth limit: report Go's error.
      if (isStackOverflow(e)) throw new DepthExceeded(t, this.#tmplName);
      throw e;
    }
  }

  // ---- evaluation

  #evalPipeline(dot: Val, pipe: PipeNode | null): Val {
    if (pipe === null) return INVALID;
    this.at(pipe);
    let value = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.#evalCommand(dot, cmd, value);
      if (kindOf(value) === "interface") value = indirectInterface(value);
    }
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.#setVar(variable.ident[0]!, value);
      else this.#push(variable.ident[0]!, value);
    }
    return value;
  }

  #notAFunction(args: Node[], final: Val): void {
    if (args.length > 1 || final !== MISSING) {
      this.errorf(
        `can't give argument to non-function ${nodeString(args[0]!)}`,
      );
    }
  }

  #evalCommand(dot: Val, cmd: CommandNode, final: Val): Val {
    const first = cmd.args[0]!;
    switch (first.kind) {
      case "field":
        return this.#evalFieldNode(dot, first, cmd.args, final);
      case "chain":
        return this.#evalChainNode(dot, first, cmd.args, final);
      case "identifier":
        return this.#evalFunction(dot, first, cmd, cmd.args, final);
      case "pipe":
        this.#notAFunction(cmd.args, final);
        return this.#evalPipeline(dot, first);
      case "variable":
        return this.#evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.#notAFunction(cmd.args, final);
    switch (first.kind) {
      case "bool":
        return { v: first.value, t: "bool" };
      case "dot":
        return dot;
      case "nil":
        this.errorf("nil is not a command");
        break;
      case "number":
        return this.#idealConstant(first);
      case "string":
        return { v: first.text, t: "string" };
    }
    this.errorf(`can't evaluate command ${quote(nodeString(first))}`);
  }

  #idealConstant(c: NumberNode): Val {
    this.at(c);
    if (c.isComplex) {
      return { v: new GoComplex(c.complex.re, c.complex.im), t: "complex128" };
    }
    if (
      c.isFloat && !isHexInt(c.text) && c.text[0] !== "'" &&
      /[.eEpP]/.test(c.text)
    ) {
      return { v: c.float, t: "float64" };
    }
    if (c.isInt) return intValue(c.int);
    if (c.isUint) this.errorf(`${c.text} overflows int`);
    return INVALID;
  }

  #evalFieldNode(dot: Val, field: FieldNode, args: Node[], final: Val): Val {
    this.at(field);
    return this.#evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  #evalChainNode(dot: Val, chain: ChainNode, args: Node[], final: Val): Val {
    this.at(chain);
    if (chain.field.length === 0) {
      this.errorf("internal error: no fields in evalChainNode");
    }
    if (chain.node.kind === "nil") {
      this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    }
    const pipe = this.#evalArg(dot, null, chain.node);
    return this.#evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  #evalVariableNode(
    dot: Val,
    variable: VariableNode,
    args: Node[],
    final: Val,
  ): Val {
    this.at(variable);
    const value = this.#varValue(variable.ident[0]!);
    if (variable.ident.length === 1) {
      this.#notAFunction(args, final);
      return value;
    }
    return this.#evalFieldChain(
      dot,
      value,
      variable,
      variable.ident.slice(1),
      args,
      final,
    );
  }

  #evalFieldChain(
    dot: Val,
    receiver: Val,
    node: Node,
    ident: string[],
    args: Node[],
    final: Val,
  ): Val {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) {
      receiver = this.#evalField(dot, ident[i]!, node, [], MISSING, receiver);
    }
    return this.#evalField(dot, ident[n - 1]!, node, args, final, receiver);
  }

  #evalFunction(
    dot: Val,
    node: IdentifierNode,
    cmd: Node,
    args: Node[],
    final: Val,
  ): Val {
    this.at(node);
    const name = node.ident;
    const user = this.#ctx.funcs.get(name);
    if (user !== undefined) {
      return this.#evalCall(
        dot,
        { kind: "func", name, func: user },
        cmd,
        name,
        args,
        final,
      );
    }
    const builtin = BUILTINS.get(name);
    if (builtin === undefined) {
      this.errorf(`${quote(name)} is not a defined function`);
    }
    return this.#evalCall(
      dot,
      { kind: "builtin", name, builtin },
      cmd,
      name,
      args,
      final,
    );
  }

  #evalField(
    dot: Val,
    fieldName: string,
    node: Node,
    args: Node[],
    final: Val,
    receiver: Val,
  ): Val {
    if (kindOf(receiver) === "invalid") {
      if (this.#ctx.missingKey === "error") {
        this.errorf(`nil data; no entry for key ${quote(fieldName)}`);
      }
      return INVALID;
    }
    const typ = receiver.t;
    const ind = indirect(receiver);
    const rcv = ind.val;
    if (kindOf(rcv) === "interface" && ind.isNil) {
      this.errorf(`nil pointer evaluating ${typ}.${fieldName}`);
    }
    const method = methodOf(rcv, fieldName);
    if (method !== undefined) {
      return this.#evalCall(
        dot,
        { kind: "func", name: fieldName, func: method },
        node,
        fieldName,
        args,
        final,
      );
    }
    const hasArgs = args.length > 1 || final !== MISSING;
    switch (kindOf(rcv)) {
      case "struct": {
        const field = structFields(rcv).find((f) => f.name === fieldName);
        if (field !== undefined) {
          if (!/^\p{Lu}/u.test(fieldName)) {
            this.errorf(
              `${fieldName} is an unexported field of struct type ${typ}`,
            );
          }
          if (hasArgs) {
            this.errorf(
              `${fieldName} has arguments but cannot be invoked as function`,
            );
          }
          return field.val;
        }
        break;
      }
      case "map": {
        const keyOk = !rcv.t.startsWith("map[") ||
          rcv.t.startsWith("map[string]") ||
          rcv.t.startsWith("map[interface {}]");
        if (keyOk) {
          if (hasArgs) {
            this.errorf(`${fieldName} is not a method but has arguments`);
          }
          const result = mapIndex(rcv, fieldName);
          if (result !== undefined) return result;
          switch (this.#ctx.missingKey) {
            case "zero":
              return zeroOf(
                rcv.t.startsWith("map[") ? elemType(rcv.t) : "interface {}",
              );
            case "error":
              this.errorf(`map has no entry for key ${quote(fieldName)}`);
          }
          return INVALID;
        }
        break;
      }
      case "ptr":
        if (
          ind.isNil && rcv.t === "*time.Time" && GoTime.hasMethod(fieldName)
        ) {
          // Go calls the method on the nil pointer, which panics.
          this.at(node);
          this.errorf(
            `error calling ${fieldName}: value method time.Time.${fieldName} called using nil *Time pointer`,
          );
        }
        if (ind.isNil) {
          this.errorf(`nil pointer evaluating ${typ}.${fieldName}`);
        }
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${typ}`);
  }

  #evalCall(
    dot: Val,
    fun: Callable,
    node: Node,
    name: string,
    argNodes: Node[],
    final: Val,
  ): Val {
    const args = argNodes.slice(1);
    let params: readonly string[];
    let variadic: string | undefined;
    if (fun.kind === "builtin") {
      params = fun.builtin.params;
      variadic = fun.builtin.variadic;
    } else if (isGoFunc(fun.func)) {
      params = fun.func.params;
      variadic = fun.func.variadic;
    } else {
      params = [];
      variadic = "interface {}";
    }
    const numParams = params.length + (variadic !== undefined ? 1 : 0);
    let numIn = args.length;
    if (final !== MISSING) numIn++;
    let numFixed = args.length;
    if (variadic !== undefined) {
      numFixed = params.length;
      if (numIn < numFixed) {
        this.errorf(
          `wrong number of args for ${name}: want at least ${params.length} got ${args.length}`,
        );
      }
    } else if (numIn !== numParams) {
      this.errorf(
        `wrong number of args for ${name}: want ${numParams} got ${numIn}`,
      );
    }

    // and/or short-circuit.
    if (fun.kind === "builtin" && (name === "and" || name === "or")) {
      let v: Val = INVALID;
      for (const arg of args) {
        v = this.#evalArg(dot, "reflect.Value", arg);
        if (truth(v) === (name === "or")) return v;
      }
      if (final !== MISSING) v = this.#validateType(final, "reflect.Value");
      return v;
    }

    const argv: Val[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) {
      argv.push(this.#evalArg(dot, params[i]!, args[i]!));
    }
    if (variadic !== undefined) {
      for (; i < args.length; i++) {
        argv.push(this.#evalArg(dot, variadic, args[i]!));
      }
    }
    if (final !== MISSING) {
      let t = variadic !== undefined ? variadic : params[params.length - 1]!;
      if (variadic !== undefined && numIn - 1 < numFixed) {
        t = params[numIn - 1]!;
      }
      argv.push(this.#validateType(final, t));
    }

    try {
      if (fun.kind === "builtin") return fun.builtin.impl(argv);
      const f = fun.func;
      const jsArgs = argv.map(toJs);
      if (isGoFunc(f)) {
        const raw = (f.fn as (...a: unknown[]) => unknown)(
          ...jsArgs.map((a, j) =>
            coerceArg(a, j < f.params.length ? f.params[j]! : variadic!)
          ),
        );
        return toVal(raw, f.result);
      }
      return toVal((f as (...a: unknown[]) => unknown)(...jsArgs));
    } catch (e) {
      if (
        e instanceof ExecFailure || e instanceof TemplateError ||
        isStackOverflow(e)
      ) throw e;
      this.at(node);
      const msg = e instanceof FuncError || e instanceof Error
        ? e.message
        : String(e);
      this.errorf(`error calling ${name}: ${msg}`);
    }
  }

  #evalArg(dot: Val, typ: string | null, n: Node): Val {
    this.at(n);
    switch (n.kind) {
      case "dot":
        return this.#validateType(dot, typ);
      case "nil":
        if (typ === "reflect.Value") return INVALID; // Go's builtins take nil as no value
        if (typ !== null && canBeNil(typ)) return { v: null, t: typ };
        this.errorf(`cannot assign nil to ${typ ?? "<nil>"}`);
        break;
      case "field":
        return this.#validateType(
          this.#evalFieldNode(dot, n, [n], MISSING),
          typ,
        );
      case "variable":
        return this.#validateType(
          this.#evalVariableNode(dot, n, [], MISSING),
          typ,
        );
      case "pipe":
        return this.#validateType(this.#evalPipeline(dot, n), typ);
      case "identifier":
        return this.#validateType(
          this.#evalFunction(dot, n, n, [], MISSING),
          typ,
        );
      case "chain":
        return this.#validateType(
          this.#evalChainNode(dot, n, [], MISSING),
          typ,
        );
    }
    if (typ === null || typ === "reflect.Value" || isInterfaceType(typ)) {
      return this.#evalEmptyInterface(dot, n);
    }
    switch (kindOf({ v: 0, t: typ })) {
      case "bool":
        this.at(n);
        if (n.kind === "bool") return { v: n.value, t: typ };
        this.errorf(`expected bool; found ${nodeString(n)}`);
        break;
      case "complex":
        if (n.kind === "number" && n.isComplex) {
          return { v: new GoComplex(n.complex.re, n.complex.im), t: typ };
        }
        this.errorf(`expected complex; found ${nodeString(n)}`);
        break;
      case "float":
        if (n.kind === "number" && n.isFloat) return { v: n.float, t: typ };
        this.errorf(`expected float; found ${nodeString(n)}`);
        break;
      case "int":
        if (n.kind === "number" && n.isInt) return intValue(n.int, typ);
        this.errorf(`expected integer; found ${nodeString(n)}`);
        break;
      case "uint":
        if (n.kind === "number" && n.isUint) return intValue(n.uint, typ);
        this.errorf(`expected unsigned integer; found ${nodeString(n)}`);
        break;
      case "string":
        if (n.kind === "string") return { v: n.text, t: typ };
        this.errorf(`expected string; found ${nodeString(n)}`);
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${typ}`);
  }

  #evalEmptyInterface(dot: Val, n: Node): Val {
    this.at(n);
    switch (n.kind) {
      case "bool":
        return { v: n.value, t: "bool" };
      case "dot":
        return dot;
      case "field":
        return this.#evalFieldNode(dot, n, [], MISSING);
      case "identifier":
        return this.#evalFunction(dot, n, n, [], MISSING);
      case "nil":
        this.errorf("evalEmptyInterface: nil (can't happen)");
        break;
      case "number":
        return this.#idealConstant(n);
      case "string":
        return { v: n.text, t: "string" };
      case "variable":
        return this.#evalVariableNode(dot, n, [], MISSING);
      case "pipe":
        return this.#evalPipeline(dot, n);
    }
    this.errorf(
      `can't handle assignment of ${nodeString(n)} to empty interface argument`,
    );
  }

  #validateType(value: Val, typ: string | null): Val {
    if (kindOf(value) === "invalid") {
      if (typ === null || typ === "reflect.Value") return INVALID;
      if (canBeNil(typ)) return { v: null, t: typ };
      this.errorf(`invalid value; expected ${typ}`);
    }
    if (typ === null || typ === "reflect.Value") return value;
    if (assignable(value.t, typ)) return value;
    if (kindOf(value) === "interface" && !isNilVal(value)) {
      const elem = toVal(value.v);
      if (assignable(elem.t, typ)) return elem;
      value = elem;
    }
    if (kindOf(value) === "ptr" && assignable(elemType(value.t), typ)) {
      if (isNilVal(value)) {
        this.errorf(`dereference of nil pointer of type ${typ}`);
      }
      return { v: value.v, t: elemType(value.t) };
    }
    const loose = looseConversion(value, typ);
    if (loose !== undefined) return loose;
    this.errorf(`wrong type for value; expected ${typ}; got ${value.t}`);
  }

  #printValue(n: Node, v: Val): void {
    this.at(n);
    let val = v;
    if (kindOf(val) === "ptr") val = indirect(val).val;
    if (kindOf(val) === "invalid") {
      this.#out.push("<no value>");
      return;
    }
    const k = kindOf(val);
    if ((k === "func" || k === "chan") && stringerText(val) === undefined) {
      this.errorf(`can't print ${nodeString(n)} of type ${val.t}`);
    }
    this.#out.push(sprint([val]));
  }
}

// Plain JS arrays and objects carry no element type; let them pass where
// their elements fit (a string array where []string is wanted).
function looseConversion(value: Val, typ: GoType): Val | undefined {
  if (value.t !== dynamicType(value.v)) return undefined;
  const k = kindOf({ v: null, t: typ });
  const et = elemType(typ);
  const fits = (x: unknown): boolean =>
    isInterfaceType(et) || assignable(toVal(x).t, et);
  if (k === "slice" && Array.isArray(value.v)) {
    return value.v.every(fits) ? { v: value.v, t: typ } : undefined;
  }
  if (k === "map" && kindOf(value) === "map" && !(value.v instanceof Map)) {
    return Object.values(value.v as object).every(fits)
      ? { v: value.v, t: typ }
      : undefined;
  }
  return undefined;
}

// Integer parameters get JS numbers; bigints that fit are converted.
function coerceArg(a: unknown, t: GoType): unknown {
  if (
    typeof a === "bigint" && kindOf({ v: 0, t }) !== "invalid" &&
    t !== "int64" && t !== "uint64"
  ) {
    return Number(a);
  }
  return a;
}

/**
 * Executes a template tree.
 *
 * @param ctx Trees, functions and options.
 * @param data The data (`.` and `$`).
 * @param options `name`: the template to run.
 * @returns The output.
 * @throws {TemplateError} With Go's message; `output` holds what was written.
 */
export function executeTree(
  ctx: ExecContext,
  data: unknown,
  options: { name: string },
): string {
  const name = options.name;
  const out: string[] = [];
  const dot = data === null || data === undefined ? INVALID : toVal(data);
  const root = ctx.trees.get(name);
  try {
    const state = new State(ctx, name, dot, out, 0);
    if (root === undefined) {
      return state.errorf(`${quote(name)} is an incomplete or empty template`);
    }
    state.walk(dot, root);
  } catch (caught) {
    let e = caught;
    if (e instanceof DepthExceeded) {
      const state = new State(ctx, e.tmplName, INVALID, [], 0);
      state.at(e.node);
      try {
        state.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
      } catch (failure) {
        e = failure;
      }
    }
    if (e instanceof ExecFailure) {
      throw new TemplateError(e.message, {
        phase: "execute",
        templateName: name,
        ...(e.line !== undefined ? { line: e.line } : {}),
        ...(e.column !== undefined ? { column: e.column } : {}),
        output: out.join(""),
      });
    }
    if (e === BREAK || e === CONTINUE) return out.join("");
    throw e;
  }
  return out.join("");
}
