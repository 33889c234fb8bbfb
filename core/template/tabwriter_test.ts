import assert from "node:assert/strict";
import { tabwrite } from "./tabwriter.ts";

const SKOPEO = { minWidth: 8, tabWidth: 8, padding: 2, padChar: " " } as const;

Deno.test("tabwrite() aligns each column block separately", () => {
  assert.equal(
    tabwrite("a\tbb\tccc\nxxxxxxxxxx\ty\tz\n\nend\n", SKOPEO),
    "a           bb      ccc\nxxxxxxxxxx  y       z\n\nend\n",
  );
  assert.equal(
    tabwrite("a\tb\ncc\td\te\nf\tg\nh\n", SKOPEO),
    "a       b\ncc      d       e\nf       g\nh\n",
  );
  assert.equal(tabwrite("é\tx\naa\ty\n", SKOPEO), "é       x\naa      y\n");
});

Deno.test("tabwrite() keeps an open block when not flushed, as skopeo 1.9.3 does", () => {
  assert.equal(tabwrite("a\tb\nc\td\n", { ...SKOPEO, flush: false }), "");
  assert.equal(tabwrite("x\na\tb\n", { ...SKOPEO, flush: false }), "x\n");
  assert.equal(
    tabwrite("a\tb\nc\n", { ...SKOPEO, flush: false }),
    "a       b\nc\n",
  );
  assert.equal(tabwrite("no newline", { ...SKOPEO, flush: false }), "");
  assert.equal(tabwrite("no newline", SKOPEO), "no newline");
});

Deno.test("tabwrite() supports right alignment, tab padding and discarded empty columns", () => {
  assert.equal(
    tabwrite("a\tb\nccc\td\n", { ...SKOPEO, minWidth: 0, alignRight: true }),
    "    ab\n  cccd\n",
  );
  assert.equal(
    tabwrite("a\tb\nccc\td\n", {
      minWidth: 0,
      tabWidth: 4,
      padding: 1,
      padChar: "\t",
    }),
    "a\tb\nccc\td\n",
  );
  // Only cells ended by \v are "soft" and may be discarded.
  assert.equal(
    tabwrite("a\v\vb\nc\v\vd\n", {
      ...SKOPEO,
      minWidth: 0,
      discardEmptyColumns: true,
    }),
    "a  b\nc  d\n",
  );
  assert.equal(
    tabwrite("a\t\tb\n", { ...SKOPEO, minWidth: 0, discardEmptyColumns: true }),
    "a    b\n",
  );
  assert.equal(tabwrite("a\t\tb\n", { ...SKOPEO }), "a               b\n");
});
