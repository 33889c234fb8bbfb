/**
 * Security properties, end to end: archives and layouts cannot make us read
 * outside them (`..` and absolute member paths, symlinks), secrets never
 * reach output or `--debug` logs, auth files are private, credentials stay
 * with their registry across redirects, and TLS is verified by default.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { InvalidContentError } from "../core/errors.ts";
import { copyImage, login, parseImageName } from "../mod.ts";
import { encodeHeader, paddingOf } from "../transports/_tar/header.ts";
import { componentTest } from "./support/components.ts";
import { startFaultProxy } from "./support/fault_proxy.ts";
import {
  buildImage,
  type BuiltImage,
  writeOciLayout,
} from "./support/random_image.ts";
import { startRegistry } from "./support/registry.ts";
import { runOurs } from "./support/skopeo.ts";
import { makeTempDir } from "./support/temp_dir.ts";

const encoder = new TextEncoder();

interface Member {
  name: string;
  body?: Uint8Array | string;
  /** A symlink to this target instead of a file. */
  symlink?: string;
}

/** A tar archive with exactly these members, names unchecked. */
function tarOf(members: readonly Member[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const m of members) {
    const body = typeof m.body === "string"
      ? encoder.encode(m.body)
      : m.body ?? new Uint8Array();
    const size = m.symlink === undefined ? body.length : 0;
    parts.push(encodeHeader({
      name: encoder.encode(m.name),
      mode: 0o644,
      uid: 0,
      gid: 0,
      size,
      mtime: 0,
      typeflag: m.symlink === undefined ? "0" : "2",
      linkName: encoder.encode(m.symlink ?? ""),
      uname: new Uint8Array(),
      gname: new Uint8Array(),
    }));
    if (size > 0) parts.push(body, new Uint8Array(paddingOf(size)));
  }
  parts.push(new Uint8Array(1024));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function hex(digest: string): string {
  return digest.slice("sha256:".length);
}

const IMAGE: BuiltImage = buildImage({
  seed: 4242,
  layers: [{ size: 1024 }],
  format: "docker",
});

/** A docker-archive of IMAGE with the given paths in manifest.json. */
function dockerArchive(
  paths: { config?: string; layer?: string },
  extra: readonly Member[] = [],
): Uint8Array {
  const config = `${hex(IMAGE.config.digest)}.json`;
  const layer = `${hex(IMAGE.layers[0]!.digest)}/layer.tar`;
  return tarOf([
    {
      name: "manifest.json",
      body: JSON.stringify([{
        Config: paths.config ?? config,
        RepoTags: ["app:1"],
        Layers: [paths.layer ?? layer],
      }]),
    },
    { name: config, body: IMAGE.config.bytes },
    { name: layer, body: IMAGE.layers[0]!.bytes },
    ...extra,
  ]);
}

/** An oci-archive of IMAGE, with members replaced or added. */
function ociArchive(replace: Record<string, Member>, extra: Member[] = []) {
  const blob = (b: { digest: string; bytes: Uint8Array }): Member => ({
    name: `blobs/sha256/${hex(b.digest)}`,
    body: b.bytes,
  });
  const index = {
    schemaVersion: 2,
    manifests: [{
      mediaType: IMAGE.manifest.mediaType,
      digest: IMAGE.manifest.digest,
      size: IMAGE.manifest.size,
      annotations: { "org.opencontainers.image.ref.name": "x" },
    }],
  };
  const members: Member[] = [
    { name: "oci-layout", body: '{"imageLayoutVersion":"1.0.0"}' },
    { name: "index.json", body: JSON.stringify(index) },
    blob(IMAGE.manifest),
    blob(IMAGE.config),
    blob(IMAGE.layers[0]!),
  ];
  return tarOf([
    ...members.map((m) => replace[m.name] ?? m),
    ...extra,
  ]);
}

/** Copies `source` to a fresh dir:; returns the error message, or "ok". */
async function copyToDir(source: string, dest: string): Promise<string> {
  try {
    await copyImage(
      await parseImageName(source),
      await parseImageName(`dir:${dest}`),
    );
  } catch (error) {
    assert.ok(
      error instanceof InvalidContentError ||
        (error as Error).name.endsWith("Error"),
      String(error),
    );
    const message = (error as Error).message;
    assert.ok(!message.includes("\n"), message);
    // Nothing that looks like an image is left behind.
    await assert.rejects(Deno.stat(join(dest, "manifest.json")));
    return message;
  }
  return "ok";
}

Deno.test("docker-archive: .. and absolute paths in manifest.json or member names are refused", async (t) => {
  await using tmp = await makeTempDir("skopeo-ts-security-");
  // A file next to the archive, with the right bytes: only the path
  // check stands between it and the copy.
  await Deno.writeFile(join(tmp.path, "outside.json"), IMAGE.config.bytes);
  const cases: [string, Uint8Array, RegExp][] = [
    [
      "Config with ..",
      dockerArchive({ config: "../outside.json" }),
      /\.\./,
    ],
    [
      "Layer with ..",
      dockerArchive({ layer: "x/../../outside.json" }),
      /\.\./,
    ],
    [
      "absolute Layer path (resolved inside the archive, not found there)",
      dockerArchive({ layer: join(tmp.path, "outside.json") }),
      /loading tar component .*outside\.json: file does not exist$/,
    ],
    [
      "a member named ../evil",
      dockerArchive({}, [{ name: "../evil", body: "x" }]),
      /\.\./,
    ],
  ];
  for (const [i, [name, bytes, pattern]] of cases.entries()) {
    await t.step(name, async () => {
      const file = join(tmp.path, `bad-${i}.tar`);
      await Deno.writeFile(file, bytes);
      const message = await copyToDir(
        `docker-archive:${file}`,
        join(tmp.path, `dest-${i}`),
      );
      assert.notEqual(message, "ok");
      assert.match(message, pattern);
    });
  }
  await t.step("the same archive with clean paths copies", async () => {
    const file = join(tmp.path, "clean.tar");
    await Deno.writeFile(file, dockerArchive({}));
    assert.equal(
      await copyToDir(`docker-archive:${file}`, join(tmp.path, "clean")),
      "ok",
    );
  });
});

Deno.test("oci-archive: .. member names and symlinks leaving the archive are refused", async (t) => {
  await using tmp = await makeTempDir("skopeo-ts-security-");
  const layerName = `blobs/sha256/${hex(IMAGE.layers[0]!.digest)}`;
  const cases: [string, Uint8Array, RegExp][] = [
    [
      "a member named ../evil",
      ociArchive({}, [{ name: "../evil", body: "x" }]),
      /\.\./,
    ],
    [
      "a blob that is a symlink out of the archive",
      ociArchive({
        [layerName]: { name: layerName, symlink: "../../../../etc/passwd" },
      }),
      /points outside the archive$/,
    ],
    [
      "a blob that is an absolute symlink (inside the archive: missing)",
      ociArchive({ [layerName]: { name: layerName, symlink: "/etc/passwd" } }),
      /^Blob sha256:\w+ not found in oci-archive:/,
    ],
  ];
  for (const [i, [name, bytes, pattern]] of cases.entries()) {
    await t.step(name, async () => {
      const file = join(tmp.path, `bad-${i}.tar`);
      await Deno.writeFile(file, bytes);
      const message = await copyToDir(
        `oci-archive:${file}:x`,
        join(tmp.path, `dest-${i}`),
      );
      assert.notEqual(message, "ok");
      assert.match(message, pattern);
      assert.ok(!message.includes("root:x:0:0"), "no host file content");
    });
  }
  await t.step("the same archive without tricks copies", async () => {
    const file = join(tmp.path, "clean.tar");
    await Deno.writeFile(file, ociArchive({}));
    assert.equal(
      await copyToDir(`oci-archive:${file}:x`, join(tmp.path, "clean")),
      "ok",
    );
  });
});

Deno.test("oci: a blob symlinked outside the layout is refused, inside it is read", async () => {
  await using tmp = await makeTempDir("skopeo-ts-security-");
  const layout = join(tmp.path, "layout");
  await writeOciLayout(layout, [{ tag: "x", image: IMAGE }]);
  const layerPath = join(
    layout,
    "blobs",
    "sha256",
    hex(IMAGE.layers[0]!.digest),
  );
  // Outside, with the right bytes: digest verification alone would pass.
  const outside = join(tmp.path, "outside-layer");
  await Deno.rename(layerPath, outside);
  await Deno.symlink(outside, layerPath);
  const message = await copyToDir(`oci:${layout}:x`, join(tmp.path, "d1"));
  assert.match(message, /symbolic link pointing outside the layout$/);

  // A link that stays inside the layout is fine.
  const inside = join(layout, "elsewhere");
  await Deno.remove(layerPath);
  await Deno.rename(outside, inside);
  await Deno.symlink("../../elsewhere", layerPath);
  assert.equal(await copyToDir(`oci:${layout}:x`, join(tmp.path, "d2")), "ok");
});

componentTest({
  name:
    "credentials never appear in output or --debug logs (copy, sync, inspect, login)",
  components: ["docker-registry"],
  async fn(t) {
    const password = "Sec-9f3e-do-not-print";
    await using registry = await startRegistry({ auth: "htpasswd", password });
    await using tmp = await makeTempDir("skopeo-ts-security-");
    const user = registry.username!;
    await copyImage(
      await parseImageName("oci:tests/fixtures/oci:demo"),
      await parseImageName(`docker://${registry.host}/app:1`),
      {
        destinationContext: {
          settings: {
            docker: {
              tlsVerify: false,
              credentials: { username: user, password },
            },
          },
        },
      },
    );
    const secrets = [
      password,
      btoa(`${user}:${password}`),
      btoa(`${user}:${password}x`),
    ];
    const runs: [string, string[], boolean][] = [
      ["copy --src-creds", [
        "--debug",
        "copy",
        "--src-tls-verify=false",
        "--src-creds",
        `${user}:${password}`,
        `docker://${registry.host}/app:1`,
        `dir:${tmp.path}/copy`,
      ], true],
      ["copy with a wrong password", [
        "--debug",
        "copy",
        "--src-tls-verify=false",
        "--src-creds",
        `${user}:${password}x`,
        `docker://${registry.host}/app:1`,
        `dir:${tmp.path}/copy-wrong`,
      ], false],
      ["sync --src-creds", [
        "--debug",
        "sync",
        "--src",
        "docker",
        "--dest",
        "dir",
        "--src-tls-verify=false",
        "--src-creds",
        `${user}:${password}`,
        `${registry.host}/app`,
        `${tmp.path}/sync`,
      ], true],
      ["inspect --creds", [
        "--debug",
        "inspect",
        "--tls-verify=false",
        "--creds",
        `${user}:${password}`,
        `docker://${registry.host}/app:1`,
      ], true],
      ["login", [
        "--debug",
        "login",
        "--tls-verify=false",
        "-u",
        user,
        "-p",
        password,
        registry.host,
      ], true],
    ];
    for (const [name, args, succeeds] of runs) {
      await t.step(name, async () => {
        if (name === "sync --src-creds") await Deno.mkdir(`${tmp.path}/sync`);
        const result = await runOurs(args);
        assert.equal(result.code === 0, succeeds, result.stderr);
        const output = result.stdout + result.stderr;
        assert.match(result.stderr, /level=debug/, "debug output is on");
        for (const secret of secrets) {
          assert.ok(!output.includes(secret), `${name} printed a secret`);
        }
      });
    }
  },
});

componentTest({
  name: "auth.json is written with mode 0600, also over a readable file",
  components: ["docker-registry"],
  async fn() {
    await using registry = await startRegistry({ auth: "htpasswd" });
    await using tmp = await makeTempDir("skopeo-ts-security-");
    const fresh = join(tmp.path, "new", "auth.json");
    const existing = join(tmp.path, "auth.json");
    await Deno.writeTextFile(existing, '{"auths":{}}', { mode: 0o644 });
    await Deno.chmod(existing, 0o644);
    for (const authFile of [fresh, existing]) {
      await login(registry.host, {
        username: registry.username!,
        password: registry.password!,
        authFile,
        tlsVerify: false,
      });
      assert.equal((await Deno.stat(authFile)).mode! & 0o777, 0o600, authFile);
    }
  },
});

componentTest({
  name: "Authorization is not sent to the host a registry redirects to",
  components: ["docker-registry"],
  async fn() {
    await using registry = await startRegistry({ auth: "htpasswd" });
    await using proxy = startFaultProxy({ upstream: registry.url });
    await using tmp = await makeTempDir("skopeo-ts-security-");
    const credentials = {
      username: registry.username!,
      password: registry.password!,
    };
    await copyImage(
      await parseImageName("oci:tests/fixtures/oci:demo"),
      await parseImageName(`docker://${registry.host}/app:1`),
      {
        destinationContext: {
          settings: { docker: { tlsVerify: false, credentials } },
        },
      },
    );
    proxy.addRule({
      method: "GET",
      path: /\/blobs\//,
      fault: { kind: "redirect" },
      times: Infinity,
    });
    // The other origin gets no credentials, so this registry refuses it.
    await assert.rejects(copyImage(
      await parseImageName(`docker://${proxy.host}/app:1`),
      await parseImageName(`dir:${tmp.path}/d`),
      {
        sourceContext: {
          settings: { docker: { tlsVerify: false, credentials } },
        },
      },
    ));
    const redirected = proxy.requests.filter((r) => r.listener === "redirect");
    assert.ok(redirected.length > 0, "the redirect was followed");
    assert.ok(redirected.every((r) => !r.authorization));
    assert.ok(
      proxy.requests.some((r) =>
        r.listener === "main" && r.path.includes("/manifests/") &&
        r.authorization
      ),
      "the registry itself got credentials",
    );
  },
});

componentTest({
  name:
    "a self-signed TLS registry fails without --cert-dir or --tls-verify=false",
  components: ["docker-registry"],
  async fn(t) {
    await using registry = await startRegistry({ tls: true });
    await copyImage(
      await parseImageName("oci:tests/fixtures/oci:demo"),
      await parseImageName(`docker://${registry.host}/app:1`),
      {
        destinationContext: {
          settings: { docker: { certDir: registry.certDir } },
        },
      },
    );
    const listTags = (...flags: string[]) =>
      runOurs(["list-tags", ...flags, `docker://${registry.host}/app`]);
    await t.step("verified by default: refused", async () => {
      const result = await listTags();
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /x509: certificate signed by unknown authority/,
      );
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    });
    await t.step("--cert-dir with the CA: accepted", async () => {
      const result = await listTags("--cert-dir", registry.certDir!);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout).Tags, ["1"]);
    });
    await t.step("--tls-verify=false: accepted", async () => {
      const result = await listTags("--tls-verify=false");
      assert.equal(result.code, 0, result.stderr);
    });
  },
});
