import assert from "node:assert/strict";
import { matchesSignedIdentity, signedIdentityProblem } from "./identity.ts";

const D = "sha256:" + "a".repeat(64);

Deno.test("matchesSignedIdentity() applies each matcher as containers-policy.json(5) defines it", () => {
  const cases: Array<
    [Record<string, string>, string | undefined, string, boolean]
  > = [
    // matchRepoDigestOrExact: a tag must match exactly; a digest, the repository.
    [
      { type: "matchRepoDigestOrExact" },
      "docker.io/library/busybox:latest",
      "busybox:latest",
      true,
    ],
    [
      { type: "matchRepoDigestOrExact" },
      "docker.io/library/busybox:latest",
      "busybox:1",
      false,
    ],
    [
      { type: "matchRepoDigestOrExact" },
      `docker.io/library/busybox@${D}`,
      "busybox:1",
      true,
    ],
    [
      { type: "matchRepoDigestOrExact" },
      "docker.io/library/busybox",
      "busybox",
      false,
    ],
    [{ type: "matchRepoDigestOrExact" }, undefined, "busybox:latest", false],
    [{ type: "matchExact" }, "example.com/a:1", "example.com/a:1", true],
    [{ type: "matchExact" }, `example.com/a@${D}`, "example.com/a:1", false],
    [{ type: "matchRepository" }, "example.com/a:1", "example.com/a:2", true],
    [{ type: "matchRepository" }, "example.com/a:1", "example.com/b:1", false],
    [
      { type: "exactReference", dockerReference: "example.com/a:1" },
      undefined,
      "example.com/a:1",
      true,
    ],
    [
      { type: "exactReference", dockerReference: "example.com/a:1" },
      undefined,
      "example.com/a:2",
      false,
    ],
    [
      { type: "exactReference", dockerReference: "example.com/a" },
      undefined,
      "example.com/a",
      false,
    ],
    [
      { type: "exactRepository", dockerRepository: "example.com/a" },
      undefined,
      "example.com/a:9",
      true,
    ],
    [
      { type: "exactRepository", dockerRepository: "example.com/a" },
      undefined,
      "example.com/ab:9",
      false,
    ],
    // remapIdentity: the image's name under `prefix` is rewritten first.
    [
      {
        type: "remapIdentity",
        prefix: "mirror.local/lib",
        signedPrefix: "docker.io/library",
      },
      "mirror.local/lib/busybox:1",
      "busybox:1",
      true,
    ],
    [
      {
        type: "remapIdentity",
        prefix: "mirror.local/lib",
        signedPrefix: "docker.io/library",
      },
      "mirror.local/libx/busybox:1",
      "busybox:1",
      false,
    ],
    [
      {
        type: "remapIdentity",
        prefix: "mirror.local/lib",
        signedPrefix: "docker.io/library",
      },
      "other.local/a:1",
      "other.local/a:1",
      true,
    ],
    [{ type: "matchRepository" }, "example.com/a:1", "Not/A/Ref", false],
  ];
  for (const [identity, image, signed, expected] of cases) {
    assert.equal(
      matchesSignedIdentity(
        identity as { type: string },
        image,
        signed,
      ),
      expected,
      `${JSON.stringify(identity)} ${image} ${signed}`,
    );
  }
});

Deno.test("signedIdentityProblem() names unknown types and missing fields", () => {
  assert.equal(signedIdentityProblem({ type: "matchExact" }), undefined);
  assert.match(
    signedIdentityProblem({ type: "nope" })!,
    /Unknown policy reference match type "nope"/,
  );
  assert.match(
    signedIdentityProblem({ type: "exactReference" })!,
    /dockerReference/,
  );
  assert.match(signedIdentityProblem(null)!, /not an object/);
});
