import assert from "node:assert/strict";
import { InvalidReferenceError } from "../errors.ts";
import {
  formatNamedReference,
  isNameOnly,
  parseNormalizedReference,
} from "./docker_reference.ts";

Deno.test("parseNormalizedReference() normalizes like reference.ParseNormalizedNamed", () => {
  const cases: Array<[string, string]> = [
    ["busybox", "docker.io/library/busybox"],
    ["busybox:1.36", "docker.io/library/busybox:1.36"],
    ["user/app", "docker.io/user/app"],
    ["index.docker.io/user/app:t", "docker.io/user/app:t"],
    ["localhost/app", "localhost/app"],
    ["localhost:5000/a/b:c", "localhost:5000/a/b:c"],
    [
      `quay.io/a@sha256:${"0".repeat(64)}`,
      `quay.io/a@sha256:${"0".repeat(64)}`,
    ],
    [
      `a:t@sha256:${"1".repeat(64)}`,
      `docker.io/library/a:t@sha256:${"1".repeat(64)}`,
    ],
  ];
  for (const [input, expected] of cases) {
    assert.equal(
      formatNamedReference(parseNormalizedReference(input)),
      expected,
    );
  }
  assert.equal(isNameOnly(parseNormalizedReference("busybox")), true);
  assert.equal(isNameOnly(parseNormalizedReference("busybox:1")), false);
});

Deno.test("parseNormalizedReference() rejects invalid names with skopeo's wording", () => {
  assert.throws(
    () => parseNormalizedReference("Busybox"),
    (e: unknown) =>
      e instanceof InvalidReferenceError &&
      e.message ===
        "invalid reference format: repository name must be lowercase",
  );
  assert.throws(() => parseNormalizedReference("a b"), InvalidReferenceError);
  assert.throws(() => parseNormalizedReference("a::b"), InvalidReferenceError);
  assert.throws(
    () => parseNormalizedReference("a".repeat(64).replaceAll("a", "f")),
    /cannot specify 64-byte hexadecimal strings/,
  );
});
