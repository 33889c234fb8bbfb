/**
 * `docker-daemon:` against a real, private Docker engine (Debian's dockerd
 * 20.10, started per test run on a socket in a temporary directory) and
 * skopeo 1.9.3: images we load are listed by `docker images` and read back
 * identically by both tools; images `docker load` put there are read by
 * both tools identically; error messages match skopeo's.
 *
 * When the machine forbids dockerd (not root, no mount rights), the engine
 * tests skip with the reason; a missing dockerd fails under CI=true.
 */
import assert from "node:assert/strict";
import { copyImage, parseImageName } from "../../mod.ts";
import { componentTest } from "../support/components.ts";
import {
  type Dockerd,
  dockerdForbiddenReason,
  DockerdUnavailableError,
  startDockerd,
} from "../support/dockerd.ts";
import { buildImage, writeOciLayout } from "../support/random_image.ts";
import { runOurs, type RunResult, runSkopeo } from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";

const DEMO = "oci:tests/fixtures/oci:demo";

/** skopeo's (and our) fatal message, without logrus' time stamp. */
function fatal(result: RunResult): string {
  const match = /level=fatal msg="((?:[^"\\]|\\.)*)"/.exec(result.stderr);
  assert.ok(match, `no fatal message in: ${result.stderr}`);
  return JSON.parse(`"${match[1]}"`);
}

function ok(result: RunResult, what: string): RunResult {
  assert.equal(result.code, 0, `${what}: ${result.stderr}`);
  return result;
}

/** Every file of a `dir:` image, name → bytes. */
async function readDirImage(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for await (const entry of Deno.readDir(dir)) {
    files.set(entry.name, await Deno.readFile(`${dir}/${entry.name}`));
  }
  return files;
}

/** Reads a daemon image with both tools: dir: copies and inspect output. */
async function assertBothRead(
  daemon: Dockerd,
  reference: string,
): Promise<{ manifest: { config: { digest: string } }; inspect: unknown }> {
  const work = await Deno.makeTempDir({ dir: daemon.workDir });
  ok(
    await runOurs([
      "copy",
      "-q",
      "--src-daemon-host",
      daemon.host,
      reference,
      `dir:${work}/ours`,
    ]),
    `our copy from ${reference}`,
  );
  ok(
    await runSkopeo([
      "copy",
      "-q",
      "--src-daemon-host",
      daemon.host,
      reference,
      `dir:${work}/theirs`,
    ]),
    `skopeo copy from ${reference}`,
  );
  const ours = await readDirImage(`${work}/ours`);
  assert.deepEqual(ours, await readDirImage(`${work}/theirs`));
  const inspect = ["inspect", "--daemon-host", daemon.host, reference];
  const ourInspect = JSON.parse(ok(await runOurs(inspect), "inspect").stdout);
  const theirInspect = JSON.parse(
    ok(await runSkopeo(inspect), "skopeo inspect").stdout,
  );
  assert.deepEqual(ourInspect, theirInspect);
  const manifest = JSON.parse(
    new TextDecoder().decode(ours.get("manifest.json")),
  );
  return { manifest, inspect: ourInspect };
}

const forbidden = dockerdForbiddenReason();
if (forbidden) console.error(`SKIP docker-daemon engine tests: ${forbidden}`);

