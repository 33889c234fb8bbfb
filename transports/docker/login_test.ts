import assert from "node:assert/strict";
import { InvalidReferenceError, UsageError } from "../../core/errors.ts";
import { componentTest } from "../../tests/support/components.ts";
import { startRegistry } from "../../tests/support/registry.ts";
import { makeTempDir } from "../../tests/support/temp_dir.ts";
import {
  CredentialsRejectedError,
  defaultLoginAuthFile,
  login,
  type LoginTerminal,
  logout,
  NotLoggedInError,
  parseCredentialsKey,
  parseRepositoryReference,
  passwordFromStdin,
  repositoryName,
} from "./login.ts";
import type { DockerSettings } from "./settings.ts";

Deno.test("parseCredentialsKey() keeps namespaces and reduces URLs to the host", () => {
  const cases: [string, string, string][] = [
    ["quay.io", "quay.io", "quay.io"],
    ["127.0.0.1:5000", "127.0.0.1:5000", "127.0.0.1:5000"],
    ["quay.io/team/app", "quay.io/team/app", "quay.io"],
    ["https://quay.io/v2/team", "quay.io", "quay.io"],
    ["http://127.0.0.1:5000", "127.0.0.1:5000", "127.0.0.1:5000"],
    ["docker.io/library/busybox", "docker.io/library/busybox", "docker.io"],
  ];
  for (const [argument, key, registry] of cases) {
    assert.deepEqual(parseCredentialsKey(argument), { key, registry });
  }
});

Deno.test("parseCredentialsKey() rejects tags, digests and bad names with skopeo's words", () => {
  const cases: [string, string][] = [
    ["quay.io/a:tag", 'reference "quay.io/a:tag" contains tag or digest'],
    [
      "docker.io/busybox:1",
      'reference "docker.io/library/busybox:1" contains tag or digest',
    ],
    [
      "quay.io/UPPER",
      'parse reference from "quay.io/UPPER": invalid reference format: repository name must be lowercase',
    ],
  ];
  for (const [argument, message] of cases) {
    assert.throws(() => parseCredentialsKey(argument), (error: Error) => {
      assert.ok(error instanceof InvalidReferenceError);
      assert.equal(error.message, message);
      return true;
    });
  }
});

Deno.test("passwordFromStdin() joins the lines without their line ends", () => {
  assert.equal(passwordFromStdin("secret\n"), "secret");
  assert.equal(passwordFromStdin("sec\r\nret"), "secret");
  assert.equal(passwordFromStdin(""), "");
  assert.equal(passwordFromStdin("with space \n"), "with space ");
});

Deno.test("defaultLoginAuthFile() prefers REGISTRY_AUTH_FILE, then DOCKER_CONFIG", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.equal(
    defaultLoginAuthFile(
      env({ REGISTRY_AUTH_FILE: "/a", DOCKER_CONFIG: "/d" }),
    ),
    "/a",
  );
  assert.equal(
    defaultLoginAuthFile(env({ DOCKER_CONFIG: "/d" })),
    "/d/config.json",
  );
  assert.equal(defaultLoginAuthFile(env({})), undefined);
});

Deno.test("parseRepositoryReference() wants docker:// and a bare repository", () => {
  const reference = parseRepositoryReference("docker://busybox");
  assert.equal(repositoryName(reference), "docker.io/library/busybox");
  for (
    const [argument, message] of [
      [
        "docker:busybox",
        "docker: image reference docker:busybox does not start with docker://",
      ],
      ["docker://busybox:1", "No tag or digest allowed in reference"],
      [
        "docker://Busybox",
        "invalid reference format: repository name must be lowercase",
      ],
    ]
  ) {
    assert.throws(
      () => parseRepositoryReference(argument!),
      (error: Error) => error.message === message,
    );
  }
});

/** A terminal whose user types `lines` and, when asked, `password`. */
function scripted(
  lines: string[],
  password?: string,
  stdin = "",
): { terminal: LoginTerminal; output: () => string } {
  const written: string[] = [];
  return {
    output: () => written.join(""),
    terminal: {
      write: (text) => written.push(text),
      readLine: () => Promise.resolve(lines.shift()),
      readPassword: (prompt) => {
        written.push(prompt);
        return password === undefined
          ? Promise.reject(new Error("inappropriate ioctl for device"))
          : Promise.resolve(password);
      },
      readAll: () => Promise.resolve(stdin),
    },
  };
}

