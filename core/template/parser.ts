/**
 * The parser of Go's `text/template` (Go 1.19 `text/template/parse`):
 * builds the trees of a template text (the main one and those of `define`
 * and `block`), with Go's checks and error messages.
 *
 * @module
 */

import { type Item, ItemType, Lexer } from "./lexer.ts";
import type {
  ActionNode,
  BranchNode,
  CommandNode,
  DelimNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  Source,
  TemplateNode,
  VariableNode,
} from "./nodes.ts";
import { nodeString } from "./nodes.ts";
import { quote, unquote, unquoteChar, UnquoteError } from "./strconv.ts";
import { TemplateError } from "./template_error.ts";

/** The trees of one parse, by template name. */
export type TreeSet = Map<string, ListNode>;

/** Options of {@linkcode parseTrees}. */
export interface ParseTreesOptions {
  /** Whether a function name exists (builtins and custom functions). */
  hasFunction: (name: string) => boolean;
}

class ParseFailure extends Error {}

function itemString(i: Item): string {
  if (i.type === ItemType.EOF) return "EOF";
  if (i.type === ItemType.Error) return i.val;
  if (i.type > ItemType.Keyword) return `<${i.val}>`;
  const runes = [...i.val];
  if (runes.length > 10) return quote(runes.slice(0, 10).join("")) + "...";
  return quote(i.val);
}

/** Whether a tree is empty as Go's `parse.IsEmptyTree` decides. */
export function isEmptyTree(n: Node | null): boolean {
  if (n === null) return true;
  switch (n.kind) {
    case "comment":
      return true;
    case "list":
      return n.nodes.every(isEmptyTree);
    case "text":
      return n.text.trim() === "";
  }
  return false;
}

class Tree {
  name: string;
  root: ListNode | null = null;
  readonly #source: Source;
  readonly #lex: Lexer;
  readonly #treeSet: TreeSet;
  readonly #options: ParseTreesOptions;
  readonly #token: Item[] = [];
  #peekCount = 0;
  #vars: string[] = ["$"];
  #actionLine = 0;
  #rangeDepth = 0;

  constructor(
    name: string,
    source: Source,
    lex: Lexer,
    treeSet: TreeSet,
    options: ParseTreesOptions,
  ) {
    this.name = name;
    this.#source = source;
    this.#lex = lex;
    this.#treeSet = treeSet;
    this.#options = options;
  }

  // ---- token buffer (Go's next/backup/peek with a 3-token look-ahead)

  #next(): Item {
    if (this.#peekCount > 0) this.#peekCount--;
    else this.#token[0] = this.#lex.nextItem();
    return this.#token[this.#peekCount]!;
  }