componentTest({
  name:
    "docker-daemon: images we load are listed by docker and read back like skopeo reads them",
  components: ["dockerd", "docker", "skopeo"],
  async fn(t) {
    let daemon: Dockerd;
    try {
      daemon = await startDockerd();
    } catch (error) {
      if (error instanceof DockerdUnavailableError && error.forbidden) {
        console.error(`SKIP docker-daemon engine tests: ${error.message}`);
        return;
      }
      throw error;
    }
    await using _daemon = daemon;
    const demo = JSON.parse(
      ok(await runSkopeo(["inspect", "--raw", DEMO]), "inspect demo").stdout,
    );
    const configDigest: string = demo.config.digest;

    await t.step("copy oci: → docker-daemon:, listed by docker", async () => {
      ok(
        await runOurs([
          "copy",
          "-q",
          "--dest-daemon-host",
          daemon.host,
          DEMO,
          "docker-daemon:ours:1",
        ]),
        "our copy",
      );
      const listed = await daemon.docker([
        "images",
        "--no-trunc",
        "--format",
        "{{.Repository}}:{{.Tag}} {{.ID}}",
      ]);
      assert.ok(
        listed.split("\n").includes(`ours:1 ${configDigest}`),
        `docker images:\n${listed}`,
      );
    });

    await t.step("read back by tag and by image ID", async () => {
      const { manifest } = await assertBothRead(daemon, "docker-daemon:ours:1");
      assert.equal(manifest.config.digest, configDigest);
      const byId = await assertBothRead(
        daemon,
        `docker-daemon:${configDigest}`,
      );
      assert.equal(byId.manifest.config.digest, configDigest);
    });

    await t.step("read an image docker load put there", async () => {
      const shared = { files: [{ path: "etc/motd", content: "same\n" }] };
      const image = buildImage({
        seed: 140,
        layers: [shared, { size: 5000 }, shared, { size: 300, kind: "text" }],
      });
      const layout = `${daemon.workDir}/layout`;
      await writeOciLayout(layout, [{ tag: "v", image }]);
      const tar = `${daemon.workDir}/loaded.tar`;
      ok(
        await runSkopeo([
          "copy",
          "-q",
          `oci:${layout}:v`,
          `docker-archive:${tar}:loaded:2`,
        ]),
        "skopeo copy to docker-archive",
      );
      await daemon.docker(["load", "-q", "-i", tar]);
      const { inspect } = await assertBothRead(
        daemon,
        "docker-daemon:loaded:2",
      );
      assert.deepEqual(
        (inspect as { Layers: string[] }).Layers.length,
        image.layers.length,
      );
      const config = JSON.parse(
        ok(
          await runOurs([
            "inspect",
            "--config",
            "--daemon-host",
            daemon.host,
            "docker-daemon:loaded:2",
          ]),
          "inspect --config",
        ).stdout,
      );
      assert.deepEqual(
        config.rootfs.diff_ids,
        image.layers.map((l) => l.diffId),
      );
    });

    await t.step(
      "temporary files go, abandoned loads load nothing",
      async () => {
        const tmpDir = await Deno.makeTempDir({ dir: daemon.workDir });
        const context = {
          tmpDir,
          settings: { "docker-daemon": { host: daemon.host } },
        };
        await copyImage(
          await parseImageName("docker-daemon:ours:1"),
          await parseImageName("docker-daemon:copied:1"),
          { sourceContext: context, destinationContext: context },
        );
        assert.deepEqual([...Deno.readDirSync(tmpDir)], [], "spool removed");
        const destination = await (await parseImageName(
          "docker-daemon:abandoned:1",
        )).openDestination!({ context });
        await destination.putBlob(
          ReadableStream.from([new Uint8Array(2048)]),
          {},
          { isConfig: false },
        );
        await destination.close();
        const listed = await daemon.docker([
          "images",
          "--format",
          "{{.Repository}}:{{.Tag}}",
        ]);
        assert.ok(listed.includes("copied:1\n"), listed);
        assert.ok(!listed.includes("abandoned"), listed);
      },
    );

    await t.step("an image the engine refuses fails the copy", async () => {
      const image = buildImage({
        seed: 1,
        layers: [{ size: 100 }],
        config: { os: "windows" },
      });
      const layout = `${daemon.workDir}/windows`;
      await writeOciLayout(layout, [{ tag: "w", image }]);
      const ours = await runOurs([
        "copy",
        "-q",
        "--dest-daemon-host",
        daemon.host,
        `oci:${layout}:w`,
        "docker-daemon:win:1",
      ]);
      // skopeo 1.9.3 exits 0 here although the engine loaded nothing.
      assert.equal(
        fatal(ours),
        "docker engine reported: cannot load windows image on linux",
      );
      const listed = await daemon.docker(["images", "-q", "win"]);
      assert.equal(listed.trim(), "");
    });

    await t.step("DOCKER_HOST picks the engine when no flag does", async () => {
      // An extension: skopeo 1.9.3 always uses /var/run/docker.sock here.
      const result = ok(
        await runOurs(["inspect", "docker-daemon:ours:1"], {
          env: { DOCKER_HOST: daemon.host },
        }),
        "inspect with DOCKER_HOST",
      );
      assert.equal(JSON.parse(result.stdout).Name, "docker.io/library/ours");
    });

    await t.step("a missing image fails as in skopeo", async () => {
      const args = ["inspect", "--daemon-host", daemon.host];
      for (
        const reference of [
          "docker-daemon:nothere:1",
          `docker-daemon:sha256:${"0".repeat(64)}`,
        ]
      ) {
        const ours = await runOurs([...args, reference]);
        const theirs = await runSkopeo([...args, reference]);
        assert.notEqual(ours.code, 0);
        assert.equal(fatal(ours), fatal(theirs));
      }
    });
  },
});

