/**
 * End to end through our CLI against the REAL registry: pushes, pulls,
 * registry-to-registry copies, inspect, credentials and TLS, compared with
 * skopeo 1.9.3 where both print something.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { componentTest } from "../support/components.ts";
import { type RunningRegistry, startRegistry } from "../support/registry.ts";
import { runOurs, type RunResult, runSkopeo } from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";

const DEMO = "oci:tests/fixtures/oci:demo";
const MULTI = "oci:tests/fixtures/oci:multi";
const fixtureDigests = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/digests.json", import.meta.url)),
);
const demo = fixtureDigests["oci:demo"] as {
  manifest: string;
  config: string;
  layers: string[];
};
const multi = fixtureDigests["oci:multi"] as {
  manifest: string;
  instances: { manifest: string }[];
};

/** Output and exit code with logrus's timestamp removed. */
function comparable(result: RunResult): string {
  return `${result.code}\n${result.stdout}\n${
    result.stderr.replace(/time="[^"]*" /g, "")
  }`;
}

function ok(result: RunResult): RunResult {
  assert.equal(result.code, 0, result.stderr);
  return result;
}

function oneLineError(result: RunResult): string {
  assert.equal(result.code, 1, result.stdout);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /level=fatal msg=/);
  return lines[0]!;
}