  #backup(): void {
    this.#peekCount++;
  }

  #backup2(t1: Item): void {
    this.#token[1] = t1;
    this.#peekCount = 2;
  }

  #backup3(t2: Item, t1: Item): void {
    this.#token[1] = t1;
    this.#token[2] = t2;
    this.#peekCount = 3;
  }

  #peek(): Item {
    if (this.#peekCount > 0) return this.#token[this.#peekCount - 1]!;
    this.#peekCount = 1;
    this.#token[0] = this.#lex.nextItem();
    return this.#token[0];
  }

  #nextNonSpace(): Item {
    let token: Item;
    do token = this.#next(); while (token.type === ItemType.Space);
    return token;
  }

  #peekNonSpace(): Item {
    const token = this.#nextNonSpace();
    this.#backup();
    return token;
  }

  // ---- errors

  #errorf(message: string): never {
    const line = this.#token[0]?.line ?? 1;
    throw new TemplateError(
      `template: ${this.#source.name}:${line}: ${message}`,
      {
        phase: "parse",
        templateName: this.#source.name,
        line,
      },
    );
  }

  #expect(expected: ItemType, context: string): Item {
    const token = this.#nextNonSpace();
    if (token.type !== expected) this.#unexpected(token, context);
    return token;
  }

  #expectOneOf(a: ItemType, b: ItemType, context: string): Item {
    const token = this.#nextNonSpace();
    if (token.type !== a && token.type !== b) this.#unexpected(token, context);
    return token;
  }

  #unexpected(token: Item, context: string): never {
    if (token.type === ItemType.Error) {
      let extra = "";
      if (this.#actionLine !== 0 && this.#actionLine !== token.line) {
        extra =
          ` in action started at ${this.#source.name}:${this.#actionLine}`;
        if (token.val.endsWith(" action")) {
          extra = extra.slice(" in action".length);
        }
      }
      this.#errorf(`${itemString(token)}${extra}`);
    }
    this.#errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  #unquote(text: string): string {
    try {
      return unquote(text);
    } catch (e) {
      if (e instanceof UnquoteError) this.#errorf(e.message);
      throw e;
    }
  }

  // ---- node constructors

  #list(pos: number): ListNode {
    return { kind: "list", pos, source: this.#source, nodes: [] };
  }

  #pipe(pos: number, decl: VariableNode[]): PipeNode {
    return {
      kind: "pipe",
      pos,
      source: this.#source,
      isAssign: false,
      decl,
      cmds: [],
    };
  }

  #variable(pos: number, ident: string): VariableNode {
    return {
      kind: "variable",
      pos,
      source: this.#source,
      ident: ident.split("."),
    };
  }

  // ---- grammar

  parse(): void {
    this.root = this.#list(this.#peek().pos);
    while (this.#peek().type !== ItemType.EOF) {
      if (this.#peek().type === ItemType.LeftDelim) {
        const delim = this.#next();
        if (this.#nextNonSpace().type === ItemType.Define) {
          const newT = new Tree(
            "definition",
            this.#source,
            this.#lex,
            this.#treeSet,
            this.#options,
          );
          newT.parseDefinition();
          continue;
        }
        this.#backup2(delim);
      }
      const n = this.#textOrAction();
      if (n.kind === "end" || n.kind === "else") {
        this.#errorf(`unexpected ${nodeString(n)}`);
      } else this.root.nodes.push(n);
    }
  }

  parseDefinition(): void {
    const context = "define clause";
    const name = this.#expectOneOf(
      ItemType.String,
      ItemType.RawString,
      context,
    );
    this.name = this.#unquote(name.val);
    this.#expect(ItemType.RightDelim, context);
    const [list, end] = this.#itemList();
    this.root = list;
    if (end.kind !== "end") {
      this.#errorf(`unexpected ${nodeString(end)} in ${context}`);
    }
    this.add();
  }

  add(): void {
    const tree = this.#treeSet.get(this.name);
    if (tree === undefined || isEmptyTree(tree)) {
      this.#treeSet.set(this.name, this.root!);
      return;
    }
    if (!isEmptyTree(this.root)) {
      this.#errorf(
        `template: multiple definition of template ${quote(this.name)}`,
      );
    }
  }

  #itemList(): [ListNode, Node] {
    const list = this.#list(this.#peekNonSpace().pos);
    while (this.#peekNonSpace().type !== ItemType.EOF) {
      const n = this.#textOrAction();
      if (n.kind === "end" || n.kind === "else") return [list, n];
      list.nodes.push(n);
    }
    this.#errorf("unexpected EOF");
  }

  #textOrAction(): Node {
    const token = this.#nextNonSpace();
    switch (token.type) {
      case ItemType.Text:
        return {
          kind: "text",
          pos: token.pos,
          source: this.#source,
          text: token.val,
        };
      case ItemType.LeftDelim: {
        this.#actionLine = token.line;
        try {
          return this.#action();
        } finally {
          this.#actionLine = 0;
        }
      }
      case ItemType.Comment:
        return {
          kind: "comment",
          pos: token.pos,
          source: this.#source,
          text: token.val,
        };
    }
    this.#unexpected(token, "input");
  }

  #action(): Node {
    const token = this.#nextNonSpace();
    switch (token.type) {
      case ItemType.Block:
        return this.#blockControl();
      case ItemType.Break:
        return this.#loopControl(token, "break");
      case ItemType.Continue:
        return this.#loopControl(token, "continue");
      case ItemType.Else:
        return this.#elseControl();
      case ItemType.End:
        return this.#endControl();
      case ItemType.If:
        return this.#branch("if", true);
      case ItemType.Range:
        return this.#branch("range", false);
      case ItemType.Template:
        return this.#templateControl();
      case ItemType.With:
        return this.#branch("with", false);
    }
    this.#backup();
    const first = this.#peek();
    const action: ActionNode = {
      kind: "action",
      pos: first.pos,
      source: this.#source,
      pipe: this.#pipeline("command", ItemType.RightDelim),
    };
    return action;
  }

  #loopControl(token: Item, kind: "break" | "continue"): Node {
    const next = this.#nextNonSpace();
    if (next.type !== ItemType.RightDelim) {
      this.#unexpected(next, `{{${kind}}}`);
    }
    if (this.#rangeDepth === 0) this.#errorf(`{{${kind}}} outside {{range}}`);
    return { kind, pos: token.pos, source: this.#source };
  }

  #pipeline(context: string, end: ItemType): PipeNode {
    const token = this.#peekNonSpace();
    const pipe = this.#pipe(token.pos, []);
    decls: for (;;) {
      const v = this.#peekNonSpace();
      if (v.type === ItemType.Variable) {
        this.#next();
        const tokenAfterVariable = this.#peek();
        const next = this.#peekNonSpace();
        if (next.type === ItemType.Assign || next.type === ItemType.Declare) {
          pipe.isAssign = next.type === ItemType.Assign;
          this.#nextNonSpace();
          pipe.decl.push(this.#variable(v.pos, v.val));
          this.#vars.push(v.val);
        } else if (next.type === ItemType.Char && next.val === ",") {
          this.#nextNonSpace();
          pipe.decl.push(this.#variable(v.pos, v.val));
          this.#vars.push(v.val);
          if (context === "range" && pipe.decl.length < 2) {
            const p = this.#peekNonSpace().type;
            if (
              p === ItemType.Variable || p === ItemType.RightDelim ||
              p === ItemType.RightParen
            ) {
              continue decls;
            }
            this.#errorf("range can only initialize variables");
          }
          this.#errorf(`too many declarations in ${context}`);
        } else if (tokenAfterVariable.type === ItemType.Space) {
          this.#backup3(v, tokenAfterVariable);
        } else {
          this.#backup2(v);
        }
      }
      break;
    }
    for (;;) {
      const token = this.#nextNonSpace();
      switch (token.type) {
        case end:
          this.#checkPipeline(pipe, context);
          return pipe;
        case ItemType.Bool:
        case ItemType.CharConstant:
        case ItemType.Complex:
        case ItemType.Dot:
        case ItemType.Field:
        case ItemType.Identifier:
        case ItemType.Number:
        case ItemType.Nil:
        case ItemType.RawString:
        case ItemType.String:
        case ItemType.Variable:
        case ItemType.LeftParen:
          this.#backup();
          pipe.cmds.push(this.#command());
          break;
        default:
          this.#unexpected(token, context);
      }
    }
  }

  #checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.#errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      switch (c.args[0]!.kind) {
        case "bool":
        case "dot":
        case "nil":
        case "number":
        case "string":
          this.#errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  #parseControl(
    allowElseIf: boolean,
    context: string,
  ): [PipeNode, ListNode, ListNode | null] {
    const varsMark = this.#vars.length;
    try {
      const pipe = this.#pipeline(context, ItemType.RightDelim);
      if (context === "range") this.#rangeDepth++;
      const [list, first] = this.#itemList();
      let next = first;
      if (context === "range") this.#rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.kind === "else") {
        if (allowElseIf && this.#peek().type === ItemType.If) {
          // {{if a}}_{{else if b}}_{{end}} is {{if a}}_{{else}}{{if b}}_{{end}}{{end}}.
          this.#next();
          elseList = this.#list(next.pos);
          elseList.nodes.push(this.#branch("if", true));
          return [pipe, list, elseList];
        }
        [elseList, next] = this.#itemList();
        if (next.kind !== "end") {
          this.#errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return [pipe, list, elseList];
    } finally {
      this.#vars.length = varsMark;
    }
  }

  #branch(kind: "if" | "range" | "with", allowElseIf: boolean): BranchNode {
    const [pipe, list, elseList] = this.#parseControl(allowElseIf, kind);
    return { kind, pos: pipe.pos, source: this.#source, pipe, list, elseList };
  }

  #endControl(): DelimNode {
    return {
      kind: "end",
      pos: this.#expect(ItemType.RightDelim, "end").pos,
      source: this.#source,
    };
  }

  #elseControl(): DelimNode {
    const peek = this.#peekNonSpace();
    if (peek.type === ItemType.If) {
      return { kind: "else", pos: peek.pos, source: this.#source };
    }
    const token = this.#expect(ItemType.RightDelim, "else");
    return { kind: "else", pos: token.pos, source: this.#source };
  }

  #blockControl(): TemplateNode {
    const context = "block clause";
    const token = this.#nextNonSpace();
    const name = this.#parseTemplateName(token, context);
    const pipe = this.#pipeline(context, ItemType.RightDelim);
    const block = new Tree(
      name,
      this.#source,
      this.#lex,
      this.#treeSet,
      this.#options,
    );
    const [list, end] = block.#itemList();
    block.root = list;
    if (end.kind !== "end") {
      this.#errorf(`unexpected ${nodeString(end)} in ${context}`);
    }
    block.add();
    return {
      kind: "template",
      pos: token.pos,
      source: this.#source,
      name,
      pipe,
    };
  }

  #templateControl(): TemplateNode {
    const context = "template clause";
    const token = this.#nextNonSpace();
    const name = this.#parseTemplateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.#nextNonSpace().type !== ItemType.RightDelim) {
      this.#backup();
      pipe = this.#pipeline(context, ItemType.RightDelim);
    }
    return {
      kind: "template",
      pos: token.pos,
      source: this.#source,
      name,
      pipe,
    };
  }

  #parseTemplateName(token: Item, context: string): string {
    if (token.type === ItemType.String || token.type === ItemType.RawString) {
      return this.#unquote(token.val);
    }
    this.#unexpected(token, context);
  }

  #command(): CommandNode {
    const cmd: CommandNode = {
      kind: "command",
      pos: this.#peekNonSpace().pos,
      source: this.#source,
      args: [],
    };
    for (;;) {
      this.#peekNonSpace();
      const operand = this.#operand();
      if (operand !== null) cmd.args.push(operand);
      const token = this.#next();
      if (token.type === ItemType.Space) continue;
      if (
        token.type === ItemType.RightDelim || token.type === ItemType.RightParen
      ) {
        this.#backup();
      } else if (token.type !== ItemType.Pipe) {
        this.#unexpected(token, "operand");
      }
      break;
    }
    if (cmd.args.length === 0) this.#errorf("empty command");
    return cmd;
  }

  #operand(): Node | null {
    const node = this.#term();
    if (node === null) return null;
    if (this.#peek().type === ItemType.Field) {
      const chainPos = this.#peek().pos;
      const fields: string[] = [];
      while (this.#peek().type === ItemType.Field) {
        fields.push(this.#next().val.slice(1));
      }
      switch (node.kind) {
        case "field":
          return {
            kind: "field",
            pos: chainPos,
            source: this.#source,
            ident: [...node.ident, ...fields],
          };
        case "variable":
          return {
            kind: "variable",
            pos: chainPos,
            source: this.#source,
            ident: [...node.ident, ...fields],
          };
        case "bool":
        case "string":
        case "number":
        case "nil":
        case "dot":
          this.#errorf(`unexpected . after term ${quote(nodeString(node))}`);
      }
      return {
        kind: "chain",
        pos: chainPos,
        source: this.#source,
        node,
        field: fields,
      };
    }
    return node;
  }

  #term(): Node | null {
    const token = this.#nextNonSpace();
    const base = { pos: token.pos, source: this.#source };
    switch (token.type) {
      case ItemType.Identifier:
        if (!this.#options.hasFunction(token.val)) {
          this.#errorf(`function ${quote(token.val)} not defined`);
        }
        return { kind: "identifier", ...base, ident: token.val };
      case ItemType.Dot:
        return { kind: "dot", ...base };
      case ItemType.Nil:
        return { kind: "nil", ...base };
      case ItemType.Variable:
        return this.#useVar(token.pos, token.val);
      case ItemType.Field:
        return { kind: "field", ...base, ident: [token.val.slice(1)] };
      case ItemType.Bool:
        return { kind: "bool", ...base, value: token.val === "true" };
      case ItemType.CharConstant:
      case ItemType.Complex:
      case ItemType.Number:
        return this.#newNumber(token);
      case ItemType.LeftParen:
        return this.#pipeline("parenthesized pipeline", ItemType.RightParen);
      case ItemType.String:
      case ItemType.RawString:
        return {
          kind: "string",
          ...base,
          quoted: token.val,
          text: this.#unquote(token.val),
        };
    }
    this.#backup();
    return null;
  }

  #useVar(pos: number, name: string): VariableNode {
    const v = this.#variable(pos, name);
    if (!this.#vars.includes(v.ident[0]!)) {
      this.#errorf(`undefined variable ${quote(v.ident[0]!)}`);
    }
    return v;
  }

  #newNumber(token: Item): NumberNode {
    try {
      return newNumber(token, this.#source);
    } catch (e) {
      if (e instanceof ParseFailure || e instanceof UnquoteError) {
        this.#errorf(e.message);
      }
      throw e;
    }
  }
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