componentTest({
  name:
    "docker-daemon: references and a missing daemon fail with skopeo's messages",
  components: ["skopeo"],
  async fn() {
    await using tmp = await makeTempDir();
    const host = `unix://${tmp.join("none.sock")}`;
    const references = [
      "docker-daemon:",
      "docker-daemon:busybox",
      "docker-daemon:Busybox:1",
      "docker-daemon:sha256:abc",
      `docker-daemon:busybox:1@sha256:${"0".repeat(64)}`,
      `docker-daemon:${"0".repeat(64)}`,
      `docker-daemon:sha512:${"0".repeat(128)}`,
      "docker-daemon:busybox:1",
      `docker-daemon:sha256:${"a".repeat(64)}`,
    ];
    for (const reference of references) {
      const args = ["inspect", "--daemon-host", host, reference];
      const ours = await runOurs(args);
      assert.notEqual(ours.code, 0, reference);
      assert.equal(fatal(ours), fatal(await runSkopeo(args)), reference);
    }
    const badHost = ["inspect", "--daemon-host", "/x", "docker-daemon:a:1"];
    assert.equal(
      fatal(await runOurs(badHost)),
      fatal(await runSkopeo(badHost)),
    );
    for (
      const reference of [
        `docker-daemon:sha256:${"0".repeat(64)}`,
        `docker-daemon:busybox@sha256:${"0".repeat(64)}`,
      ]
    ) {
      const args = ["copy", "--dest-daemon-host", host, DEMO, reference];
      assert.equal(fatal(await runOurs(args)), fatal(await runSkopeo(args)));
    }
    // skopeo 1.9.3 says "writing blob: io: read/write on closed pipe" here;
    // we name the cause.
    const ours = await runOurs([
      "copy",
      "--dest-daemon-host",
      host,
      DEMO,
      "docker-daemon:busybox:1",
    ]);
    assert.match(
      fatal(ours),
      new RegExp(
        `^starting a load operation in docker engine: Cannot connect to the Docker daemon at ${host}\\. Is the docker daemon running\\?$`,
      ),
    );
  },
});

componentTest({
  name:
    "docker-daemon: tcp:// speaks TLS with --cert-dir's client certificate, as skopeo does",
  components: ["dockerd", "docker", "skopeo", "openssl"],
  async fn() {
    let daemon: Dockerd;
    try {
      daemon = await startDockerd({ tls: true });
    } catch (error) {
      if (error instanceof DockerdUnavailableError && error.forbidden) {
        console.error(`SKIP docker-daemon TLS test: ${error.message}`);
        return;
      }
      throw error;
    }
    await using _daemon = daemon;
    const host = daemon.tcpHost!;
    const certs = daemon.clientCertDir!;
    ok(
      await runOurs([
        "copy",
        "-q",
        "--dest-daemon-host",
        host,
        "--dest-cert-dir",
        certs,
        DEMO,
        "docker-daemon:tls:1",
      ]),
      "our copy over TLS",
    );
    const inspect = [
      "inspect",
      "--daemon-host",
      host,
      "--cert-dir",
      certs,
      "docker-daemon:tls:1",
    ];
    assert.deepEqual(
      JSON.parse(ok(await runOurs(inspect), "our inspect").stdout),
      JSON.parse(ok(await runSkopeo(inspect), "skopeo inspect").stdout),
    );
    // Without the CA: Go's x509 wording, the same line as skopeo's.
    const untrusted = ["inspect", "--daemon-host", host, "docker-daemon:tls:1"];
    const ours = await runOurs(untrusted);
    assert.notEqual(ours.code, 0);
    assert.equal(fatal(ours), fatal(await runSkopeo(untrusted)));
    assert.match(fatal(ours), /x509: certificate signed by unknown authority$/);
  },
});