componentTest({
  name: "login() and logout() talk to a real htpasswd registry",
  components: ["docker-registry"],
  async fn(t) {
    await using registry = await startRegistry({ auth: "htpasswd" });
    await using home = await makeTempDir();
    const authFile = home.join("auth.json");
    const settings: DockerSettings = {
      authFile,
      tlsVerify: false,
      certsRoots: [],
      getEnv: (name) => name === "HOME" ? home.path : undefined,
    };
    const user = registry.username!;
    const password = registry.password!;

    await t.step("prompts for a missing user name and password", async () => {
      const { terminal, output } = scripted([`${user}\n`], password);
      await login(registry.host, terminal, { settings });
      assert.equal(output(), "Username: Password: \nLogin Succeeded!\n");
      const file = JSON.parse(await Deno.readTextFile(authFile));
      assert.deepEqual(file.auths[registry.host], {
        auth: btoa(`${user}:${password}`),
      });
      assert.equal((await Deno.stat(authFile)).mode! & 0o777, 0o600);
    });

    await t.step("reuses stored credentials when none are given", async () => {
      const { terminal, output } = scripted([]);
      await login(registry.host, terminal, { settings });
      assert.equal(
        output(),
        `Authenticating with existing credentials for ${registry.host}\nExisting credentials are valid. Already logged in to ${registry.host}\n`,
      );
    });

    await t.step("offers the stored user name as the default", async () => {
      const { terminal, output } = scripted(["\n"], "wrong");
      await assert.rejects(
        login(registry.host, terminal, { settings, password: "wrong" }),
        CredentialsRejectedError,
      );
      assert.equal(output(), `Username (${user}): `);
      const again = scripted(["\n"]);
      await login(registry.host, again.terminal, { settings, password });
      assert.equal(again.output(), `Username (${user}): Login Succeeded!\n`);
    });

    await t.step(
      "refuses wrong credentials without touching the file",
      async () => {
        const before = await Deno.readTextFile(authFile);
        const { terminal } = scripted([]);
        await assert.rejects(
          login(`${registry.host}/team`, terminal, {
            settings,
            username: user,
            password: "wrong",
          }),
          (error: Error) =>
            error instanceof CredentialsRejectedError &&
            error.message ===
              `logging into "${registry.host}/team": invalid username/password`,
        );
        assert.equal(await Deno.readTextFile(authFile), before);
      },
    );

    await t.step(
      "--password-stdin needs --username and no --password",
      async () => {
        await assert.rejects(
          login(registry.host, scripted([], undefined, password).terminal, {
            settings,
            passwordStdin: true,
          }),
          UsageError,
        );
        const { terminal, output } = scripted([], undefined, `${password}\n`);
        await login(`${registry.host}/team`, terminal, {
          settings,
          username: user,
          passwordStdin: true,
          verbose: true,
        });
        assert.equal(output(), `Used:  ${authFile}\nLogin Succeeded!\n`);
      },
    );

    await t.step("--get-login prints the stored user", async () => {
      const { terminal, output } = scripted([]);
      await login(`${registry.host}/team`, terminal, {
        settings,
        getLogin: true,
      });
      assert.equal(output(), `${user}\n`);
    });

    await t.step(
      "logout removes one key, then reports it is gone",
      async () => {
        const { terminal, output } = scripted([]);
        await logout(`${registry.host}/team`, terminal, { settings });
        assert.equal(
          output(),
          `Removed login credentials for ${registry.host}/team\n`,
        );
        const file = JSON.parse(await Deno.readTextFile(authFile));
        assert.deepEqual(Object.keys(file.auths), [registry.host]);
        // The host's credentials still work for the namespace: skopeo says so.
        const again = scripted([]);
        await logout(`${registry.host}/team`, again.terminal, { settings });
        assert.match(again.output(), /^Not logged into .*\/team with current/);
        await logout(registry.host, terminal, { settings });
        await assert.rejects(
          logout(`${registry.host}/team`, terminal, { settings }),
          (error: Error) =>
            error instanceof NotLoggedInError &&
            error.message === `not logged into ${registry.host}/team`,
        );
      },
    );

    await t.step("logout --all empties the file", async () => {
      await login(registry.host, scripted([]).terminal, {
        settings,
        username: user,
        password,
      });
      const { terminal, output } = scripted([]);
      await logout(undefined, terminal, { settings, all: true });
      assert.equal(output(), "Removed login credentials for all registries\n");
      const file = JSON.parse(await Deno.readTextFile(authFile));
      assert.deepEqual(file.auths, {});
    });
  },
});
