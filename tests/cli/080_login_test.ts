/**
 * `login` and `logout` against the real registry, compared with skopeo
 * 1.9.3: same output lines, same auth file (bytes and mode).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { componentTest } from "../support/components.ts";
import { type RunningRegistry, startRegistry } from "../support/registry.ts";
import {
  ourShellCommand,
  type RunOptions,
  runOurs,
  type RunResult,
  runSkopeo,
} from "../support/skopeo.ts";
import { makeTempDir, type TempDir } from "../support/temp_dir.ts";

/** Output and exit code with logrus's timestamp removed. */
function comparable(result: RunResult): string {
  return `${result.code}\n${result.stdout}\n${
    result.stderr.replace(/time="[^"]*" /g, "")
  }`;
}

/** The default auth file of an isolated run (`$XDG_RUNTIME_DIR/containers`). */
function defaultAuthFile(home: string): string {
  return join(home, "run", "containers", "auth.json");
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Two isolation directories, one for skopeo and one for us. */
interface Pair extends AsyncDisposable {
  theirs: TempDir;
  ours: TempDir;
}

async function makePair(): Promise<Pair> {
  const theirs = await makeTempDir();
  const ours = await makeTempDir();
  return {
    theirs,
    ours,
    async [Symbol.asyncDispose]() {
      await theirs[Symbol.asyncDispose]();
      await ours[Symbol.asyncDispose]();
    },
  };
}

/**
 * Runs the same command with skopeo and with ours, each in its own home
 * (`HOME_DIR` in arguments and `env` values becomes that home), and
 * asserts equal output and equal default auth files.
 */
async function same(
  pair: Pair,
  args: string[],
  options: Omit<RunOptions, "home"> & { compareFile?: boolean } = {},
): Promise<{ ours: RunResult; theirs: RunResult }> {
  const run = async (
    runner: typeof runOurs,
    home: string,
  ): Promise<RunResult> => {
    const env = Object.fromEntries(
      Object.entries(options.env ?? {}).map((
        [k, v],
      ) => [k, v.replaceAll("HOME_DIR", home)]),
    );
    const result = await runner(
      args.map((a) => a.replaceAll("HOME_DIR", home)),
      { ...options, env, home },
    );
    return {
      ...result,
      stdout: result.stdout.replaceAll(home, "HOME_DIR"),
      stderr: result.stderr.replaceAll(home, "HOME_DIR"),
    };
  };
  const theirs = await run(runSkopeo, pair.theirs.path);
  const ours = await run(runOurs, pair.ours.path);
  assert.equal(comparable(ours), comparable(theirs), args.join(" "));
  if (options.compareFile ?? true) {
    assert.equal(
      await readIfExists(defaultAuthFile(pair.ours.path)),
      await readIfExists(defaultAuthFile(pair.theirs.path)),
      `auth file after ${args.join(" ")}`,
    );
  }
  return { ours, theirs };
}

function loginArgs(
  registry: RunningRegistry,
  target = registry.host,
): string[] {
  return [
    "login",
    "--tls-verify=false",
    "-u",
    registry.username!,
    "-p",
    registry.password!,
    target,
  ];
}

componentTest({
  name: "login writes the auth file skopeo writes, with mode 0600, by rename",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using registry = await startRegistry({ auth: "htpasswd" });
    await using pair = await makePair();
    const first = await same(pair, loginArgs(registry));
    assert.equal(first.ours.stdout, "Login Succeeded!\n");
    const path = defaultAuthFile(pair.ours.path);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const inode = (await Deno.stat(path)).ino;
    // Keys are added in sorted order: Go writes the `auths` map sorted and
    // auth_file.ts keeps insertion order (see the next test).
    await same(
      pair,
      loginArgs(registry, `http://${registry.host}/ignored/path`),
    );
    // A new file replaced the old one (write to a temporary file, rename).
    // Checked at once: a later write may reuse the freed inode number.
    assert.notEqual((await Deno.stat(path)).ino, inode);
    await same(pair, [...loginArgs(registry, `${registry.host}/team`), "-v"]);
    await same(pair, loginArgs(registry, `${registry.host}/team/app`));
    const entries = [];
    for await (
      const e of Deno.readDir(join(pair.ours.path, "run", "containers"))
    ) {
      entries.push(e.name);
    }
    assert.deepEqual(entries, ["auth.json"]);
    const file = JSON.parse(await Deno.readTextFile(path));
    assert.deepEqual(Object.keys(file.auths).sort(), [
      registry.host,
      `${registry.host}/team`,
      `${registry.host}/team/app`,
    ]);
  },
});

componentTest({
  name: "login adds keys in any order to the same entries as skopeo",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using registry = await startRegistry({ auth: "htpasswd" });
    await using pair = await makePair();
    for (const key of ["/team/app", "", "/team"]) {
      await same(pair, loginArgs(registry, `${registry.host}${key}`), {
        compareFile: false,
      });
    }
    const parse = async (dir: TempDir) =>
      JSON.parse(await Deno.readTextFile(defaultAuthFile(dir.path)));
    assert.deepEqual(await parse(pair.ours), await parse(pair.theirs));
  },
});

