import assert from "node:assert/strict";
import {
  InvalidReferenceError,
  UnsupportedOperationError,
} from "../../core/errors.ts";
import { componentTest } from "../../tests/support/components.ts";
import { runSkopeo } from "../../tests/support/skopeo.ts";
import { transport } from "./mod.ts";

const HEX = "a".repeat(64);

Deno.test("docker-archive references parse as skopeo's: path, tag (normalised) or index", () => {
  const cases: Array<[string, string, string | undefined]> = [
    ["/x.tar", "/x.tar", undefined],
    [
      "x.tar:busybox",
      "x.tar:docker.io/library/busybox:latest",
      "docker.io/library/busybox:latest",
    ],
    ["x.tar:foo/bar:1", "x.tar:docker.io/foo/bar:1", "docker.io/foo/bar:1"],
    [
      "x.tar:localhost:5000/a:b",
      "x.tar:localhost:5000/a:b",
      "localhost:5000/a:b",
    ],
    ["x.tar:@0", "x.tar:@0", undefined],
    ["x.tar:@+12", "x.tar:@12", undefined],
  ];
  for (const [text, canonical, dockerReference] of cases) {
    const reference = transport.parseReference(text);
    assert.equal(reference.toString(), canonical, text);
    assert.equal(reference.dockerReference, dockerReference, text);
    assert.equal(transport.parseReference(canonical).toString(), canonical);
  }
});

/** Invalid references and skopeo 1.9.3's messages (checked live below). */
const INVALID: Array<[string, string]> = [
  ["", "docker-archive reference  isn't of the form <path>[:<reference>]"],
  [
    "x.tar:@a",
    'Invalid source index @a: strconv.Atoi: parsing "a": invalid syntax',
  ],
  [
    "x.tar:@",
    'Invalid source index @: strconv.Atoi: parsing "": invalid syntax',
  ],
  [
    "x.tar:@1:2",
    'Invalid source index @1:2: strconv.Atoi: parsing "1:2": invalid syntax',
  ],
  [
    "x.tar:@99999999999999999999",
    'Invalid source index @99999999999999999999: strconv.Atoi: parsing "99999999999999999999": value out of range',
  ],
  ["x.tar:@-1", "Invalid source index @-1: must not be negative"],
  [
    "x.tar:Foo",
    "docker-archive parsing reference: invalid reference format: repository name must be lowercase",
  ],
  ["x.tar:a:b:c", "docker-archive parsing reference: invalid reference format"],
  [
    `x.tar:foo@sha256:${HEX}`,
    `reference does not include a tag: docker.io/library/foo@sha256:${HEX}`,
  ],
  [
    `x.tar:foo:1@sha256:${HEX}`,
    `docker-archive doesn't support digest references: docker.io/library/foo:1@sha256:${HEX}`,
  ],
];

Deno.test("docker-archive references refuse what skopeo refuses, with its messages", () => {
  for (const [text, message] of INVALID) {
    assert.throws(() => transport.parseReference(text), (error: unknown) => {
      assert.ok(error instanceof InvalidReferenceError, text);
      assert.equal(error.message, message);
      assert.equal(error.input, `docker-archive:${text}`);
      return true;
    });
  }
});

componentTest({
  name: "docker-archive reference errors are skopeo 1.9.3's",
  components: ["skopeo"],
  async fn() {
    for (const [text, message] of INVALID) {
      const result = await runSkopeo(["inspect", `docker-archive:${text}`]);
      assert.notEqual(result.code, 0);
      const prefix = `Error parsing image name \\"docker-archive:${text}\\": `;
      assert.ok(
        result.stderr.includes(prefix + message.replaceAll('"', '\\"')),
        `${text}: ${result.stderr}`,
      );
    }
  },
});

Deno.test("docker-archive references cannot delete, nor write with an index", async () => {
  const reference = transport.parseReference("/tmp/none.tar:@1");
  await assert.rejects(reference.deleteImage!(), (error: unknown) => {
    assert.ok(error instanceof UnsupportedOperationError);
    assert.equal(
      error.message,
      "Deleting images not implemented for docker-archive: images",
    );
    return true;
  });
  await assert.rejects(
    reference.openDestination!(),
    /^Error: Destination reference must not contain a manifest index @1$/,
  );
});
