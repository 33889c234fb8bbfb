import assert from "node:assert/strict";
import { sprint, sprintf, sprintln } from "./format.ts";
import { GoStruct, GoValue, toVal } from "./values.ts";

const v = (x: unknown, t?: string) => toVal(x, t);

Deno.test("sprintf() formats structs, pointers and Stringers like fmt", () => {
  const inner = new GoStruct("pkg.Inner", [{ name: "N", value: 1 }]);
  const outer = new GoStruct("pkg.Outer", [
    { name: "S", value: "s" },
    { name: "P", value: inner, type: "*pkg.Inner" },
    { name: "Nil", value: null, type: "*pkg.Inner" },
    { name: "Any", value: null, type: "interface {}" },
  ]);
  assert.equal(sprintf("%v", [v(outer)]), "{s &{1} <nil> <nil>}");
  assert.equal(
    sprintf("%+v", [v(outer)]),
    "{S:s P:&{N:1} Nil:<nil> Any:<nil>}",
  );
  assert.equal(sprintf("%v", [v(inner, "*pkg.Inner")]), "&{1}");
  const named = new GoValue("x", "pkg.Name", {
    methods: { String: { params: [], result: "string", fn: () => "NAME" } },
  });
  assert.equal(
    sprintf("%v|%s|%q|%d", [v(named), v(named), v(named), v(named)]),
    'NAME|NAME|"NAME"|%!d(pkg.Name=x)',
  );
});

Deno.test("sprintf() handles byte slices, unsigned and big integers", () => {
  const bytes = new GoValue(new Uint8Array([104, 105]), "[]uint8");
  assert.equal(
    sprintf("%s|%x|%v|%q", [v(bytes), v(bytes), v(bytes), v(bytes)]),
    'hi|6869|[104 105]|"hi"',
  );
  assert.equal(
    sprintf("%d %x %v", [
      v(2n ** 64n - 1n, "uint64"),
      v(255, "uint8"),
      v(-(2n ** 63n)),
    ]),
    "18446744073709551615 ff -9223372036854775808",
  );
  assert.equal(
    sprintf("%08.3f|%+.2e|%6.1f%%", [v(-3.14159), v(12345.678), v(99.95)]),
    "-003.142|+1.23e+04| 100.0%",
  );
});

Deno.test("sprint() and sprintln() space operands as Go does", () => {
  assert.equal(
    sprint([v("a"), v(1), v(2), v("b"), v(null), v(true)]),
    "a1 2b<nil> true",
  );
  assert.equal(sprintln([v("a"), v(1)]), "a 1\n");
  assert.equal(sprint([v([["x"], { k: [1] }])]), "[[x] map[k:[1]]]");
});
