import assert from "node:assert/strict";
import {
  AuthFileError,
  type AuthFileOptions,
  authFilePaths,
  lookupCredentials,
  primaryAuthFilePath,
  removeAllCredentials,
  removeCredentials,
  storeCredentials,
  validateAuthKey,
} from "./auth_file.ts";

const b64 = (text: string): string => btoa(text);

interface Sandbox extends AsyncDisposable {
  home: string;
  options: AuthFileOptions;
  env: Record<string, string>;
  write(path: string, value: unknown): Promise<void>;
}

async function sandbox(extra: Record<string, string> = {}): Promise<Sandbox> {
  const home = await Deno.makeTempDir({ prefix: "skopeo-ts-auth-" });
  await Deno.mkdir(`${home}/run`);
  const env: Record<string, string> = {
    HOME: home,
    XDG_RUNTIME_DIR: `${home}/run`,
    PATH: `${home}/bin:/usr/bin:/bin`,
    ...extra,
  };
  return {
    home,
    env,
    options: { getEnv: (name) => env[name] },
    async write(path, value) {
      const full = `${home}/${path}`;
      await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), {
        recursive: true,
      });
      await Deno.writeTextFile(
        full,
        typeof value === "string" ? value : JSON.stringify(value),
      );
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(home, { recursive: true });
    },
  };
}

Deno.test("authFilePaths() lists skopeo's files in order", async () => {
  await using box = await sandbox();
  assert.deepEqual(authFilePaths(box.options).map((p) => p.path), [
    `${box.home}/run/containers/auth.json`,
    `${box.home}/.config/containers/auth.json`,
    `${box.home}/.docker/config.json`,
    `${box.home}/.dockercfg`,
  ]);
  box.env.REGISTRY_AUTH_FILE = `${box.home}/env.json`;
  box.env.XDG_CONFIG_HOME = `${box.home}/xdg`;
  box.env.DOCKER_CONFIG = `${box.home}/dc`;
  assert.deepEqual(authFilePaths(box.options).map((p) => p.path), [
    `${box.home}/env.json`,
    `${box.home}/xdg/containers/auth.json`,
    `${box.home}/dc/config.json`,
    `${box.home}/.dockercfg`,
  ]);
  // --authfile beats $REGISTRY_AUTH_FILE.
  assert.equal(
    primaryAuthFilePath({ ...box.options, authFile: "/x/a.json" }),
    "/x/a.json",
  );
});

Deno.test("authFilePaths() skips a missing XDG_RUNTIME_DIR with a warning", async () => {
  await using box = await sandbox({ XDG_RUNTIME_DIR: "/nonexistent-dir" });
  const warnings: string[] = [];
  const paths = authFilePaths({
    ...box.options,
    logger: { debug: () => {}, warn: (m) => warnings.push(m) },
  });
  assert.equal(paths[0]!.path, `${box.home}/.config/containers/auth.json`);
  assert.match(warnings[0]!, /XDG_RUNTIME_DIR does not exist/);
});

Deno.test("lookupCredentials() searches files in order and later files too", async () => {
  await using box = await sandbox();
  await box.write(".docker/config.json", {
    auths: { "reg.example:5000": { auth: b64("docker:dpw") } },
  });
  assert.deepEqual(
    await lookupCredentials("reg.example:5000/a/b", box.options),
    { username: "docker", password: "dpw" },
  );
  // An explicit auth file without an entry still falls through (skopeo 1.9.3).
  await box.write("explicit.json", { auths: {} });
  assert.equal(
    (await lookupCredentials("reg.example:5000/a/b", {
      ...box.options,
      authFile: `${box.home}/explicit.json`,
    }))?.username,
    "docker",
  );
  await box.write(".config/containers/auth.json", {
    auths: { "reg.example:5000": { auth: b64("xdg:xpw") } },
  });
  assert.equal(
    (await lookupCredentials("reg.example:5000", box.options))?.username,
    "xdg",
  );
  await box.write("run/containers/auth.json", {
    auths: { "reg.example:5000": { auth: b64("run:rpw") } },
  });
  assert.equal(
    (await lookupCredentials("reg.example:5000", box.options))?.username,
    "run",
  );
  assert.equal(
    await lookupCredentials("other.example", box.options),
    undefined,
  );
});

