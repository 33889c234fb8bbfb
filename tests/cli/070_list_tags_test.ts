/**
 * `list-tags` against the real registry, compared with skopeo 1.9.3.
 */
import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import { startRegistry } from "../support/registry.ts";
import { runOurs, type RunResult, runSkopeo } from "../support/skopeo.ts";

const DEMO = "oci:tests/fixtures/oci:demo";

/** Output and exit code with logrus's timestamp removed. */
function comparable(result: RunResult): string {
  return `${result.code}\n${result.stdout}\n${
    result.stderr.replace(/time="[^"]*" /g, "")
  }`;
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

componentTest({
  name: "list-tags prints what skopeo prints, and fails as skopeo does",
  components: ["docker-registry", "skopeo"],
  async fn(t) {
    await using registry = await startRegistry();
    const repo = `docker://${registry.host}/app`;
    for (const tag of ["1.0", "latest", "2"]) await push(`${repo}:${tag}`);
    await push(`docker://${registry.host}/gone:x`);

    await t.step("the JSON output equals skopeo's byte for byte", async () => {
      const args = ["list-tags", "--tls-verify=false", repo];
      const ours = await runOurs(args);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(ours.stdout, (await runSkopeo(args)).stdout);
      const parsed = JSON.parse(ours.stdout);
      assert.equal(parsed.Repository, `${registry.host}/app`);
      assert.deepEqual([...parsed.Tags].sort(), ["1.0", "2", "latest"]);
      assert.match(ours.stdout, /^\{\n {4}"Repository": /);
    });

    await t.step(
      "a repository whose tags were all deleted lists []",
      async () => {
        const deleted = await runSkopeo([
          "delete",
          "--tls-verify=false",
          `docker://${registry.host}/gone:x`,
        ]);
        assert.equal(deleted.code, 0, deleted.stderr);
        const args = [
          "list-tags",
          "--tls-verify=false",
          `docker://${registry.host}/gone`,
        ];
        const ours = await runOurs(args);
        assert.equal(ours.code, 0, ours.stderr);
        assert.match(ours.stdout, /"Tags": \[\]\n\}\n$/);
        assert.equal(ours.stdout, (await runSkopeo(args)).stdout);
      },
    );

    await t.step("errors are skopeo's one-line messages", async () => {
      const cases = [
        [`${repo}:1.0`],
        [`${repo}@sha256:${"0".repeat(64)}`],
        [`${repo}@sha256:abc`],
        [`docker://${registry.host}/App`],
        ["docker://"],
        [`docker:${registry.host}/app`],
        ["no-transport"],
        ["bogus:x"],
        [DEMO],
        ["dir:/tmp"],
        [`docker://${registry.host}/nosuchrepo`],
      ];
      for (const [name] of cases) {
        const args = ["list-tags", "--tls-verify=false", name!];
        const ours = await runOurs(args);
        assert.equal(ours.code, 1, name);
        assert.equal(ours.stderr.trimEnd().split("\n").length, 1, ours.stderr);
        assert.equal(comparable(ours), comparable(await runSkopeo(args)), name);
      }
      const oci = await runOurs(["list-tags", DEMO]);
      assert.match(
        oci.stderr,
        /Unsupported transport 'oci' for tag listing. Only supported: docker, docker-archive/,
      );
    });

    await t.step("docker-archive: a missing archive is named", async () => {
      const ours = await runOurs(["list-tags", "docker-archive:/x.tar"]);
      assert.equal(ours.code, 1);
      assert.match(
        ours.stderr,
        /opening file \\"\/x\.tar\\": open \/x\.tar: no such file or directory/,
      );
    });

    await t.step(
      "a wrong number of arguments prints the help, like skopeo",
      async () => {
        for (const args of [["list-tags"], ["list-tags", repo, repo]]) {
          const ours = await runOurs(args);
          assert.equal(ours.code, 0);
          assert.equal(ours.stderr, "");
          assert.match(ours.stdout, /^Return the list of tags/);
          assert.equal(
            ours.stdout,
            (await runOurs(["list-tags", "--help"])).stdout,
          );
        }
      },
    );

    await t.step("--debug logs the requests on stderr only", async () => {
      const ours = await runOurs([
        "--debug",
        "list-tags",
        "--tls-verify=false",
        repo,
      ]);
      assert.equal(ours.code, 0, ours.stderr);
      assert.match(ours.stderr, /level=debug msg=.*\/v2\/app\/tags\/list/);
      assert.deepEqual(JSON.parse(ours.stdout).Tags.length, 3);
    });

    await t.step(
      "--command-timeout stops it with the deadline message",
      async () => {
        const ours = await runOurs([
          "--command-timeout",
          "1ns",
          "list-tags",
          "--tls-verify=false",
          repo,
        ]);
        assert.equal(ours.code, 1);
        assert.match(ours.stderr, /msg="context deadline exceeded/);
        assert.equal(ours.stdout, "");
      },
    );

    await t.step("--help lists every flag skopeo's list-tags has", async () => {
      const names = (text: string) =>
        [...text.matchAll(/^\s+(?:-\w, )?--([\w.-]+)/gm)].map((m) => m[1]);
      const theirs = names((await runSkopeo(["list-tags", "--help"])).stdout);
      const ours = names((await runOurs(["list-tags", "--help"])).stdout);
      assert.deepEqual(theirs.filter((f) => !ours.includes(f)), []);
      assert.deepEqual(ours.filter((f) => !theirs.includes(f)), [
        "retry-delay",
      ]);
    });
  },
});

componentTest({
  name: "list-tags authenticates with --creds and verifies TLS with --cert-dir",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using basic = await startRegistry({ auth: "htpasswd" });
    await using tls = await startRegistry({ tls: true });
    const creds = `${basic.username}:${basic.password}`;
    await push(`docker://${basic.host}/a:1`, "--dest-creds", creds);
    await push(`docker://${tls.host}/a:1`, "--dest-cert-dir", tls.certDir!);
    const cases = [
      ["--tls-verify=false", "--creds", creds, `docker://${basic.host}/a`],
      ["--tls-verify=false", `docker://${basic.host}/a`],
      [
        "--tls-verify=false",
        "--creds",
        "testuser:wrong",
        `docker://${basic.host}/a`,
      ],
      ["--cert-dir", tls.certDir!, `docker://${tls.host}/a`],
    ];
    for (const flags of cases) {
      const args = ["list-tags", ...flags];
      const ours = await runOurs(args);
      assert.equal(comparable(ours), comparable(await runSkopeo(args)));
    }
    const listed = await runOurs([
      "list-tags",
      "--cert-dir",
      tls.certDir!,
      `docker://${tls.host}/a`,
    ]);
    assert.deepEqual(JSON.parse(listed.stdout).Tags, ["1"]);
    const unverified = await runOurs(["list-tags", `docker://${tls.host}/a`]);
    assert.equal(unverified.code, 1);
    assert.match(
      unverified.stderr,
      /Error listing repository tags: pinging container registry/,
    );
  },
});

componentTest({
  name: "list-tags works against a Bearer-token registry",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using registry = await startRegistry({ auth: "token" });
    const creds = `${registry.username}:${registry.password}`;
    await push(`docker://${registry.host}/t:1`, "--dest-creds", creds);
    const args = [
      "list-tags",
      "--tls-verify=false",
      "--creds",
      creds,
      `docker://${registry.host}/t`,
    ];
    const ours = await runOurs(args);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(comparable(ours), comparable(await runSkopeo(args)));
    assert.ok(
      registry.tokenRequests.some((r) =>
        r.scopes.includes("repository:t:pull") && r.status === 200
      ),
    );
  },
});
