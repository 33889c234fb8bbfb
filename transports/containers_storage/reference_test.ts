import assert from "node:assert/strict";
import { InvalidReferenceError } from "../../core/errors.ts";
import { transport } from "./mod.ts";
import type { StorageReference } from "./reference.ts";

const STORE = "[vfs@/g+/r]";
const ID = "a".repeat(64);

function parse(text: string): StorageReference {
  return transport.parseReference(text) as StorageReference;
}

Deno.test("parseReference() reads the store, name and ID", () => {
  const ref = parse(`[overlay@/var/g+/run/r:overlay.mountopt=nodev]busybox`);
  assert.deepEqual(ref.store, {
    driver: "overlay",
    graphRoot: "/var/g",
    runRoot: "/run/r",
    options: ["overlay.mountopt=nodev"],
  });
  assert.equal(ref.dockerReference, "docker.io/library/busybox:latest");
  assert.equal(ref.id, undefined);
  assert.equal(
    ref.toString(),
    "[overlay@/var/g+/run/r:overlay.mountopt=nodev]docker.io/library/busybox:latest",
  );
});

Deno.test("parseReference() accepts name@ID, @ID, digests and tag+digest", () => {
  const withId = parse(`${STORE}quay.io/a/b:1@${ID}`);
  assert.equal(withId.id, ID);
  assert.equal(withId.dockerReference, "quay.io/a/b:1");
  assert.equal(withId.toString(), `${STORE}quay.io/a/b:1@${ID}`);
  const bare = parse(`${STORE}@${ID}`);
  assert.equal(bare.name, undefined);
  assert.equal(bare.toString(), `${STORE}@${ID}`);
  assert.equal(parse(`${STORE}${ID}`).id, ID);
  const digest = `sha256:${"b".repeat(64)}`;
  const digested = parse(`${STORE}x@${digest}`);
  assert.equal(digested.id, undefined);
  assert.equal(digested.dockerReference, `docker.io/library/x@${digest}`);
  assert.equal(
    parse(`${STORE}x:2@${digest}`).dockerReference,
    `docker.io/library/x:2@${digest}`,
  );
});

Deno.test("parseReference() round-trips through toString()", () => {
  for (
    const text of [
      `${STORE}docker.io/library/x:latest`,
      `${STORE}localhost:5000/a/b:c@${ID}`,
      `[vfs@/g+/r:a=1,b=2]docker.io/library/x:latest`,
    ]
  ) {
    assert.equal(parse(parse(text).toString()).toString(), text);
  }
});

Deno.test("parseReference() expands an image ID prefix found in the store", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/vfs-images`);
    await Deno.writeTextFile(
      `${root}/vfs-images/images.json`,
      JSON.stringify([{ id: ID }, { id: "b".repeat(64) }]),
    );
    const store = `[vfs@${root}+/r]`;
    assert.equal(parse(`${store}aaaa`).id, ID);
    assert.equal(parse(`${store}@aaa`).id, ID);
    assert.equal(parse(`${store}x@aaaa`).id, ID);
    // Shorter than 3 characters: a name.
    assert.equal(
      parse(`${store}aa`).dockerReference,
      "docker.io/library/aa:latest",
    );
    assert.throws(
      () => parse(`${store}x@ccc`),
      /does not look like an image ID/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("parseReference() rejects malformed references with containers/image's messages", () => {
  const cases: [string, string][] = [
    ["", '"" is an empty reference: invalid reference'],
    [`${STORE}`, '"" is an empty reference: invalid reference'],
    ["[vfs@/g+/r", "invalid reference"],
    ["[]x", "invalid reference"],
    ["[@/g+/r]x", "invalid reference"],
    ["[vfs@]x", "invalid reference"],
    ["[vfs@g+/r]x", "path name is not absolute"],
    ["[vfs@/g+r]x", "path name is not absolute"],
    [`${STORE}x@`, 'empty trailing digest or ID in "x@": invalid reference'],
    [
      `${STORE}UPPER`,
      'parsing named reference "UPPER": invalid reference format: repository name must be lowercase',
    ],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parse(text),
      (error: unknown) =>
        error instanceof InvalidReferenceError && error.message === message,
      text,
    );
  }
});