Deno.test("lookupCredentials() prefers the most specific namespace key", async () => {
  await using box = await sandbox();
  await box.write("run/containers/auth.json", {
    auths: {
      "quay.io": { auth: b64("host:1") },
      "quay.io/team": { auth: b64("team:2") },
      "quay.io/team/app": { auth: b64("app:3") },
    },
  });
  const user = async (key: string) =>
    (await lookupCredentials(key, box.options))?.username;
  assert.equal(await user("quay.io/team/app"), "app");
  assert.equal(await user("quay.io/team/other"), "team");
  assert.equal(await user("quay.io/teams/app"), "host");
  assert.equal(await user("quay.io"), "host");
});

Deno.test("lookupCredentials() matches URL keys and the docker.io legacy key", async () => {
  await using box = await sandbox();
  await box.write(".docker/config.json", {
    auths: {
      "https://index.docker.io/v1/": {
        auth: b64("hub:pw:with:colons\0"),
        identitytoken: "refresh-token",
      },
      "http://old.example:5000/v2/": { auth: b64("old:pw") },
    },
  });
  assert.deepEqual(
    await lookupCredentials("docker.io/library/busybox", box.options),
    {
      username: "hub",
      password: "pw:with:colons",
      identityToken: "refresh-token",
    },
  );
  assert.equal(
    (await lookupCredentials("old.example:5000/x", box.options))?.username,
    "old",
  );
  await box.write(".dockercfg", {
    "https://legacy.example/v1/": { auth: b64("legacy:pw") },
  });
  assert.equal(
    (await lookupCredentials("legacy.example/x", box.options))?.username,
    "legacy",
  );
});

Deno.test("lookupCredentials() skips helper markers and rejects bad data", async () => {
  await using box = await sandbox();
  await box.write("run/containers/auth.json", {
    auths: { "a.example": {}, "b.example": { auth: "!!!" } },
  });
  await box.write(".docker/config.json", {
    auths: { "a.example": { auth: b64("fallback:pw") } },
  });
  assert.equal(
    (await lookupCredentials("a.example", box.options))?.username,
    "fallback",
  );
  await assert.rejects(
    lookupCredentials("b.example", box.options),
    AuthFileError,
  );
  await box.write("run/containers/auth.json", "{not json");
  await assert.rejects(
    lookupCredentials("a.example", box.options),
    /unmarshaling JSON/,
  );
});

Deno.test("lookupCredentials() asks credHelpers and credsStore helpers", async () => {
  await using box = await sandbox();
  // A real helper program speaking the protocol: host on stdin, JSON out.
  await box.write(
    "bin/docker-credential-testhelper",
    `#!/bin/sh
read host
case "$1:$host" in
  get:helped.example) printf '{"ServerURL":"%s","Username":"hu","Secret":"hs"}' "$host" ;;
  get:token.example) printf '{"ServerURL":"%s","Username":"<token>","Secret":"idt"}' "$host" ;;
  get:broken.example) echo "exploded" >&2; exit 1 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`,
  );
  await Deno.chmod(`${box.home}/bin/docker-credential-testhelper`, 0o755);
  await box.write("run/containers/auth.json", {
    credHelpers: {
      "helped.example": "testhelper",
      "token.example": "testhelper",
      "broken.example": "testhelper",
      "missing.example": "testhelper",
    },
  });
  assert.deepEqual(await lookupCredentials("helped.example/a", box.options), {
    username: "hu",
    password: "hs",
  });
  assert.deepEqual(await lookupCredentials("token.example", box.options), {
    username: "",
    password: "",
    identityToken: "idt",
  });
  assert.equal(
    await lookupCredentials("missing.example", box.options),
    undefined,
  );
  await assert.rejects(
    lookupCredentials("broken.example", box.options),
    /credential helper testhelper: exploded/,
  );
  await box.write(".docker/config.json", { credsStore: "testhelper" });
  await box.write("run/containers/auth.json", { auths: {} });
  assert.equal(
    (await lookupCredentials("helped.example", box.options))?.username,
    "hu",
  );
});