/** The registry's storage directory of one repository. */
function repositoryDir(registry: RunningRegistry, name: string): string {
  return join(registry.dataDir, "docker/registry/v2/repositories", name);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function sha256File(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return `sha256:${
    Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")
  }`;
}

componentTest({
  name: "copy to and from a plain registry keeps every digest",
  components: ["docker-registry", "skopeo"],
  async fn(t) {
    await using registry = await startRegistry();
    await using tmp = await makeTempDir();
    const x = `docker://${registry.host}/x:1`;

    await t.step(
      "oci → docker:// → dir: round-trips the manifest and blobs",
      async () => {
        ok(await runOurs(["copy", "-q", "--dest-tls-verify=false", DEMO, x]));
        ok(
          await runOurs([
            "copy",
            "-q",
            "--src-tls-verify=false",
            x,
            `dir:${tmp.path}/d`,
          ]),
        );
        assert.equal(
          await sha256File(`${tmp.path}/d/manifest.json`),
          demo.manifest,
        );
        for (const digest of [demo.config, ...demo.layers]) {
          assert.equal(
            await sha256File(`${tmp.path}/d/${digest.slice(7)}`),
            digest,
          );
        }
        // skopeo pulls what we pushed, to the same bytes.
        ok(
          await runSkopeo([
            "copy",
            "-q",
            "--src-tls-verify=false",
            x,
            `dir:${tmp.path}/theirs`,
          ]),
        );
        assert.deepEqual(
          await Deno.readFile(`${tmp.path}/theirs/manifest.json`),
          await Deno.readFile(`${tmp.path}/d/manifest.json`),
        );
      },
    );

    await t.step("a second push uploads no blob", async () => {
      const uploads = join(repositoryDir(registry, "x"), "_uploads");
      assert.ok(await exists(uploads), "the first push made upload sessions");
      // Any new upload session would recreate this directory.
      await Deno.remove(uploads, { recursive: true });
      const again = ok(
        await runOurs(["--debug", "copy", "--dest-tls-verify=false", DEMO, x]),
      );
      assert.equal(await exists(uploads), false);
      assert.doesNotMatch(again.stderr, /POST [^"]*\/blobs\/uploads\//);
      assert.doesNotMatch(again.stderr, /(PATCH|PUT) [^"]*\/blobs\//);
      for (const digest of demo.layers) {
        assert.match(
          again.stdout,
          new RegExp(
            `^Copying blob ${digest}( skipped: already exists)?$`,
            "m",
          ),
        );
      }
      assert.match(
        again.stdout,
        new RegExp(
          `^Copying config ${demo.config}( skipped: already exists)?$`,
          "m",
        ),
      );
    });

    await t.step(
      "copy --all of an index to the registry and back",
      async () => {
        const m = `docker://${registry.host}/multi:1`;
        ok(
          await runOurs([
            "copy",
            "-q",
            "--all",
            "--dest-tls-verify=false",
            MULTI,
            m,
          ]),
        );
        ok(
          await runOurs([
            "copy",
            "-q",
            "--all",
            "--src-tls-verify=false",
            m,
            `oci:${tmp.path}/o:m`,
          ]),
        );
        const index = JSON.parse(
          await Deno.readTextFile(`${tmp.path}/o/index.json`),
        );
        assert.equal(index.manifests[0].digest, multi.manifest);
        for (const instance of multi.instances) {
          assert.equal(
            await sha256File(
              `${tmp.path}/o/blobs/sha256/${instance.manifest.slice(7)}`,
            ),
            instance.manifest,
          );
        }
        const raw = ok(
          await runOurs(["inspect", "--raw", "--tls-verify=false", m]),
        );
        assert.deepEqual(
          raw.stdoutBytes,
          await Deno.readFile(
            `tests/fixtures/oci/blobs/sha256/${multi.manifest.slice(7)}`,
          ),
        );
      },
    );

    await t.step(
      "registry → registry mounts blobs and writes nothing locally",
      async () => {
        await using scratch = await makeTempDir();
        const y = `docker://${registry.host}/y:1`;
        const copied = ok(
          await runOurs([
            "--debug",
            "--tmpdir",
            scratch.path,
            "copy",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            x,
            y,
          ], { env: { TMPDIR: scratch.path } }),
        );
        assert.match(
          copied.stderr,
          /POST [^"]*\/v2\/y\/blobs\/uploads\/\?mount=/,
        );
        // No upload session was ever opened in y: every blob was mounted.
        assert.ok(await exists(join(repositoryDir(registry, "y"), "_layers")));
        assert.equal(
          await exists(join(repositoryDir(registry, "y"), "_uploads")),
          false,
        );
        assert.deepEqual([...Deno.readDirSync(scratch.path)], []);
        const raw = ok(
          await runOurs(["inspect", "--raw", "--tls-verify=false", y]),
        );
        assert.deepEqual(
          raw.stdoutBytes,
          await Deno.readFile(`${tmp.path}/d/manifest.json`),
        );
      },
    );

    await t.step("inspect docker:// equals skopeo's output", async () => {
      for (
        const flags of [[], ["--raw"], ["--config"], ["--config", "--raw"], [
          "--no-tags",
        ]]
      ) {
        const args = ["inspect", "--tls-verify=false", ...flags, x];
        const ours = ok(await runOurs(args));
        assert.equal(
          ours.stdout,
          (await runSkopeo(args)).stdout,
          flags.join(" "),
        );
      }
      const info = JSON.parse(
        (await runOurs(["inspect", "--tls-verify=false", x])).stdout,
      );
      assert.equal(info.Name, `${registry.host}/x`);
      assert.deepEqual(info.RepoTags, ["1"]);
      assert.equal(info.Digest, demo.manifest);
    });

    await t.step("a missing image is skopeo's one-line error", async () => {
      for (
        const args of [
          ["inspect", "--tls-verify=false", `docker://${registry.host}/x:nope`],
          ["inspect", "--tls-verify=false", `docker://${registry.host}/nope:1`],
          [
            "copy",
            "--src-tls-verify=false",
            `docker://${registry.host}/x:nope`,
            `dir:${tmp.path}/never`,
          ],
        ]
      ) {
        const ours = await runOurs(args);
        oneLineError(ours);
        assert.equal(comparable(ours), comparable(await runSkopeo(args)));
      }
      assert.equal(await exists(`${tmp.path}/never/manifest.json`), false);
    });
  },
});

componentTest({
  name:
    "copy through an htpasswd registry with --creds and with our login's auth file",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using registry = await startRegistry({ auth: "htpasswd" });
    await using home = await makeTempDir();
    await using tmp = await makeTempDir();
    const creds = `${registry.username}:${registry.password}`;
    const ref = `docker://${registry.host}/secure:1`;
    ok(
      await runOurs([
        "copy",
        "-q",
        "--dest-tls-verify=false",
        "--dest-creds",
        creds,
        DEMO,
        ref,
      ]),
    );
    ok(
      await runOurs([
        "copy",
        "-q",
        "--src-tls-verify=false",
        "--src-creds",
        creds,
        ref,
        `dir:${tmp.path}/a`,
      ]),
    );
    assert.equal(
      await sha256File(`${tmp.path}/a/manifest.json`),
      demo.manifest,
    );

    // 401: wrong password, or none at all.
    for (
      const args of [
        ["inspect", "--tls-verify=false", "--creds", "testuser:wrong", ref],
        ["inspect", "--tls-verify=false", ref],
        [
          "copy",
          "--src-tls-verify=false",
          "--src-creds",
          "testuser:wrong",
          ref,
          `dir:${tmp.path}/never`,
        ],
      ]
    ) {
      const ours = await runOurs(args);
      assert.match(oneLineError(ours), /authentication required/);
      assert.equal(comparable(ours), comparable(await runSkopeo(args)));
    }
    const push = await runOurs([
      "copy",
      "--dest-tls-verify=false",
      "--dest-creds",
      "testuser:wrong",
      DEMO,
      `docker://${registry.host}/other:1`,
    ]);
    assert.match(oneLineError(push), /unauthorized: authentication required/);

    // The auth file written by our login is what a later copy uses.
    ok(
      await runOurs([
        "login",
        "--tls-verify=false",
        "-u",
        registry.username!,
        "-p",
        registry.password!,
        registry.host,
      ], { home: home.path }),
    );
    ok(
      await runOurs([
        "copy",
        "-q",
        "--src-tls-verify=false",
        ref,
        `dir:${tmp.path}/b`,
      ], { home: home.path }),
    );
    assert.equal(
      await sha256File(`${tmp.path}/b/manifest.json`),
      demo.manifest,
    );
    const authFile = join(home.path, "run", "containers", "auth.json");
    const theirs = ok(
      await runSkopeo([
        "inspect",
        "--tls-verify=false",
        "--authfile",
        authFile,
        ref,
      ]),
    );
    const ours = ok(
      await runOurs([
        "inspect",
        "--tls-verify=false",
        "--authfile",
        authFile,
        ref,
      ]),
    );
    assert.equal(ours.stdout, theirs.stdout);
  },
});

componentTest({
  name: "copy to and from a TLS registry with --cert-dir",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using registry = await startRegistry({ tls: true });
    await using tmp = await makeTempDir();
    const ref = `docker://${registry.host}/tls:1`;
    const certDir = registry.certDir!;
    ok(await runOurs(["copy", "-q", "--dest-cert-dir", certDir, DEMO, ref]));
    ok(
      await runOurs([
        "copy",
        "-q",
        "--src-cert-dir",
        certDir,
        ref,
        `dir:${tmp.path}/d`,
      ]),
    );
    assert.equal(
      await sha256File(`${tmp.path}/d/manifest.json`),
      demo.manifest,
    );
    const args = ["inspect", "--cert-dir", certDir, ref];
    assert.equal(
      ok(await runOurs(args)).stdout,
      (await runSkopeo(args)).stdout,
    );
    const unverified = await runOurs(["inspect", ref]);
    assert.match(
      oneLineError(unverified),
      /pinging container registry 127\.0\.0\.1:\d+: Get \\"https:/,
    );
  },
});
