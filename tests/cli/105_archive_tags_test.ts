import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import { runOurs, runSkopeo } from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";

const DEMO = "oci:tests/fixtures/oci:demo";

Deno.test("copy --additional-tag names the image twice in a docker-archive, and list-tags shows both", async () => {
  await using tmp = await makeTempDir();
  const archive = `${tmp.path}/a.tar`;
  const copy = await runOurs([
    "copy",
    "-q",
    "--additional-tag",
    "foo/baz:2",
    DEMO,
    `docker-archive:${archive}:foo/bar:1`,
  ]);
  assert.equal(copy.code, 0, copy.stderr);
  const tags = await runOurs(["list-tags", `docker-archive:${archive}`]);
  assert.equal(tags.code, 0, tags.stderr);
  assert.deepEqual(JSON.parse(tags.stdout), {
    Tags: ["docker.io/foo/bar:1", "docker.io/foo/baz:2"],
  });
  const inspect = await runOurs([
    "inspect",
    `docker-archive:${archive}:foo/baz:2`,
  ]);
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.deepEqual(JSON.parse(inspect.stdout).RepoTags, []);
});

componentTest({
  name: "list-tags and inspect of docker-archive match skopeo 1.9.3",
  components: ["skopeo"],
  async fn() {
    await using tmp = await makeTempDir();
    const archive = `${tmp.path}/a.tar`;
    const made = await runSkopeo([
      "copy",
      "--additional-tag",
      "foo/baz:2",
      DEMO,
      `docker-archive:${archive}:foo/bar:1`,
    ]);
    assert.equal(made.code, 0, made.stderr);
    for (
      const args of [["list-tags", `docker-archive:${archive}`], [
        "inspect",
        `docker-archive:${archive}:foo/bar:1`,
      ]]
    ) {
      const theirs = await runSkopeo(args);
      const ours = await runOurs(args);
      assert.equal(ours.code, theirs.code, ours.stderr);
      assert.equal(ours.stdout, theirs.stdout, args.join(" "));
    }
  },
});
