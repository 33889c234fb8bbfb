import assert from "node:assert/strict";
import {
  formatReport,
  GoStruct,
  isJsonFormat,
  REPORT_FUNCS,
  TemplateError,
} from "./mod.ts";
import { normalizeFormat } from "./report.ts";

Deno.test("isJsonFormat() accepts what skopeo treats as JSON", () => {
  for (
    const f of [
      "json",
      " json ",
      "{{json .}}",
      "{{ json . }}",
      "\n{{json}}\n",
      "{{json.}}",
    ]
  ) {
    assert.ok(isJsonFormat(f), f);
  }
  for (
    const f of [
      "JSON",
      "{{json .Labels}}",
      "{{- json . -}}",
      "{{json .}}x",
      "\v{{json .}}",
    ]
  ) {
    assert.ok(!isJsonFormat(f), f);
  }
});

Deno.test("normalizeFormat() expands \\t and \\n and adds a final newline", () => {
  assert.equal(normalizeFormat("a\\tb\\nc"), "a\tb\nc\n");
  assert.equal(normalizeFormat("x\n"), "x\n");
  assert.equal(
    normalizeFormat("table {{.A}} {{.B}}\\t{{.C}}"),
    "{{.A}}\t{{.B}}\t{{.C}}\n",
  );
  assert.equal(normalizeFormat("{{.A}} table {{.B}}"), "{{.A}} table {{.B}}\n");
});

Deno.test("formatReport() wraps the template in a range over the data", () => {
  const data = new GoStruct("inspect.Output", [
    { name: "Os", value: "linux", type: "string" },
    { name: "Labels", value: { a: "<1>" }, type: "map[string]string" },
  ]);
  assert.equal(
    formatReport("{{.Os}}\\t{{.Os}}\\nend", data),
    "linux   linux\nend\n",
  );
  assert.equal(
    formatReport("", data),
    '{\n    "Os": "linux",\n    "Labels": {\n        "a": "\\u003c1\\u003e"\n    }\n}\n',
  );
  assert.equal(
    formatReport("{{json .Labels}}", data, { funcs: REPORT_FUNCS }),
    '{"a":"<1>"}\n',
  );
  assert.throws(
    () => formatReport("{{.Nope}}", data, { name: "x" }),
    (e: unknown) => {
      assert.ok(e instanceof TemplateError);
      assert.equal(
        e.message,
        'template: x:1:14: executing "x" at <.Nope>: can\'t evaluate field Nope in type interface {}',
      );
      return true;
    },
  );
  assert.throws(() => formatReport("a\\tb\\n{{.Nope}}", data), (e: unknown) => {
    assert.ok(e instanceof TemplateError);
    assert.equal(e.output, ""); // the aligned line stays in skopeo's unflushed tabwriter
    return true;
  });
});
