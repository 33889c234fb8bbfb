/**
 * `sync` against the real registry, compared with skopeo 1.9.3: a 20-tag
 * repository imported from directories, exported to directories, mirrored
 * registry→registry, filtered from a YAML file; a re-sync that moves no
 * blob (requests counted by a loopback proxy); `--keep-going`.
 */
import assert from "node:assert/strict";
import { digestHex } from "../../core/digest.ts";
import { componentTest } from "../support/components.ts";
import { buildImage, writeDirImage } from "../support/random_image.ts";
import { startRegistry } from "../support/registry.ts";
import {
  registryDigest,
  runOurs,
  type RunResult,
  runSkopeo,
} from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";

const TAGS = [
  "0.9.0",
  "0.9.1",
  "1.0.0",
  "1.0.1",
  "1.1.0",
  "1.2.0",
  "1.2.1",
  "1.3.0",
  "2.0.0",
  "2.0.1",
  "2.1.0",
  "2.2.0",
  "3.0.0-rc.1",
  "3.0.0",
  "3.1.0",
  "latest",
  "stable",
  "dev",
  "nightly-1",
  "nightly-2",
];

const TLS = ["--src-tls-verify=false", "--dest-tls-verify=false"];

/** 20 Docker-format images sharing one layer, differing by a label. */
function images() {
  return TAGS.map((tag) =>
    buildImage({
      seed: 7,
      layers: [{ size: 4096 }],
      format: "docker",
      config: { labels: { tag } },
    })
  );
}

/** stderr without logrus's timestamps. */
function logOf(result: RunResult): string {
  return result.stderr.replace(/time="[^"]*" /g, "");
}

async function listTags(repository: string): Promise<string[]> {
  const listed = await runSkopeo([
    "list-tags",
    "--tls-verify=false",
    `docker://${repository}`,
  ]);
  assert.equal(listed.code, 0, listed.stderr);
  return [...JSON.parse(listed.stdout).Tags].sort();
}

