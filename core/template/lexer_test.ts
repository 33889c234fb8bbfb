import assert from "node:assert/strict";
import { type Item, ItemType, Lexer } from "./lexer.ts";

function lex(text: string): Array<[string, string]> {
  const l = new Lexer(text);
  const out: Array<[string, string]> = [];
  for (;;) {
    const i: Item = l.nextItem();
    out.push([ItemType[i.type], i.val]);
    if (i.type === ItemType.EOF || i.type === ItemType.Error) return out;
  }
}

Deno.test("Lexer splits text and actions into Go's tokens", () => {
  assert.deepEqual(lex('a{{.X.y | printf "%d" 1.5 $v}}b'), [
    ["Text", "a"],
    ["LeftDelim", "{{"],
    ["Field", ".X"],
    ["Field", ".y"],
    ["Space", " "],
    ["Pipe", "|"],
    ["Space", " "],
    ["Identifier", "printf"],
    ["Space", " "],
    ["String", '"%d"'],
    ["Space", " "],
    ["Number", "1.5"],
    ["Space", " "],
    ["Variable", "$v"],
    ["RightDelim", "}}"],
    ["Text", "b"],
    ["EOF", ""],
  ]);
  assert.deepEqual(
    lex("{{$x := 'a' `r` -2+3i nil true (.)}}").map(([t]) => t),
    [
      "LeftDelim",
      "Variable",
      "Space",
      "Declare",
      "Space",
      "CharConstant",
      "Space",
      "RawString",
      "Space",
      "Complex",
      "Space",
      "Nil",
      "Space",
      "Bool",
      "Space",
      "LeftParen",
      "Dot",
      "RightParen",
      "RightDelim",
      "EOF",
    ],
  );
  assert.deepEqual(
    lex("{{range $i, $e := .}}{{break}}{{end}}").filter(([t]) => t !== "Space")
      .map(([t]) => t),
    [
      "LeftDelim",
      "Range",
      "Variable",
      "Char",
      "Variable",
      "Declare",
      "Dot",
      "RightDelim",
      "LeftDelim",
      "Break",
      "RightDelim",
      "LeftDelim",
      "End",
      "RightDelim",
      "EOF",
    ],
  );
});

Deno.test("Lexer trims spaces around {{- and -}} and drops comments", () => {
  assert.deepEqual(lex("a \n {{- .X -}} \n b{{/* c */}}c {{- /* d */ -}} e"), [
    ["Text", "a"],
    ["LeftDelim", "{{"],
    ["Field", ".X"],
    ["RightDelim", "}}"],
    ["Text", "b"],
    ["Text", "c"],
    ["Text", "e"],
    ["EOF", ""],
  ]);
  // "{{-3}}" is the number -3, not a trim marker.
  assert.deepEqual(lex("{{-3}}")[1], ["Number", "-3"]);
});

Deno.test("Lexer reports Go's lexical errors", () => {
  const last = (t: string) => lex(t).at(-1)!;
  assert.deepEqual(last("{{.X}"), ["Error", "bad character U+007D '}'"]);
  assert.deepEqual(last('{{"abc}}'), ["Error", "unterminated quoted string"]);
  assert.deepEqual(last("{{`abc}}"), [
    "Error",
    "unterminated raw quoted string",
  ]);
  assert.deepEqual(last("{{'a}}"), [
    "Error",
    "unterminated character constant",
  ]);
  assert.deepEqual(last("{{/* x"), ["Error", "unclosed comment"]);
  assert.deepEqual(last("{{/* x */ }}"), [
    "Error",
    "comment ends before closing delimiter",
  ]);
  assert.deepEqual(last("{{(.X}}"), ["Error", "unclosed left paren"]);
  assert.deepEqual(last("{{.X)}}"), [
    "Error",
    "unexpected right paren U+0029 ')'",
  ]);
  assert.deepEqual(last("{{.X"), ["Error", "unclosed action"]);
  assert.deepEqual(last("{{:}}"), ["Error", "expected :="]);
  assert.deepEqual(last("{{3x}}"), ["Error", 'bad number syntax: "3x"']);
  assert.deepEqual(last("{{\u00a0}}"), [
    "Error",
    "unrecognized character in action: U+00A0",
  ]);
});

Deno.test("Lexer gives each token its line", () => {
  const l = new Lexer("a\nb{{\n.X}}\n");
  const lines: number[] = [];
  for (let i = l.nextItem(); i.type !== ItemType.EOF; i = l.nextItem()) {
    lines.push(i.line);
  }
  assert.deepEqual(lines, [1, 2, 2, 3, 3, 3]);
});