componentTest({
  name:
    "login reads --password-stdin, --get-login and stored credentials as skopeo",
  components: ["docker-registry", "skopeo"],
  async fn(t) {
    await using registry = await startRegistry({ auth: "htpasswd" });
    await using pair = await makePair();
    const host = registry.host;
    const user = registry.username!;
    const password = registry.password!;
    await t.step("--password-stdin", async () => {
      const base = ["login", "--tls-verify=false"];
      await same(pair, [...base, "-u", user, "--password-stdin", host], {
        stdin: `${password}\n`,
      });
      await same(pair, [...base, "--password-stdin", host], {
        stdin: password,
      });
      await same(pair, [
        ...base,
        "-u",
        user,
        "-p",
        "x",
        "--password-stdin",
        host,
      ], {
        stdin: password,
      });
    });
    await t.step("--get-login", async () => {
      const { ours } = await same(pair, ["login", "--get-login", host]);
      assert.equal(ours.stdout, `${user}\n`);
      await same(pair, ["login", "--get-login", `${host}9`]);
    });
    await t.step("stored credentials are checked and reused", async () => {
      const { ours } = await same(pair, ["login", "--tls-verify=false", host]);
      assert.match(ours.stdout, /Existing credentials are valid/);
    });
    await t.step(
      "the user name prompt reads a line; the password needs a terminal",
      async () => {
        await same(
          pair,
          ["login", "--tls-verify=false", "-p", password, host],
          {
            stdin: `${user}\n`,
          },
        );
        const { ours } = await same(
          pair,
          ["login", "--tls-verify=false", "-u", user, host],
          { stdin: `${password}\n` },
        );
        assert.equal(ours.stdout, "Password: ");
        assert.match(
          ours.stderr,
          /reading password: inappropriate ioctl for device/,
        );
      },
    );
  },
});

componentTest({
  name: "login failures are skopeo's one-line errors and write nothing",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using registry = await startRegistry({ auth: "htpasswd" });
    await using pair = await makePair();
    const host = registry.host;
    const cases = [
      ["login", "--tls-verify=false", "-u", "testuser", "-p", "wrong", host],
      [
        "login",
        "--tls-verify=false",
        "-u",
        "testuser",
        "-p",
        "x",
        `${host}/a:1`,
      ],
      ["login", "--tls-verify=false", "-u", "testuser", "-p", "x", `${host}/A`],
      ["login"],
      ["login", host, host],
      ["login", "--tls-verify=false", "-p", "x", host],
    ];
    for (const args of cases) {
      const { ours } = await same(pair, args);
      assert.equal(ours.code, 1);
      assert.equal(ours.stderr.trimEnd().split("\n").length, 1, ours.stderr);
    }
    assert.equal(
      await readIfExists(defaultAuthFile(pair.ours.path)),
      undefined,
    );
  },
});

componentTest({
  name: "logout and logout --all print what skopeo prints",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using registry = await startRegistry({ auth: "htpasswd" });
    await using pair = await makePair();
    const host = registry.host;
    await same(pair, loginArgs(registry));
    await same(pair, loginArgs(registry, `${host}/ns`));
    const { ours } = await same(pair, ["logout", `${host}/ns`]);
    assert.equal(ours.stdout, `Removed login credentials for ${host}/ns\n`);
    await same(pair, ["logout", host]);
    // skopeo rewrites the file even when nothing was removed; we do not.
    await same(pair, ["logout", host], { compareFile: false });
    await same(pair, ["logout"]);
    await same(pair, ["logout", host, host]);
    await same(pair, ["logout", "--authfile", "HOME_DIR/none.json", host]);
    await same(pair, loginArgs(registry));
    await same(pair, ["logout", "--all", host]);
    await same(pair, ["logout", "-a"]);
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(defaultAuthFile(pair.ours.path))),
      { auths: {} },
    );
  },
});

componentTest({
  name:
    "logout points to docker logout for valid credentials in ~/.docker/config.json",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using registry = await startRegistry({ auth: "htpasswd" });
    await using pair = await makePair();
    for (const dir of [pair.ours.path, pair.theirs.path]) {
      await Deno.mkdir(join(dir, "home", ".docker"), { recursive: true });
      await Deno.writeTextFile(
        join(dir, "home", ".docker", "config.json"),
        JSON.stringify({
          auths: {
            [registry.host]: {
              auth: btoa(`${registry.username}:${registry.password}`),
            },
          },
        }),
      );
    }
    const { ours } = await same(
      pair,
      ["logout", "--tls-verify=false", registry.host],
      { compareFile: false },
    );
    assert.match(
      ours.stdout,
      /^Not logged into .* Please use docker logout instead.\n$/,
    );
  },
});

