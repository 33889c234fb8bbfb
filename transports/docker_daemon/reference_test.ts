import assert from "node:assert/strict";
import { InvalidReferenceError } from "../../core/errors.ts";
import { EngineClient } from "./engine_client.ts";
import { transport } from "./mod.ts";
import type { DockerDaemonReference } from "./reference.ts";

const ID = `sha256:${"ab".repeat(32)}`;

function parse(text: string): DockerDaemonReference {
  return transport.parseReference(text) as DockerDaemonReference;
}

Deno.test("parseReference() keeps names familiar and image IDs as digests", () => {
  for (
    const [text, shown, docker] of [
      ["busybox:1", "busybox:1", "docker.io/library/busybox:1"],
      [
        "docker.io/library/busybox:1",
        "busybox:1",
        "docker.io/library/busybox:1",
      ],
      ["quay.io/a/b:c", "quay.io/a/b:c", "quay.io/a/b:c"],
      [`a/b@${ID}`, `a/b@${ID}`, `docker.io/a/b@${ID}`],
      ["localhost:5000/x:1", "localhost:5000/x:1", "localhost:5000/x:1"],
      [ID, ID, undefined],
      // Not a valid digest, so a name and a tag, as go-digest decides.
      ["sha512:00", "sha512:00", "docker.io/library/sha512:00"],
    ] as const
  ) {
    const reference = parse(text);
    assert.equal(reference.toString(), shown, text);
    assert.equal(reference.dockerReference, docker, text);
    assert.equal(parse(reference.toString()).toString(), shown, "round trip");
  }
  assert.equal(parse(ID).id, ID);
});

Deno.test("parseReference() rejects what skopeo rejects, with its words", () => {
  for (
    const [text, message] of [
      [
        "busybox",
        "docker-daemon: reference busybox has neither a tag nor a digest",
      ],
      [
        `a:1@${ID}`,
        "docker-daemon: references with both a tag and digest are currently not supported",
      ],
      [
        "sha256:abc",
        "Invalid docker-daemon: reference sha256:abc: The sha256 repository name is reserved for (non-shortened) digest references",
      ],
      [
        `sha384:${"0".repeat(96)}`,
        `Invalid docker-daemon: reference sha384:${
          "0".repeat(96)
        }: only digest algorithm sha256 accepted`,
      ],
      ["A:1", "invalid reference format: repository name must be lowercase"],
    ] as const
  ) {
    assert.throws(() => parse(text), (error: unknown) => {
      assert.ok(error instanceof InvalidReferenceError, text);
      assert.equal(error.message, message);
      return true;
    });
  }
});

Deno.test("EngineClient.create() refuses a host without a scheme, as docker does", async () => {
  await assert.rejects(
    EngineClient.create("/var/run/docker.sock"),
    /^Error: unable to parse docker host `\/var\/run\/docker\.sock`$/,
  );
});

Deno.test("a destination must be name:tag, checked before any connection", async () => {
  for (const text of [ID, `a/b@${ID}`]) {
    await assert.rejects(
      parse(text).openDestination({
        context: {
          settings: { "docker-daemon": { host: "unix:///nonexistent" } },
        },
      }),
      new RegExp(
        `^Error: Invalid destination docker-daemon:${
          text.replace(/[/]/g, "\\/")
        }: a destination must be a name:tag$`,
      ),
    );
  }
});
