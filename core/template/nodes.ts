/**
 * The parse tree of a Go template, and Go's `String()` of each node (used in
 * execution errors: `at <index .Layers 5>`).
 *
 * @module
 */

import { quote } from "./strconv.ts";

/** Where a tree's text came from, for error positions. */
export interface Source {
  /** The name errors print (`template: NAME:1:2: …`). */
  readonly name: string;
  /** The whole template text. */
  readonly text: string;
}

interface Base {
  /** Offset in the template text. */
  readonly pos: number;
  /** The text this node was parsed from. */
  readonly source: Source;
}

/** A sequence of nodes. */
export interface ListNode extends Base {
  readonly kind: "list";
  readonly nodes: Node[];
}
/** Plain text. */
export interface TextNode extends Base {
  readonly kind: "text";
  readonly text: string;
}
/** A `{{/* … *\/}}` comment (kept only for String()). */
export interface CommentNode extends Base {
  readonly kind: "comment";
  readonly text: string;
}
/** A `{{pipeline}}` action. */
export interface ActionNode extends Base {
  readonly kind: "action";
  readonly pipe: PipeNode;
}
/** A pipeline with optional variable declarations. */
export interface PipeNode extends Base {
  readonly kind: "pipe";
  isAssign: boolean;
  readonly decl: VariableNode[];
  readonly cmds: CommandNode[];
}
/** A command: a function, field or value with arguments. */
export interface CommandNode extends Base {
  readonly kind: "command";
  readonly args: Node[];
}
/** A function name. */
export interface IdentifierNode extends Base {
  readonly kind: "identifier";
  readonly ident: string;
}
/** `$x` or `$x.Field.Other`. */
export interface VariableNode extends Base {
  readonly kind: "variable";
  readonly ident: string[];
}
/** `.` */
export interface DotNode extends Base {
  readonly kind: "dot";
}
/** `nil` */
export interface NilNode extends Base {
  readonly kind: "nil";
}
/** `.Field.Other` */
export interface FieldNode extends Base {
  readonly kind: "field";
  readonly ident: string[];
}
/** `(pipeline).Field` */
export interface ChainNode extends Base {
  readonly kind: "chain";
  readonly node: Node;
  readonly field: string[];
}
/** `true` or `false`. */
export interface BoolNode extends Base {
  readonly kind: "bool";
  readonly value: boolean;
}
/** A number constant with every type it can take, as Go's NumberNode. */
export interface NumberNode extends Base {
  readonly kind: "number";
  readonly text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int: bigint;
  uint: bigint;
  float: number;
  complex: { re: number; im: number };
}
/** A string constant. */
export interface StringNode extends Base {
  readonly kind: "string";
  /** The original literal, with quotes. */
  readonly quoted: string;
  /** Its value. */
  readonly text: string;
}
/** `{{if}}`, `{{range}}` or `{{with}}`. */
export interface BranchNode extends Base {
  readonly kind: "if" | "range" | "with";
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | null;
}
/** `{{template "name" pipeline}}` */
export interface TemplateNode extends Base {
  readonly kind: "template";
  readonly name: string;
  readonly pipe: PipeNode | null;
}
/** `{{break}}` or `{{continue}}`. */
export interface LoopControlNode extends Base {
  readonly kind: "break" | "continue";
}
/** `{{else}}` or `{{end}}`; only seen by the parser. */
export interface DelimNode extends Base {
  readonly kind: "else" | "end";
}

/** Any node. */
export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | ActionNode
  | PipeNode
  | CommandNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | BranchNode
  | TemplateNode
  | LoopControlNode
  | DelimNode;

/** Go's `Node.String()`: the node written back as template text. */
export function nodeString(n: Node): string {
  switch (n.kind) {
    case "list":
      return n.nodes.map(nodeString).join("");
    case "text":
      return n.text;
    case "comment":
      return "{{" + n.text + "}}";
    case "action":
      return "{{" + nodeString(n.pipe) + "}}";
    case "pipe": {
      let s = "";
      if (n.decl.length > 0) s = n.decl.map(nodeString).join(", ") + " := ";
      return s + n.cmds.map(nodeString).join(" | ");
    }
    case "command":
      return n.args.map((a) =>
        a.kind === "pipe" ? "(" + nodeString(a) + ")" : nodeString(a)
      )
        .join(" ");
    case "identifier":
      return n.ident;
    case "variable":
      return n.ident.join(".");
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "field":
      return n.ident.map((id) => "." + id).join("");
    case "chain": {
      const head = n.node.kind === "pipe"
        ? "(" + nodeString(n.node) + ")"
        : nodeString(n.node);
      return head + n.field.map((f) => "." + f).join("");
    }
    case "bool":
      return n.value ? "true" : "false";
    case "number":
      return n.text;
    case "string":
      return n.quoted;
    case "if":
    case "range":
    case "with": {
      let s = "{{" + n.kind + " " + nodeString(n.pipe) + "}}" +
        nodeString(n.list);
      if (n.elseList) s += "{{else}}" + nodeString(n.elseList);
      return s + "{{end}}";
    }
    case "template":
      return "{{template " + quote(n.name) +
        (n.pipe ? " " + nodeString(n.pipe) : "") + "}}";
    case "break":
      return "{{break}}";
    case "continue":
      return "{{continue}}";
    case "else":
      return "{{else}}";
    case "end":
      return "{{end}}";
  }
}