// Go's underscoreOK (strconv): underscores only between digits or after a base prefix.
function underscoreOk(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "bBoOxX".includes(s[1]!)) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

// Go's strconv.ParseUint/ParseInt with base 0; undefined on any error.
function parseGoInteger(text: string, signed: boolean): bigint | undefined {
  let s = text;
  let neg = false;
  if (signed && (s[0] === "+" || s[0] === "-")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "") return undefined;
  let base = 10;
  let body = s;
  if (s[0] === "0") {
    if (s.length >= 3 && (s[1] === "x" || s[1] === "X")) {
      base = 16;
      body = s.slice(2);
    } else if (s.length >= 3 && (s[1] === "o" || s[1] === "O")) {
      base = 8;
      body = s.slice(2);
    } else if (s.length >= 3 && (s[1] === "b" || s[1] === "B")) {
      base = 2;
      body = s.slice(2);
    } else {
      base = 8;
      body = s.slice(1);
      if (body === "") return neg ? 0n : 0n;
    }
  }
  let n = 0n;
  let underscores = false;
  const b = BigInt(base);
  for (const c of body) {
    if (c === "_") {
      underscores = true;
      continue;
    }
    const d = parseInt(c, 36);
    if (Number.isNaN(d) || d >= base) return undefined;
    n = n * b + BigInt(d);
    if (n > UINT64_MAX) return undefined;
  }
  if (underscores && !underscoreOk(text)) return undefined;
  if (body.replaceAll("_", "") === "" && base !== 8) return undefined;
  if (neg) n = -n;
  if (signed ? n > INT64_MAX || n < INT64_MIN : n > UINT64_MAX) {
    return undefined;
  }
  return n;
}

