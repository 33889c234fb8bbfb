/**
 * `delete` against the real registry, compared with skopeo 1.9.3.
 */
import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import { startRegistry } from "../support/registry.ts";
import { runOurs, type RunResult, runSkopeo } from "../support/skopeo.ts";

const DEMO = "oci:tests/fixtures/oci:demo";
const fixtureDigests = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/digests.json", import.meta.url)),
);
const DEMO_DIGEST: string = fixtureDigests["oci:demo"].manifest;

/** Output and exit code with logrus's timestamp removed. */
function comparable(result: RunResult): string {
  return `${result.code}\n${result.stdout}\n${
    result.stderr.replace(/time="[^"]*" /g, "")
  }`;
}

/**
 * {@linkcode comparable} without the error body's trailing newline, which
 * skopeo keeps before the status (`…}]}\n (405 …)`) and our transport trims.
 */
function comparableBody(result: RunResult): string {
  return comparable(result).replace(/\\n \(/g, " (");
}

async function push(dest: string, ...flags: string[]): Promise<void> {
  const pushed = await runSkopeo([
    "copy",
    "-q",
    "--dest-tls-verify=false",
    ...flags,
    DEMO,
    dest,
  ]);
  assert.equal(pushed.code, 0, pushed.stderr);
}

async function tags(repo: string, ...flags: string[]): Promise<string[]> {
  const listed = await runSkopeo([
    "list-tags",
    "--tls-verify=false",
    ...flags,
    repo,
  ]);
  assert.equal(listed.code, 0, listed.stderr);
  return JSON.parse(listed.stdout).Tags.sort();
}

componentTest({
  name: "delete removes the manifest, by tag or by digest, as skopeo does",
  components: ["docker-registry", "skopeo"],
  async fn(t) {
    await using registry = await startRegistry();
    const repo = `docker://${registry.host}/app`;

    await t.step(
      "deleting by tag removes every tag of that manifest",
      async () => {
        await push(`${repo}:1`);
        await push(`${repo}:2`);
        const result = await runOurs([
          "delete",
          "--tls-verify=false",
          `${repo}:1`,
        ]);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, "");
        assert.equal(result.stderr, "");
        assert.deepEqual(await tags(repo), []);
        const gone = await runSkopeo([
          "inspect",
          "--tls-verify=false",
          `${repo}@${DEMO_DIGEST}`,
        ]);
        assert.equal(gone.code, 1);
        assert.match(gone.stderr, /manifest unknown/);
      },
    );

    await t.step("deleting by digest", async () => {
      await push(`${repo}:3`);
      const result = await runOurs([
        "delete",
        "--tls-verify=false",
        `${repo}@${DEMO_DIGEST}`,
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(await tags(repo), []);
    });

    await t.step(
      "missing images and bad names fail with skopeo's line",
      async () => {
        await push(`${repo}:4`);
        const names = [
          `${repo}:nosuchtag`,
          `docker://${registry.host}/nosuchrepo:1`,
          `${repo}@sha256:${"0".repeat(64)}`,
          `docker://${registry.host}/App:1`,
          "bogus:x",
          "no-transport",
          "oci:tests/fixtures/oci:demo",
          "dir:tests/fixtures/dir/docker-v2",
        ];
        for (const name of names) {
          const args = ["delete", "--tls-verify=false", name];
          const ours = await runOurs(args);
          assert.equal(ours.code, 1, name);
          assert.equal(
            ours.stderr.trimEnd().split("\n").length,
            1,
            ours.stderr,
          );
          assert.equal(
            comparable(ours),
            comparable(await runSkopeo(args)),
            name,
          );
        }
        assert.deepEqual(await tags(repo), ["4"]);
        for (const args of [["delete"], ["delete", `${repo}:4`, `${repo}:4`]]) {
          const ours = await runOurs(args);
          assert.equal(comparable(ours), comparable(await runSkopeo(args)));
        }
      },
    );

    await t.step("--debug logs the GET and DELETE requests", async () => {
      const result = await runOurs([
        "--debug",
        "delete",
        "--tls-verify=false",
        `${repo}:4`,
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stderr,
        /level=debug msg="GET http:.*\/manifests\/4"/,
      );
      assert.match(
        result.stderr,
        new RegExp(`level=debug msg="DELETE http:.*/manifests/${DEMO_DIGEST}"`),
      );
    });
  },
});

componentTest({
  name: "delete on a registry with deletes disabled fails with the 405 line",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using registry = await startRegistry({ deleteEnabled: false });
    const ref = `docker://${registry.host}/app:1`;
    await push(ref);
    const ours = await runOurs(["delete", "--tls-verify=false", ref]);
    const theirs = await runSkopeo(["delete", "--tls-verify=false", ref]);
    assert.equal(ours.code, 1);
    assert.equal(theirs.code, 1);
    assert.equal(ours.stderr.trimEnd().split("\n").length, 1, ours.stderr);
    assert.equal(comparableBody(ours), comparableBody(theirs));
    assert.match(
      ours.stderr,
      /Failed to delete \/v2\/app\/manifests\/sha256:[0-9a-f]{64}: .*UNSUPPORTED.*\(405 Method Not Allowed\)/,
    );
    assert.deepEqual(await tags(`docker://${registry.host}/app`), ["1"]);
  },
});

componentTest({
  name: "delete authenticates with --creds on an htpasswd registry",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using registry = await startRegistry({ auth: "htpasswd" });
    const creds = `${registry.username}:${registry.password}`;
    const ref = `docker://${registry.host}/app:1`;
    await push(ref, "--dest-creds", creds);
    for (const flags of [[], ["--creds", "testuser:wrong"]]) {
      const args = ["delete", "--tls-verify=false", ...flags, ref];
      const ours = await runOurs(args);
      assert.equal(ours.code, 1);
      assert.equal(comparableBody(ours), comparableBody(await runSkopeo(args)));
    }
    const result = await runOurs([
      "delete",
      "--tls-verify=false",
      "--creds",
      creds,
      ref,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      await tags(`docker://${registry.host}/app`, "--creds", creds),
      [],
    );
  },
});