Deno.test("validateAuthKey() rejects URLs, digests and tags", () => {
  assert.equal(validateAuthKey("localhost:5000"), false);
  assert.equal(validateAuthKey("localhost:5000/ns"), true);
  assert.throws(() => validateAuthKey("https://quay.io"), /http\[s\]/);
  assert.throws(() => validateAuthKey("quay.io/a@sha256:x"), /'@'/);
  assert.throws(() => validateAuthKey("quay.io/a:tag"), /':' character/);
});

Deno.test("storeCredentials() writes 0600 atomically and keeps unknown fields", async () => {
  await using box = await sandbox();
  const path = `${box.home}/run/containers/auth.json`;
  await box.write("run/containers/auth.json", {
    auths: { "keep.example": { auth: b64("k:k"), email: "x@y" } },
    psFormat: "table",
  });
  const where = await storeCredentials("new.example:5000", {
    username: "üser",
    password: "p:w",
  }, box.options);
  assert.equal(where, path);
  assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  const written = JSON.parse(await Deno.readTextFile(path));
  assert.equal(written.psFormat, "table");
  assert.equal(written.auths["keep.example"].email, "x@y");
  assert.deepEqual(
    await lookupCredentials("new.example:5000", box.options),
    { username: "üser", password: "p:w" },
  );
  assert.match(await Deno.readTextFile(path), /^\{\n\t"auths"/);
  // No temporary files are left behind.
  const names = [...Deno.readDirSync(`${box.home}/run/containers`)].map((e) =>
    e.name
  );
  assert.deepEqual(names, ["auth.json"]);
});

Deno.test("storeCredentials() creates the file and its directory", async () => {
  await using box = await sandbox();
  const authFile = `${box.home}/deep/er/auth.json`;
  await storeCredentials("r.example", { username: "u", password: "p" }, {
    ...box.options,
    authFile,
  });
  assert.equal((await Deno.stat(authFile)).mode! & 0o777, 0o600);
  assert.deepEqual(JSON.parse(await Deno.readTextFile(authFile)), {
    auths: { "r.example": { auth: b64("u:p") } },
  });
});

Deno.test("removeCredentials() and removeAllCredentials() edit the primary file", async () => {
  await using box = await sandbox();
  await storeCredentials(
    "a.example",
    { username: "u", password: "p" },
    box.options,
  );
  await storeCredentials(
    "b.example",
    { username: "u", password: "p" },
    box.options,
  );
  assert.equal(await removeCredentials("a.example", box.options), true);
  assert.equal(await removeCredentials("a.example", box.options), false);
  assert.equal(await lookupCredentials("a.example", box.options), undefined);
  assert.ok(await lookupCredentials("b.example", box.options));
  await removeAllCredentials(box.options);
  assert.equal(await lookupCredentials("b.example", box.options), undefined);
});

Deno.test("lookupCredentials() sees files edited by login, logout and other writers", async () => {
  await using box = await sandbox();
  const key = "registry.example/ns/repo";
  const entry = (user: string) => ({
    auths: { "registry.example": { auth: b64(`${user}:pw`) } },
  });
  await box.write(".docker/config.json", entry("docker"));
  const user = async () =>
    (await lookupCredentials(key, box.options))?.username;
  assert.equal(await user(), "docker");
  // Same size and path, new content: a rewrite another program made.
  await box.write(".docker/config.json", entry("dockex"));
  assert.equal(await user(), "dockex");
  await storeCredentials("registry.example", {
    username: "login",
    password: "pw",
  }, box.options);
  assert.equal(await user(), "login");
  assert.equal(await removeCredentials("registry.example", box.options), true);
  assert.equal(await user(), "dockex");
  await Deno.remove(`${box.home}/.docker/config.json`);
  assert.equal(await user(), undefined);
  await box.write(".dockercfg", {
    "registry.example": { auth: b64("old:pw") },
  });
  assert.equal(await user(), "old");
  await box.write(".dockercfg", "{");
  await assert.rejects(lookupCredentials(key, box.options), AuthFileError);
});
