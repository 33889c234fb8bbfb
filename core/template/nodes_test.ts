import assert from "node:assert/strict";
import { nodeString } from "./nodes.ts";
import { parseTrees } from "./parser.ts";

const parse = (text: string) =>
  parseTrees(text, "t", {
    hasFunction: (f) => ["printf", "len", "index", "eq"].includes(f),
  });

Deno.test("nodeString() writes a tree back as Go prints it", () => {
  const cases: Array<[string, string]> = [
    [
      '{{.A.B | printf "%d" (len $.Y) 1.5}}',
      '{{.A.B | printf "%d" (len $.Y) 1.5}}',
    ],
    [
      "{{if eq .A 1}}a{{else if .B}}b{{else}}c{{end}}",
      "{{if eq .A 1}}a{{else}}{{if .B}}b{{else}}c{{end}}{{end}}",
    ],
    [
      "{{range $i, $e := .}}{{break}}{{continue}}{{end}}",
      "{{range $i, $e := .}}{{break}}{{continue}}{{end}}",
    ],
    ["{{with $x = .A}}{{$x}}{{end}}", "{{with $x := .A}}{{$x}}{{end}}"],
    [
      '{{template "n" .}}{{(index . 0).Z}}{{nil}}{{true}}',
      '{{template "n" .}}{{(index . 0).Z}}{{nil}}{{true}}',
    ],
  ];
  for (const [text, want] of cases) {
    assert.equal(nodeString(parse(text).get("t")!), want, text);
  }
});

Deno.test("parseTrees() records define and block bodies as templates", () => {
  const trees = parse('{{define "a"}}A{{end}}x{{block "b" .}}B{{end}}');
  assert.deepEqual([...trees.keys()].sort(), ["a", "b", "t"]);
  assert.equal(nodeString(trees.get("a")!), "A");
  assert.equal(nodeString(trees.get("t")!), 'x{{template "b" .}}');
});