componentTest({
  name: "login and logout honour REGISTRY_AUTH_FILE and DOCKER_CONFIG",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using registry = await startRegistry({ auth: "htpasswd" });
    await using pair = await makePair();
    await same(pair, [...loginArgs(registry), "-v"], {
      env: { REGISTRY_AUTH_FILE: "HOME_DIR/raf.json" },
    });
    await same(pair, [...loginArgs(registry), "-v"], {
      env: { DOCKER_CONFIG: "HOME_DIR/dc" },
    });
    await same(pair, ["logout", registry.host], {
      env: { DOCKER_CONFIG: "HOME_DIR/dc" },
    });
    await same(pair, ["logout", registry.host], {
      env: { DOCKER_CONFIG: "HOME_DIR/missing" },
    });
    assert.equal(
      await Deno.readTextFile(join(pair.ours.path, "raf.json")),
      await Deno.readTextFile(join(pair.theirs.path, "raf.json")),
    );
    assert.equal(
      await readIfExists(defaultAuthFile(pair.ours.path)),
      undefined,
    );
  },
});

componentTest({
  name: "login works with Bearer tokens and with TLS --cert-dir",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using token = await startRegistry({ auth: "token" });
    await using tls = await startRegistry({ tls: true, auth: "htpasswd" });
    await using pair = await makePair();
    // Two hosts on random ports: their order in the file is the insertion
    // order here, Go's sorted order in skopeo's file.
    await same(pair, loginArgs(token), { compareFile: false });
    await same(pair, [
      "login",
      "--tls-verify=false",
      "-u",
      "testuser",
      "-p",
      "wrong",
      token.host,
    ]);
    await same(pair, [
      "login",
      "--cert-dir",
      tls.certDir!,
      "-u",
      tls.username!,
      "-p",
      tls.password!,
      tls.host,
    ], { compareFile: false });
    const file = JSON.parse(
      await Deno.readTextFile(defaultAuthFile(pair.ours.path)),
    );
    assert.deepEqual(
      Object.keys(file.auths).sort(),
      [tls.host, token.host].sort(),
    );
    assert.deepEqual(
      file,
      JSON.parse(await Deno.readTextFile(defaultAuthFile(pair.theirs.path))),
    );
  },
});

componentTest({
  name: "the password is never printed, not even with --debug",
  components: ["docker-registry"],
  async fn() {
    const password = "Pw-7c1f0e-never-shown";
    await using registry = await startRegistry({ auth: "htpasswd", password });
    await using home = await makeTempDir();
    const secrets = [password, btoa(`${registry.username}:${password}`)];
    const runs = [
      await runOurs(["--debug", ...loginArgs(registry)], { home: home.path }),
      await runOurs(
        [
          "--debug",
          "login",
          "--tls-verify=false",
          "-u",
          "testuser",
          "-p",
          `${password}x`,
          registry.host,
        ],
        { home: home.path },
      ),
      await runOurs(
        [
          "--debug",
          "login",
          "--tls-verify=false",
          "-u",
          "testuser",
          "--password-stdin",
          registry.host,
        ],
        { home: home.path, stdin: password },
      ),
      await runOurs(
        [
          "--debug",
          "list-tags",
          "--tls-verify=false",
          "--creds",
          `testuser:${password}`,
          `docker://${registry.host}/x`,
        ],
        { home: home.path },
      ),
    ];
    assert.equal(runs[0]!.code, 0, runs[0]!.stderr);
    assert.match(runs[0]!.stderr, /level=debug/);
    assert.equal(runs[1]!.code, 1);
    for (const run of runs) {
      for (const secret of secrets) {
        assert.ok(!run.stdout.includes(secret), run.stdout);
        assert.ok(!run.stderr.includes(secret), run.stderr);
      }
    }
  },
});

componentTest({
  name: "login prompts for the password on a terminal without echoing it",
  components: ["docker-registry", "script"],
  async fn() {
    await using registry = await startRegistry({ auth: "htpasswd" });
    await using home = await makeTempDir();
    const authFile = home.join("auth.json");
    const command = ourShellCommand([
      "login",
      "--authfile",
      authFile,
      "--tls-verify=false",
      "-u",
      registry.username!,
      registry.host,
    ]);
    // `script` gives the command a pseudo-terminal as its standard input.
    const child = new Deno.Command("script", {
      args: ["-qec", command, "/dev/null"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
      signal: AbortSignal.timeout(30_000),
    }).spawn();
    const reader = child.stdout.getReader();
    let output = "";
    while (!output.includes("Password: ")) {
      const { value, done } = await reader.read();
      if (done) break;
      output += new TextDecoder().decode(value);
    }
    assert.ok(output.includes("Password: "), output);
    // Echo is off before the prompt shows, so this is never displayed.
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(`${registry.password}\r`));
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      output += new TextDecoder().decode(value);
    }
    await writer.close();
    const status = await child.status;
    await child.stderr.cancel();
    assert.equal(status.code, 0, output);
    assert.equal(output.replaceAll("\r", ""), "Password: \nLogin Succeeded!\n");
    assert.ok(!output.includes(registry.password!));
    const file = JSON.parse(await Deno.readTextFile(authFile));
    assert.equal(
      file.auths[registry.host].auth,
      btoa(`${registry.username}:${registry.password}`),
    );
  },
});
