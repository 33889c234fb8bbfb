import assert from "node:assert/strict";
import { destinationName, goBase, goClean, goJoin } from "./naming.ts";

Deno.test("goClean(), goJoin() and goBase() behave as Go's path package", () => {
  assert.equal(goClean("a//b/./c/.."), "a/b");
  assert.equal(goClean("/../x/"), "/x");
  assert.equal(goClean("../../a"), "../../a");
  assert.equal(goClean(""), ".");
  assert.equal(goJoin("a/", "", "/b/"), "a/b");
  assert.equal(goJoin("", ""), "");
  assert.equal(goBase("a/b/"), "b");
  assert.equal(goBase("///"), "/");
  assert.equal(goBase(""), ".");
});

Deno.test("destinationName() names registry images as skopeo does", () => {
  const source = { dockerReference: "127.0.0.1:5000/ns/app:2.0" };
  assert.equal(destinationName("out", source), "out/app:2.0");
  assert.equal(
    destinationName("127.0.0.1:5000/mirror/", source, { scoped: true }),
    "127.0.0.1:5000/mirror/127.0.0.1:5000/ns/app:2.0",
  );
  assert.equal(
    destinationName("host/m", source, { appendSuffix: "-copy" }),
    "host/m/app:2.0-copy",
  );
});

Deno.test("destinationName() names dir images by their path below the source", () => {
  const base = "src";
  assert.equal(
    destinationName("host/imp", {
      dirPath: "src/other/latest",
      basePath: base,
    }),
    "host/imp/latest",
  );
  assert.equal(
    destinationName(
      "host/sc",
      { dirPath: "src/other/latest", basePath: base },
      { scoped: true },
    ),
    "host/sc/other/latest",
  );
  // The source directory is itself an image.
  assert.equal(
    destinationName("host/x", { dirPath: "imgs/one", basePath: "imgs/one" }),
    "host/x/one",
  );
});
