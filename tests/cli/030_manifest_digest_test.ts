import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import { runOurs, runSkopeo } from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";

const FILES = [
  "tests/fixtures/schema1/signed/manifest.json",
  "tests/fixtures/schema1/unsigned/manifest.json",
  "tests/fixtures/dir/docker-v2/manifest.json",
];

Deno.test("manifest-digest of a missing file names it", async () => {
  const result = await runOurs(["manifest-digest", "/nonexistent/m.json"]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /Error reading manifest from \/nonexistent\/m\.json: open \/nonexistent\/m\.json: no such file or directory/,
  );
});

componentTest({
  name:
    "manifest-digest equals skopeo 1.9.3's, signed schema1 and arbitrary bytes included",
  components: ["skopeo"],
  async fn() {
    await using tmp = await makeTempDir();
    const index = JSON.parse(
      await Deno.readTextFile("tests/fixtures/oci/index.json"),
    );
    const files = [
      ...FILES,
      ...index.manifests.map((m: { digest: string }) =>
        `tests/fixtures/oci/blobs/sha256/${m.digest.slice(7)}`
      ),
    ];
    await Deno.writeTextFile(`${tmp.path}/bad.json`, "{not json");
    files.push(`${tmp.path}/bad.json`);
    for (const file of files) {
      const theirs = await runSkopeo(["manifest-digest", file]);
      const ours = await runOurs(["manifest-digest", file]);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(ours.stdout, theirs.stdout, file);
    }
  },
});
