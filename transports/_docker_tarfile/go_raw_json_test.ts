import assert from "node:assert/strict";
import { InvalidContentError } from "../../core/errors.ts";
import {
  compactGoJson,
  goString,
  marshalSortedMap,
  rawObjectMembers,
} from "./go_raw_json.ts";

Deno.test("rawObjectMembers() keeps values as written, the last of a repeated key", () => {
  const members = rawObjectMembers(
    ' { "n" : 1.50e3 , "s":"a,}b\\"c", "o": {"x": [1, {"y": "}"}]}, "n": 2,' +
      ' "t": true, "z": null } ',
    "test",
  );
  assert.deepEqual([...members], [
    ["n", "2"],
    ["s", '"a,}b\\"c"'],
    ["o", '{"x": [1, {"y": "}"}]}'],
    ["t", "true"],
    ["z", "null"],
  ]);
  assert.deepEqual([...rawObjectMembers("{}", "empty")], []);
});

Deno.test("rawObjectMembers() refuses what is not a JSON object", () => {
  for (const text of ["[]", "null", "1", "{", ""]) {
    assert.throws(
      () => rawObjectMembers(text, "what"),
      (error: unknown) =>
        error instanceof InvalidContentError &&
        error.message.startsWith("what: "),
      text,
    );
  }
});

Deno.test("compactGoJson() drops insignificant space and escapes HTML characters in strings", () => {
  assert.equal(
    compactGoJson('{ "a <b>" : [ 1 , "x & y\\" <" ] ,\n\t"\u2028": 1.0 }'),
    '{"a \\u003cb\\u003e":[1,"x \\u0026 y\\" \\u003c"],"\\u2028":1.0}',
  );
  assert.equal(compactGoJson('"keep  spaces"'), '"keep  spaces"');
});

Deno.test("marshalSortedMap() sorts keys byte-wise as Go marshals maps", () => {
  const map = new Map([["b", "1"], ["B", "2"], ["a<", '"x"'], ["é", "3"]]);
  assert.equal(
    marshalSortedMap(map),
    '{"B":2,"a\\u003c":"x","b":1,"é":3}',
  );
  assert.equal(goString("<&>"), '"\\u003c\\u0026\\u003e"');
});