/** A loopback proxy in front of the registry that records every request. */
function countingProxy(target: string) {
  const requests: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      requests.push(`${request.method} ${url.pathname}`);
      const upstream = await fetch(`${target}${url.pathname}${url.search}`, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: "manual",
      });
      return new Response(upstream.body, {
        status: upstream.status,
        headers: upstream.headers,
      });
    },
  );
  return {
    host: `127.0.0.1:${server.addr.port}`,
    requests,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

componentTest({
  name: "sync mirrors a 20-tag repository as skopeo 1.9.3 does",
  components: ["docker-registry", "skopeo"],
  async fn(t) {
    await using registry = await startRegistry();
    await using temp = await makeTempDir("skopeo-ts-sync-");
    const host = registry.host;
    const built = images();
    const digests = new Map(
      TAGS.map((tag, i) => [tag, built[i]!.manifest.digest]),
    );
    for (const [i, tag] of TAGS.entries()) {
      await writeDirImage(temp.join("seed", `app:${tag}`), built[i]!);
    }

    await t.step(
      "dir → registry imports every directory as a tag",
      async () => {
        const ours = await runOurs([
          "sync",
          ...TLS,
          "--src",
          "dir",
          "--dest",
          "docker",
          temp.join("seed"),
          `${host}/src`,
        ]);
        assert.equal(ours.code, 0, ours.stderr);
        assert.match(logOf(ours), /msg="Synced 20 images from 1 sources"\n$/);
        assert.deepEqual(await listTags(`${host}/src/app`), [...TAGS].sort());
        for (const tag of ["1.2.1", "latest"]) {
          assert.equal(
            await registryDigest(`${host}/src/app:${tag}`),
            digests.get(tag),
          );
        }
      },
    );

    await t.step("registry → registry prints what skopeo prints", async () => {
      const args = (dest: string) => [
        "sync",
        ...TLS,
        "--src",
        "docker",
        "--dest",
        "docker",
        `${host}/src/app`,
        `${host}/${dest}`,
      ];
      const ours = await runOurs(args("mirror"));
      const theirs = await runSkopeo(args("skopeo-mirror"));
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(theirs.code, 0, theirs.stderr);
      assert.equal(
        logOf(ours),
        logOf(theirs).replaceAll("/skopeo-mirror/", "/mirror/"),
      );
      // Blob lines differ only in whether a blob was already there.
      const plain = (text: string) =>
        text.replaceAll(" skipped: already exists", "");
      assert.equal(plain(ours.stdout), plain(theirs.stdout));
      assert.equal(
        (logOf(ours).match(/msg="Copying image ref \d+\/20"/g) ?? []).length,
        20,
      );
      assert.deepEqual(await listTags(`${host}/mirror/app`), [...TAGS].sort());
      for (const tag of ["0.9.0", "3.0.0-rc.1", "nightly-2"]) {
        assert.equal(
          await registryDigest(`${host}/mirror/app:${tag}`),
          digests.get(tag),
        );
      }
    });

    await t.step(
      "a re-sync of unchanged images sends no blob request",
      async () => {
        await using proxy = countingProxy(registry.url);
        const ours = await runOurs([
          "sync",
          ...TLS,
          "--src",
          "docker",
          "--dest",
          "docker",
          `${proxy.host}/src/app`,
          `${proxy.host}/mirror`,
        ]);
        assert.equal(ours.code, 0, ours.stderr);
        assert.equal(
          ours.stdout,
          "Getting image source signatures\nSkipping: image already present at destination\n"
            .repeat(20),
        );
        const blobs = proxy.requests.filter((r) => r.includes("/blobs/"));
        assert.deepEqual(blobs, []);
        const heads = proxy.requests.filter((r) =>
          r.startsWith("HEAD /v2/mirror/app/manifests/")
        );
        assert.equal(heads.length, 20);
        const uploads = proxy.requests.filter((r) =>
          r.startsWith("PUT") || r.startsWith("POST") || r.startsWith("PATCH")
        );
        assert.deepEqual(uploads, []);
      },
    );

    await t.step("registry → dir exports what skopeo exports", async () => {
      const args = (dest: string) => [
        "sync",
        ...TLS,
        "--src",
        "docker",
        "--dest",
        "dir",
        `${host}/src/app`,
        temp.join(dest),
      ];
      const ours = await runOurs(args("export"));
      const theirs = await runSkopeo(args("skopeo-export"));
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(theirs.code, 0, theirs.stderr);
      assert.equal(
        logOf(ours),
        logOf(theirs).replaceAll("/skopeo-export/", "/export/"),
      );
      const names: string[] = [];
      for await (const entry of Deno.readDir(temp.join("export"))) {
        names.push(entry.name);
      }
      assert.deepEqual(names.sort(), TAGS.map((t) => `app:${t}`).sort());
      for (const [i, tag] of TAGS.entries()) {
        const dir = temp.join("export", `app:${tag}`);
        assert.deepEqual(
          await Deno.readFile(`${dir}/manifest.json`),
          built[i]!.manifest.bytes,
        );
        const theirManifest = await Deno.readFile(
          temp.join("skopeo-export", `app:${tag}`, "manifest.json"),
        );
        assert.deepEqual(theirManifest, built[i]!.manifest.bytes);
        await Deno.stat(`${dir}/${digestHex(built[i]!.layers[0]!.digest)}`);
      }
      // Like skopeo, an existing directory is never overwritten.
      const again = await runOurs(args("export"));
      assert.equal(again.code, 1);
      assert.match(
        again.stderr,
        /level=fatal msg="Refusing to overwrite destination directory \\".*export\/app:/,
      );
    });

    await t.step(
      "a YAML file filters tags by list, regex and semver",
      async () => {
        const file = temp.join("sync.yaml");
        await Deno.writeTextFile(
          file,
          [
            `${host}:`,
            "  tls-verify: false",
            "  images:",
            "    src/app: [latest, 0.9.1]",
            "  images-by-tag-regex:",
            "    src/app: ^1\\.2\\.",
            "  images-by-semver:",
            '    src/app: ">= 2.0.0, < 3"',
            "",
          ].join("\n"),
        );
        const ours = await runOurs([
          "sync",
          "--dest-tls-verify=false",
          "--src",
          "yaml",
          "--dest",
          "docker",
          file,
          `${host}/yaml`,
        ]);
        assert.equal(ours.code, 0, ours.stderr);
        assert.match(logOf(ours), /msg="Synced 8 images from 3 sources"\n$/);
        assert.deepEqual(await listTags(`${host}/yaml/app`), [
          "0.9.1",
          "1.2.0",
          "1.2.1",
          "2.0.0",
          "2.0.1",
          "2.1.0",
          "2.2.0",
          "latest",
        ]);
        assert.equal(
          await registryDigest(`${host}/yaml/app:2.1.0`),
          digests.get("2.1.0"),
        );
        // An unknown key is an error with its position.
        await Deno.writeTextFile(file, `${host}:\n  image:\n    a: [b]\n`);
        const bad = await runOurs([
          "sync",
          "--src",
          "yaml",
          "--dest",
          "docker",
          file,
          `${host}/yaml`,
        ]);
        assert.equal(bad.code, 1);
        assert.match(
          bad.stderr,
          /line 2, column 3: field image not found in type registrySyncConfig/,
        );
      },
    );

    await t.step("--dry-run and usage errors match skopeo", async () => {
      const cases = [
        [
          "sync",
          "--dry-run",
          ...TLS,
          "--src",
          "docker",
          "--dest",
          "docker",
          "--scoped",
          `${host}/src/app`,
          `${host}/dry`,
        ],
        ["sync", "--src", "dir", "--dest", "dir", "a", "b"],
        // `oci` is a skopeo-ts addition (issue #12); other names stay invalid.
        ["sync", "--src", "oci-archive", "--dest", "dir", "a", "b"],
        ["sync", "--src", "docker", "--dest", "oci-archive", "a", "b"],
        ["sync", "--src", "dir", "--dest", "docker", temp.join("none"), "b"],
        ["sync", "--src", "docker", "--dest", "dir", "Bad/Name", "b"],
      ];
      for (const args of cases) {
        const ours = await runOurs(args);
        const theirs = await runSkopeo(args);
        assert.equal(ours.code, theirs.code, args.join(" "));
        assert.equal(logOf(ours), logOf(theirs), args.join(" "));
      }
    });

    await t.step(
      "--keep-going copies the rest and fails at the end, as skopeo",
      async () => {
        const broken = temp.join("broken");
        await writeDirImage(`${broken}/a`, built[0]!);
        await writeDirImage(`${broken}/b`, built[1]!);
        await writeDirImage(`${broken}/c`, built[2]!);
        await Deno.writeTextFile(`${broken}/b/manifest.json`, "{");
        const args = (dest: string) => [
          "sync",
          ...TLS,
          "--keep-going",
          "--src",
          "dir",
          "--dest",
          "docker",
          broken,
          `${host}/${dest}`,
        ];
        const ours = await runOurs(args("kg"));
        const theirs = await runSkopeo(args("kg-skopeo"));
        assert.equal(ours.code, 1);
        assert.equal(theirs.code, 1);
        const shape = (log: string) =>
          log.split("\n").map((line) =>
            line.replace(/ error=.*$/, "").replace(/kg-skopeo/g, "kg")
          ).join("\n");
        assert.equal(shape(logOf(ours)), shape(logOf(theirs)));
        assert.match(
          logOf(ours),
          /level=fatal msg="Sync failed due to previous reported error\(s\) for one or more images"/,
        );
        assert.equal(
          await registryDigest(`${host}/kg/c`),
          digests.get(TAGS[2]!),
        );
        // Without --keep-going the first failure ends the sync.
        const strict = (dest: string) =>
          args(dest).filter((a) => a !== "--keep-going");
        const oursStrict = await runOurs(strict("st"));
        const theirsStrict = await runSkopeo(strict("st-skopeo"));
        assert.equal(oursStrict.code, 1);
        assert.equal(theirsStrict.code, 1);
        const fatalShape = (log: string) =>
          log.replace(/(msg="Error copying ref \\"[^\\]*\\"): .*"$/m, "$1")
            .replaceAll("st-skopeo", "st");
        assert.equal(
          fatalShape(logOf(oursStrict)),
          fatalShape(logOf(theirsStrict)),
        );
        assert.match(
          logOf(oursStrict),
          /msg="Copying image ref 2\/3"[^\n]*\nlevel=fatal msg="Error copying ref \\"dir:[^"]*\/b\\": /,
        );
      },
    );
  },
});

componentTest({
  name: "sync uses the credentials of a YAML registry",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using registry = await startRegistry({ auth: "htpasswd" });
    await using temp = await makeTempDir("skopeo-ts-sync-auth-");
    const creds = `${registry.username}:${registry.password}`;
    await writeDirImage(temp.join("seed", "app:1.0"), images()[0]!);
    const pushed = await runOurs([
      "sync",
      "--dest-tls-verify=false",
      "--dest-creds",
      creds,
      "--src",
      "dir",
      "--dest",
      "docker",
      temp.join("seed"),
      `${registry.host}/team`,
    ]);
    assert.equal(pushed.code, 0, pushed.stderr);
    const file = temp.join("auth.yaml");
    const yaml = (credentials: string[]) =>
      [
        `${registry.host}:`,
        "  tls-verify: false",
        ...credentials,
        "  images:",
        "    team/app: []",
        "",
      ].join("\n");
    const args = [
      "sync",
      "--src",
      "yaml",
      "--dest",
      "dir",
      file,
      temp.join("out"),
    ];
    await Deno.writeTextFile(file, yaml([]));
    // Anonymous: the registry refuses the tag list; skopeo warns, goes on.
    const anonymous = await runOurs(args);
    const theirs = await runSkopeo(args);
    assert.equal(anonymous.code, 0, anonymous.stderr);
    assert.equal(logOf(anonymous), logOf(theirs));
    assert.match(
      logOf(anonymous),
      /level=warning msg="Registry disallows tag list retrieval: [^\n]*\n.*msg="No refs to sync found"/,
    );
    assert.match(logOf(anonymous), /msg="Synced 0 images from 0 sources"/);
    await Deno.writeTextFile(
      file,
      yaml([
        "  credentials:",
        `    username: ${registry.username}`,
        `    password: ${registry.password}`,
      ]),
    );
    const ours = await runOurs(args);
    assert.equal(ours.code, 0, ours.stderr);
    assert.match(logOf(ours), /msg="Synced 1 images from 1 sources"/);
    const inspected = await runSkopeo([
      "inspect",
      "--format",
      "{{.Digest}}",
      `dir:${temp.join("out", "app:1.0")}`,
    ]);
    assert.equal(inspected.stdout.trim(), images()[0]!.manifest.digest);
  },
});
