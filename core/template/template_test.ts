import assert from "node:assert/strict";
import {
  GoStruct,
  GoTime,
  GoValue,
  parseTemplate,
  REPORT_FUNCS,
  TemplateError,
} from "./mod.ts";

function run(
  text: string,
  data: unknown,
  options: Parameters<typeof parseTemplate>[1] = {},
): string {
  return parseTemplate(text, options).execute(data);
}

function execError(
  text: string,
  data: unknown,
  options: Parameters<typeof parseTemplate>[1] = {},
): TemplateError {
  const t = parseTemplate(text, options);
  try {
    t.execute(data);
  } catch (e) {
    assert.ok(e instanceof TemplateError);
    assert.equal(e.phase, "execute");
    return e;
  }
  assert.fail(`no error for ${text}`);
}

const LAYER = (
  digest: string,
  size: number,
  annotations: Record<string, string> | null,
) =>
  new GoStruct("types.ImageInspectLayer", [
    {
      name: "MIMEType",
      value: "application/vnd.oci.image.layer.v1.tar+gzip",
      type: "string",
    },
    { name: "Digest", value: digest, type: "digest.Digest" },
    { name: "Size", value: size, type: "int64" },
    { name: "Annotations", value: annotations, type: "map[string]string" },
  ]);

const INFO = new GoStruct("inspect.Output", [
  { name: "Name", value: "docker.io/library/x", type: "string" },
  {
    name: "LayersData",
    value: [LAYER("sha256:aa", 32, { k: "v" }), LAYER("sha256:bb", 7, null)],
    type: "[]types.ImageInspectLayer",
  },
  {
    name: "Created",
    value: GoTime.parse("2024-01-02T03:04:05Z"),
    type: "*time.Time",
  },
]);

Deno.test("execute() prints struct slices in Go field order", () => {
  assert.equal(
    run("{{.LayersData}}", INFO),
    "[{application/vnd.oci.image.layer.v1.tar+gzip sha256:aa 32 map[k:v]} " +
      "{application/vnd.oci.image.layer.v1.tar+gzip sha256:bb 7 map[]}]",
  );
  assert.equal(
    run('{{printf "%+v" (index .LayersData 1)}}', INFO),
    "{MIMEType:application/vnd.oci.image.layer.v1.tar+gzip Digest:sha256:bb Size:7 Annotations:map[]}",
  );
  assert.equal(run("{{range .LayersData}}{{.Size}},{{end}}", INFO), "32,7,");
  assert.equal(run("{{(index .LayersData 0).Annotations.k}}", INFO), "v");
});

Deno.test("execute() rejects a missing struct field with the struct's type", () => {
  const e = execError("{{.Nope}}", INFO, { name: "t" });
  assert.equal(
    e.message,
    'template: t:1:2: executing "t" at <.Nope>: can\'t evaluate field Nope in type inspect.Output',
  );
  assert.equal(e.line, 1);
  assert.equal(e.column, 2);
  const e2 = execError("{{range .LayersData}}{{.Nope}}{{end}}", INFO, {
    name: "t",
  });
  assert.match(
    e2.message,
    /can't evaluate field Nope in type types\.ImageInspectLayer$/,
  );
});

Deno.test("execute() gives <no value> for a missing map key, or what missingKey asks", () => {
  const data = { m: { a: "1" } };
  assert.equal(run("{{.m.b}}|{{.m.a}}", data), "<no value>|1");
  assert.equal(run("{{.m.b}}|", data, { missingKey: "zero" }), "<no value>|");
  const typed = { m: new GoValue({ a: "1" }, "map[string]string") };
  assert.equal(run("[{{.m.b}}]", typed, { missingKey: "zero" }), "[]");
  assert.equal(
    execError("{{.m.b}}", data, { missingKey: "error", name: "t" }).message,
    'template: t:1:4: executing "t" at <.m.b>: map has no entry for key "b"',
  );
});

Deno.test("execute() prints typed nils as Go does", () => {
  const data = new GoStruct("T", [
    { name: "M", value: null, type: "map[string]string" },
    { name: "S", value: null, type: "[]string" },
    { name: "P", value: null, type: "*time.Time" },
    { name: "I", value: null, type: "interface {}" },
  ]);
  assert.equal(
    run("{{.M}} {{.S}} {{.P}} {{.I}} {{len .M}}", data),
    "map[] [] <nil> <no value> 0",
  );
  assert.equal(run("{{.}}", data), "{map[] [] <nil> <nil>}");
  assert.equal(run("{{.}}", null), "<no value>");
});

