import assert from "node:assert/strict";
import { GoStruct, GoTime, GoValue } from "./mod.ts";
import { JsonMarshalError, jsonString, marshalJson } from "./json.ts";

Deno.test("marshalJson() writes struct fields in order with their json tags", () => {
  const s = new GoStruct("T", [
    { name: "Name", value: "", type: "string", json: ",omitempty" },
    { name: "Digest", value: "sha256:x" },
    {
      name: "Created",
      value: GoTime.parse("2024-01-02T03:04:05Z"),
      type: "*time.Time",
    },
    { name: "Labels", value: null, type: "map[string]string" },
    { name: "Env", value: null, type: "[]string", json: "env,omitempty" },
    { name: "Skip", value: 1, json: "-" },
    { name: "hidden", value: 1 },
    { name: "Size", value: 12, type: "int64", json: "size" },
  ]);
  assert.equal(
    marshalJson(s),
    '{"Digest":"sha256:x","Created":"2024-01-02T03:04:05Z","Labels":null,"size":12}',
  );
});

Deno.test("marshalJson() sorts map keys and indents like MarshalIndent", () => {
  const v = { b: [1, 2.5, true, null], a: {}, c: [], "é": "<&>" };
  assert.equal(
    marshalJson(v, { indent: "  " }),
    '{\n  "a": {},\n  "b": [\n    1,\n    2.5,\n    true,\n    null\n  ],\n  "c": [],\n  "é": "\\u003c\\u0026\\u003e"\n}',
  );
  assert.equal(
    marshalJson(v, { escapeHtml: false }),
    '{"a":{},"b":[1,2.5,true,null],"c":[],"é":"<&>"}',
  );
});

Deno.test("marshalJson() formats numbers and strings as Go does", () => {
  assert.equal(
    marshalJson([
      1e21,
      1e-7,
      0.000001,
      123456789.5,
      new GoValue(-0, "float64"),
      2n ** 63n,
    ]),
    "[1e+21,1e-7,0.000001,123456789.5,-0,9223372036854775808]",
  );
  assert.equal(
    jsonString('a"\\\n\r\t\x01\u2028\ud800', true),
    '"a\\"\\\\\\n\\r\\t\\u0001\\u2028\\ufffd"',
  );
  assert.equal(
    marshalJson(new GoValue(new Uint8Array([1, 2, 255]), "[]uint8")),
    '"AQL/"',
  );
  assert.throws(() => marshalJson(NaN), JsonMarshalError);
  assert.throws(() => marshalJson({ f: () => 1 }), {
    message: /unsupported type/,
  });
});