// Go's strconv.ParseFloat(text, 64) for the texts the lexer produces.
function parseGoFloat(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s[0] === "+" || s[0] === "-") {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s.includes("_") && !underscoreOk(s)) return undefined;
  s = s.replaceAll("_", "");
  if (/^0[xX]/.test(s)) {
    const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(
      s,
    );
    if (!m || (m[1] === "" && (m[2] ?? "") === "")) return undefined;
    const digits = (m[1] ?? "") + (m[2] ?? "");
    const mant = Number(BigInt("0x" + (digits || "0")));
    const exp = Number(m[3]) - 4 * (m[2] ?? "").length;
    return sign * mant * 2 ** exp;
  }
  if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  return sign * Number(s);
}

function newNumber(token: Item, source: Source): NumberNode {
  const text = token.val;
  const n: NumberNode = {
    kind: "number",
    pos: token.pos,
    source,
    text,
    isInt: false,
    isUint: false,
    isFloat: false,
    isComplex: false,
    int: 0n,
    uint: 0n,
    float: 0,
    complex: { re: 0, im: 0 },
  };
  if (token.type === ItemType.CharConstant) {
    const { value, tail } = unquoteChar(text.slice(1), text[0]!);
    if (tail !== "'") {
      throw new ParseFailure(`malformed character constant: ${text}`);
    }
    n.int = n.uint = BigInt(value);
    n.float = value;
    n.isInt = n.isUint = n.isFloat = true;
    return n;
  }
  if (token.type === ItemType.Complex) {
    const m = /^([+-]?[^+-]+(?:[eE][+-]?\d+)?)([+-].+)i$/.exec(text);
    const re = m ? parseGoFloat(m[1]!) : undefined;
    const im = m ? parseGoFloat(m[2]!) : undefined;
    if (re === undefined || im === undefined) {
      throw new ParseFailure("expected integer");
    }
    n.isComplex = true;
    n.complex = { re, im };
    simplifyComplex(n);
    return n;
  }
  if (text.endsWith("i")) {
    const f = parseGoFloat(text.slice(0, -1));
    if (f !== undefined) {
      n.isComplex = true;
      n.complex = { re: 0, im: f };
      simplifyComplex(n);
      return n;
    }
  }
  const u = parseGoInteger(text, false);
  if (u !== undefined) {
    n.isUint = true;
    n.uint = u;
  }
  const i = parseGoInteger(text, true);
  if (i !== undefined) {
    n.isInt = true;
    n.int = i;
    if (i === 0n) {
      n.isUint = true;
      n.uint = 0n;
    }
  }
  if (n.isInt) {
    n.isFloat = true;
    n.float = Number(n.int);
  } else if (n.isUint) {
    n.isFloat = true;
    n.float = Number(n.uint);
  } else {
    const f = parseGoFloat(text);
    if (f !== undefined) {
      if (!/[.eEpP]/.test(text)) {
        throw new ParseFailure(`integer overflow: ${quote(text)}`);
      }
      n.isFloat = true;
      n.float = f;
      if (Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63) {
        n.isInt = true;
        n.int = BigInt(f);
      }
      if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
        n.isUint = true;
        n.uint = BigInt(f);
      }
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) {
    throw new ParseFailure(`illegal number syntax: ${quote(text)}`);
  }
  return n;
}

function simplifyComplex(n: NumberNode): void {
  n.isFloat = n.complex.im === 0;
  if (n.isFloat) {
    n.float = n.complex.re;
    n.isInt = Number.isInteger(n.float) && Math.abs(n.float) < 2 ** 63;
    if (n.isInt) n.int = BigInt(n.float);
    n.isUint = Number.isInteger(n.float) && n.float >= 0 && n.float < 2 ** 64;
    if (n.isUint) n.uint = BigInt(n.float);
  }
}

/**
 * Parses a template text into its trees: the main one (named `name`) and
 * one per `define`/`block`.
 *
 * @param text The template text.
 * @param name The template's name, used in errors and for the main tree.
 * @param options The function-existence check.
 * @returns The trees by name.
 * @throws {TemplateError} With Go's message when the text does not parse.
 */
export function parseTrees(
  text: string,
  name: string,
  options: ParseTreesOptions,
): TreeSet {
  const source: Source = { name, text };
  const treeSet: TreeSet = new Map();
  const lex = new Lexer(text);
  const t = new Tree(name, source, lex, treeSet, options);
  t.parse();
  t.add();
  return treeSet;
}
