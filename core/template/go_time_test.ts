import assert from "node:assert/strict";
import { GoTime } from "./go_time.ts";

Deno.test("GoTime.parse() keeps Go's zone: UTC for Z, a nameless zone for offsets", () => {
  const z = GoTime.parse("2024-01-02T03:04:05.123456789Z");
  assert.equal(z.toString(), "2024-01-02 03:04:05.123456789 +0000 UTC");
  assert.equal(z.toJson(), "2024-01-02T03:04:05.123456789Z");
  const off = GoTime.parse("2023-05-06T07:08:09+02:00");
  assert.equal(off.toString(), "2023-05-06 07:08:09 +0200 +0200");
  assert.equal(off.toJson(), "2023-05-06T07:08:09+02:00");
  assert.equal(off.unixSeconds, 1683349689);
  const zero = GoTime.parse("2023-05-06T07:08:09-00:00");
  assert.equal(zero.toString(), "2023-05-06 07:08:09 +0000 UTC");
  const local = GoTime.parse("2023-05-06T07:08:09+01:00", {
    local: { name: "CET", offset: 3600 },
  });
  assert.equal(local.toString(), "2023-05-06 07:08:09 +0100 CET");
  assert.equal(
    GoTime.parse("2024-02-29T23:59:59.5-07:30").toJson(),
    "2024-02-29T23:59:59.5-07:30",
  );
});

Deno.test("GoTime.parse() rejects what Go rejects", () => {
  for (
    const bad of [
      "2024-13-01T00:00:00Z",
      "2023-02-29T00:00:00Z",
      "2024-01-01T24:00:00Z",
      "2024-01-01",
      "x",
    ]
  ) {
    assert.throws(() => GoTime.parse(bad), RangeError, bad);
  }
});

Deno.test("GoTime.format() implements Go layouts", () => {
  const t = GoTime.parse("2006-01-02T15:04:05.012340Z");
  const cases: Array<[string, string]> = [
    ["2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05Z"],
    ["Mon Jan _2 15:04:05 MST 2006", "Mon Jan  2 15:04:05 UTC 2006"],
    [
      "Monday, 02-Jan-06 03:04:05 PM -0700",
      "Monday, 02-Jan-06 03:04:05 PM +0000",
    ],
    ["January 2, 2006 3:4:5 pm", "January 2, 2006 3:4:5 pm"],
    [".000|.999|,000000|.9|.999999", ".012|.012|,012340||.01234"],
    ["002 __2 _2006", "002   2 _2006"],
    ["Z07 -07 -07:00:00 Z070000", "Z +00 +00:00:00 Z"],
    ["Jane", "Jane"], // "Jan" followed by a lowercase letter is text
  ];
  for (const [layout, want] of cases) {
    assert.equal(t.format(layout), want, layout);
  }
  const pm = GoTime.parse("2024-07-04T00:30:00-05:00");
  assert.equal(pm.format("3:04PM Z07:00 Mon"), "12:30AM -05:00 Thu");
});

Deno.test("GoTime methods give Go's results", () => {
  const t = GoTime.parse("2024-01-02T03:04:05.5Z");
  const call = (name: string, ...args: unknown[]) => {
    const m = t.method(name);
    assert.ok(m, name);
    return (m.fn as (...a: unknown[]) => unknown)(...args);
  };
  assert.equal(call("Year"), 2024);
  assert.equal(call("YearDay"), 2);
  assert.equal(call("Unix"), 1704164645);
  assert.equal(call("UnixNano"), 1704164645500000000n);
  assert.equal(call("Format", "2006"), "2024");
  assert.equal(call("IsZero"), false);
  assert.equal(t.method("Nope"), undefined);
  assert.ok(new GoTime(-62135596800, 0).isZero());
  assert.equal(
    GoTime.fromDate(new Date(0)).toString(),
    "1970-01-01 00:00:00 +0000 UTC",
  );
});