Deno.test("execute() prints maps sorted, slices, floats and times like Go", () => {
  const data = {
    m: new Map<unknown, unknown>([[10, "x"], [2, "y"]]),
    labels: { b: "2", a: "1", "a.b": "3" },
    list: ["a", 1, true, null, 2.5],
    when: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 600)),
  };
  assert.equal(run("{{.m}}", data), "map[2:y 10:x]");
  assert.equal(run("{{.labels}}", data), "map[a:1 a.b:3 b:2]");
  assert.equal(run("{{.list}}", data), "[a 1 true <nil> 2.5]");
  assert.equal(run("{{.when}}", data), "2024-01-02 03:04:05.6 +0000 UTC");
  assert.equal(
    run('{{.when.Year}} {{.when.Month}} {{printf "%d" .when.Month}}', data),
    "2024 January 1",
  );
});

Deno.test("execute() calls typed functions with Go's argument checks", () => {
  const funcs = {
    repeat: {
      params: ["string", "int"],
      result: "string",
      fn: ((s: string, n: number) => s.repeat(n)) as (...a: never[]) => unknown,
    },
    fail: {
      params: [],
      result: "string",
      fn: () => {
        throw new Error("boom");
      },
    },
    loose: (...args: unknown[]) => args.length,
  };
  assert.equal(
    run('{{repeat "ab" 3}} {{2 | repeat "y" | len}}', {}, { funcs }),
    "ababab 2",
  );
  assert.equal(run("{{loose 1 2 3}}", {}, { funcs }), "3");
  assert.equal(
    execError('{{repeat "ab" "3"}}', {}, { funcs, name: "t" }).message,
    'template: t:1:14: executing "t" at <"3">: expected integer; found "3"',
  );
  assert.equal(
    execError("{{repeat .x 1}}", { x: 1 }, { funcs, name: "t" }).message,
    'template: t:1:9: executing "t" at <.x>: wrong type for value; expected string; got int',
  );
  assert.equal(
    execError("{{fail}}", {}, { funcs, name: "t" }).message,
    'template: t:1:2: executing "t" at <fail>: error calling fail: boom',
  );
  assert.throws(() => parseTemplate("{{nope}}", { name: "t" }), {
    name: "TemplateError",
    message: 'template: t:1: function "nope" not defined',
  });
});

Deno.test("REPORT_FUNCS behave like containers/common's report functions", () => {
  const data = new GoStruct("T", [
    { name: "Env", value: ["A=1", "B=2"], type: "[]string" },
    { name: "Labels", value: { b: "<2>", a: "1" }, type: "map[string]string" },
    { name: "Os", value: "Linux ß", type: "string" },
  ]);
  const t = (text: string) => run(text, data, { funcs: REPORT_FUNCS });
  assert.equal(t('{{join .Env ","}}'), "A=1,B=2");
  assert.equal(t("{{json .Labels}}"), '{"a":"1","b":"<2>"}');
  assert.equal(
    t("{{json .}}"),
    '{"Env":["A=1","B=2"],"Labels":{"a":"1","b":"<2>"},"Os":"Linux ß"}',
  );
  assert.equal(
    t('{{lower .Os}}|{{upper .Os}}|{{title "hello big-world"}}'),
    "linux ß|LINUX ß|Hello Big-World",
  );
  assert.equal(
    t('{{pad "x" 2 1}}|{{pad "" 2 1}}|{{truncate "abcdef" 3}}|{{truncate "ab" 3}}'),
    "  x ||abc|ab",
  );
  assert.equal(
    t('{{split "a,b,,c" ","}} {{len (split "héllo" "")}}'),
    "[a b  c] 5",
  );
  assert.equal(
    run('{{join .e "-"}}', { e: ["x", "y"] }, { funcs: REPORT_FUNCS }),
    "x-y",
  );
});

Deno.test("execute() runs define, template and block, and associated templates", () => {
  const t = parseTemplate(
    '{{define "item"}}<{{.}}>{{end}}{{range .}}{{template "item" .}}{{end}}{{block "tail" .}}[{{len .}}]{{end}}',
    { name: "main" },
  );
  assert.equal(t.execute(["a", "b"]), "<a><b>[2]");
  assert.equal(t.execute("z", { template: "item" }), "<z>");
  assert.deepEqual(t.templates(), ["item", "main", "tail"]);
  assert.throws(
    () =>
      parseTemplate('{{define "a"}}x{{end}}{{define "a"}}y{{end}}', {
        name: "t",
      }),
    {
      message: 'template: t:1: template: multiple definition of template "a"',
    },
  );
});

Deno.test("execute() keeps the output written before an error", () => {
  const e = execError("ok {{.a}} then {{.a.b}}", { a: "x" }, { name: "t" });
  assert.equal(e.output, "ok x then ");
  // A plain object is a map[string]interface {}: its values are interfaces.
  assert.equal(
    e.message,
    'template: t:1:19: executing "t" at <.a.b>: can\'t evaluate field b in type interface {}',
  );
});

Deno.test("execute() stops runaway template recursion with Go's message", () => {
  const e = execError(
    '{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}',
    1,
    { name: "t" },
  );
  assert.match(e.message, /exceeded maximum template depth \(100000\)$/);
});

Deno.test("parseTemplate() reports syntax errors with Go's message and line", () => {
  const cases: Array<[string, string]> = [
    ["{{.Os}", "template: t:1: bad character U+007D '}'"],
    ["a\n{{if .x}}", "template: t:2: unexpected EOF"],
    ["{{end}}", "template: t:1: unexpected {{end}}"],
    ["{{break}}", "template: t:1: {{break}} outside {{range}}"],
    [
      "{{range .}}{{continue 1}}{{end}}",
      'template: t:1: unexpected "1" in {{continue}}',
    ],
    ["{{.x | 1}}", "template: t:1: non executable command in pipeline stage 2"],
    ["{{\n.x\n", "template: t:3: unclosed action started at t:1"],
    ["{{1.x}}", 'template: t:1: bad number syntax: "1.x"'],
    ['{{"a"}}{{"b\\z"}}', "template: t:1: invalid syntax"],
    ["{{$x}}", 'template: t:1: undefined variable "$x"'],
    [
      "{{if 1}}{{$x := 2}}{{end}}{{$x}}",
      'template: t:1: undefined variable "$x"',
    ],
    [
      "{{with .a}}{{else if .b}}{{end}}",
      "template: t:1: unexpected <if> in input",
    ],
    ["{{template .x}}", 'template: t:1: unexpected ".x" in template clause'],
    ["{{'ab'}}", "template: t:1: malformed character constant: 'ab'"],
    ["{{0x}}", 'template: t:1: illegal number syntax: "0x"'],
    ['{{"x".y}}', 'template: t:1: unexpected . after term "\\"x\\""'],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseTemplate(text, { name: "t" }), (e: unknown) => {
      assert.ok(e instanceof TemplateError, text);
      assert.ok(e instanceof SyntaxError);
      assert.equal(e.phase, "parse");
      assert.equal(e.message, message, text);
      return true;
    });
  }
});

Deno.test("execute() handles variables, else-if chains, with-else and trimming", () => {
  const data = { xs: [3, 1, 2], name: "", n: 2.5, ok: true };
  assert.equal(
    run(
      "{{$sum := 0}}{{range $i, $x := .xs}}{{$sum = $x}}{{end}}{{$sum}}",
      data,
    ),
    "2",
  );
  assert.equal(
    run(
      "{{if eq .n 1.0}}one{{else if gt .n 2.0}}big{{else}}small{{end}}",
      data,
    ),
    "big",
  );
  assert.equal(run("{{with .name}}has{{else}}none{{end}}", data), "none");
  assert.equal(run("a  {{- .ok -}}  b\n{{- /* c */ -}}\n c", data), "atruebc");
  assert.equal(
    run("{{range $k, $v := .}}{{$k}};{{end}}", data),
    "n;name;ok;xs;",
  );
  assert.equal(
    run('{{.n}} {{printf "%.2f" .n}} {{1.0}} {{.xs}}', data),
    "2.5 2.50 1 [3 1 2]",
  );
});
