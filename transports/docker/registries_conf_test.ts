import assert from "node:assert/strict";
import { join } from "node:path";
import { parseNormalizedNamed } from "../../core/docker_name.ts";
import {
  findRegistry,
  loadRegistriesConf,
  parseRegistriesConf,
  pullSources,
  type RegistriesConf,
  RegistriesConfError,
  shortNameCandidates,
} from "./registries_conf.ts";
import { DockerSettingsError, readDockerSettings } from "./settings.ts";
import { transport } from "./transport.ts";

const SAMPLE = `
unqualified-search-registries = ["registry.fedoraproject.org", "docker.io"]
short-name-mode = "enforcing"

[[registry]]
prefix = "example.com/foo"
location = "internal.example.com/bar"
insecure = true

[[registry.mirror]]
location = "mirror-1.example.com"

[[registry.mirror]]
location = "mirror-2.example.com/ns/"
insecure = true
pull-from-mirror = "digest-only"

[[registry.mirror]]
location = "mirror-3.example.com"
pull-from-mirror = "tag-only"

[[registry]]
location = "blocked.example.com"
blocked = true

[[registry]]
prefix = "*.wild.example"
location = ""

[aliases]
"fedora" = "registry.fedoraproject.org/fedora"
`;

const DIGEST = `sha256:${"a".repeat(64)}`;

function sourcesOf(conf: RegistriesConf, ref: string): string[] {
  const name = parseNormalizedNamed(ref);
  return pullSources(findRegistry(conf, `${name.domain}/${name.path}`), name)
    .map((s) =>
      `${s.name.domain}/${s.name.path}${
        s.name.tag !== undefined ? `:${s.name.tag}` : ""
      }${s.name.digest !== undefined ? `@${s.name.digest}` : ""}${
        s.endpoint.insecure ? " (insecure)" : ""
      }`
    );
}

async function rejects(text: string, message: string | RegExp): Promise<void> {
  await assert.rejects(
    parseRegistriesConf(text),
    (error: unknown) => {
      assert.ok(error instanceof RegistriesConfError, String(error));
      if (typeof message === "string") assert.equal(error.message, message);
      else assert.match(error.message, message);
      assert.ok(!error.message.includes("\n"), error.message);
      return true;
    },
  );
}

Deno.test("parseRegistriesConf() reads entries, mirrors, search registries and aliases", async () => {
  const conf = await parseRegistriesConf(SAMPLE, { path: "/x.conf" });
  assert.deepEqual(
    conf.registries.map((r) => r.prefix),
    ["*.wild.example", "blocked.example.com", "example.com/foo"],
  );
  const foo = conf.registries[2]!;
  assert.equal(foo.location, "internal.example.com/bar");
  assert.equal(foo.insecure, true);
  assert.deepEqual(foo.mirrors.map((m) => m.location), [
    "mirror-1.example.com",
    "mirror-2.example.com/ns",
    "mirror-3.example.com",
  ]);
  assert.equal(conf.registries[1]!.blocked, true);
  assert.deepEqual(conf.unqualifiedSearchRegistries, [
    "registry.fedoraproject.org",
    "docker.io",
  ]);
  assert.equal(conf.shortNameMode, "enforcing");
  assert.deepEqual(shortNameCandidates(conf, "fedora"), [
    "registry.fedoraproject.org/fedora",
  ]);
  assert.deepEqual(shortNameCandidates(conf, "busybox"), [
    "registry.fedoraproject.org/busybox",
    "docker.io/busybox",
  ]);
});

Deno.test("findRegistry() picks the longest prefix that ends at a component boundary", async () => {
  const conf = await parseRegistriesConf(`
[[registry]]
location = "r.example"
[[registry]]
prefix = "r.example/team"
location = "t.example"
[[registry]]
prefix = "*.corp.example"
location = ""
insecure = true
`);
  assert.equal(findRegistry(conf, "r.example/x")?.prefix, "r.example");
  assert.equal(
    findRegistry(conf, "r.example/team/x")?.prefix,
    "r.example/team",
  );
  assert.equal(findRegistry(conf, "r.example/teamx")?.prefix, "r.example");
  assert.equal(findRegistry(conf, "r.examplex/a"), undefined);
  assert.equal(findRegistry(conf, "a.b.corp.example/x")?.insecure, true);
  assert.equal(findRegistry(conf, "corp.example/x"), undefined);
  assert.equal(findRegistry(conf, "other.example/a.corp.example"), undefined);
});

Deno.test("pullSources() lists usable mirrors then the rewritten primary", async () => {
  const conf = await parseRegistriesConf(SAMPLE);
  assert.deepEqual(sourcesOf(conf, "example.com/foo/app:1"), [
    "mirror-1.example.com/app:1",
    "mirror-3.example.com/app:1",
    "internal.example.com/bar/app:1 (insecure)",
  ]);
  assert.deepEqual(sourcesOf(conf, `example.com/foo/app@${DIGEST}`), [
    `mirror-1.example.com/app@${DIGEST}`,
    `mirror-2.example.com/ns/app@${DIGEST} (insecure)`,
    `internal.example.com/bar/app@${DIGEST} (insecure)`,
  ]);
  // A wildcard entry without location keeps the reference.
  assert.deepEqual(sourcesOf(conf, "a.wild.example/x:1"), [
    "a.wild.example/x:1",
  ]);
  assert.deepEqual(sourcesOf(conf, "other.example/x:1"), [
    "other.example/x:1",
  ]);
});

Deno.test("pullSources() honours mirror-by-digest-only", async () => {
  const conf = await parseRegistriesConf(`
[[registry]]
location = "r.example"
mirror-by-digest-only = true
[[registry.mirror]]
location = "m.example"
`);
  assert.deepEqual(sourcesOf(conf, "r.example/a:1"), ["r.example/a:1"]);
  assert.deepEqual(sourcesOf(conf, `r.example/a@${DIGEST}`), [
    `m.example/a@${DIGEST}`,
    `r.example/a@${DIGEST}`,
  ]);
});

Deno.test("parseRegistriesConf() converts the v1 tables", async () => {
  const conf = await parseRegistriesConf(`
[registries.search]
registries = ["s.example"]
[registries.insecure]
registries = ["i.example", "b.example"]
[registries.block]
registries = ["b.example"]
`);
  assert.deepEqual(
    conf.registries.map((r) => [r.prefix, r.insecure, r.blocked]),
    [["b.example", true, true], ["i.example", true, false]],
  );
  assert.deepEqual(conf.unqualifiedSearchRegistries, ["s.example"]);
  await assert.rejects(
    parseRegistriesConf('[registries.search]\nregistries = ["a"]\n', {
      forceV2: true,
    }),
    /registry must be in v2 format but is in v1/,
  );
});

Deno.test("parseRegistriesConf() rejects a syntax error with its line and column", async () => {
  await assert.rejects(
    parseRegistriesConf('[[registry]]\nlocation = "x"\ninsecure = flase\n'),
    (error: unknown) => {
      assert.ok(error instanceof RegistriesConfError);
      assert.equal(error.line, 3);
      assert.equal(error.column, 12);
      assert.equal(error.message, "toml: line 3, column 12: invalid value");
      return true;
    },
  );
});

Deno.test("parseRegistriesConf() rejects invalid entries with containers/image's messages", async () => {
  await rejects(
    '[[registry]]\nlocation = "https://x"\n',
    "invalid location 'https://x': URI schemes are not supported",
  );
  await rejects(
    "[[registry]]\ninsecure = true\n",
    "invalid condition: both location and prefix are unset",
  );
  await rejects(
    '[[registry]]\nprefix = "a.example"\n',
    "invalid condition: location is unset and prefix is not in the format: *.example.com",
  );
  await rejects(
    '[[registry]]\nprefix = "*.a.example/x"\n',
    'Wildcarded prefix should be in the format: *.example.com. Current prefix "*.a.example/x" is incorrectly formatted',
  );
  await rejects(
    '[[registry]]\nlocation = "a"\n[[registry.mirror]]\nlocation = "m"\npull-from-mirror = "sometimes"\n',
    'unsupported pull-from-mirror value "sometimes" for mirror "m"',
  );
  await rejects(
    '[[registry]]\nlocation = "a"\npull-from-mirror = "all"\n',
    'pull-from-mirror must not be set for a non-mirror registry "a"',
  );
  await rejects(
    '[[registry]]\nlocation = "a"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m"\npull-from-mirror = "all"\n',
    'cannot set mirror usage mirror-by-digest-only for the registry ("a") and pull-from-mirror for per-mirror ("m") at the same time',
  );
  await rejects(
    '[[registry]]\nlocation = "a"\n[[registry]]\nprefix = "p/x"\nlocation = "a"\ninsecure = true\n',
    "registry 'a' is defined multiple times with conflicting 'insecure' setting",
  );
  await rejects(
    '[[registry]]\nlocation = "a"\ninsecure = "yes"\n',
    'toml: key "registry.insecure": incompatible types: TOML value has type string; destination has type bool',
  );
  await rejects(
    'unqualified-search-registries = ["a.example/ns"]\n',
    'Invalid unqualified-search-registries entry "a.example/ns"',
  );
  await rejects(
    '[aliases]\n"fedora" = "fedora"\n',
    /^validating short-name aliases: invalid alias "fedora"/,
  );
  await rejects(
    'short-name-mode = "loose"\n',
    'invalid short-name mode: "loose"',
  );
  await rejects(
    '[registries.search]\nregistries = ["a"]\n[[registry]]\nlocation = "b"\n',
    "mixing sysregistry v1/v2 is not supported",
  );
});

Deno.test("loadRegistriesConf() merges sorted drop-ins over the main file", async () => {
  const root = await Deno.makeTempDir();
  try {
    const system = join(root, "registries.conf");
    const dir = join(root, "registries.conf.d");
    await Deno.mkdir(dir);
    await Deno.writeTextFile(
      system,
      'unqualified-search-registries = ["a.example"]\n[[registry]]\nlocation = "r.example"\n[aliases]\n"x" = "a.example/x"\n',
    );
    await Deno.writeTextFile(
      join(dir, "20-second.conf"),
      '[[registry]]\nlocation = "r.example"\nblocked = true\n',
    );
    await Deno.writeTextFile(
      join(dir, "10-first.conf"),
      '[[registry]]\nlocation = "r.example"\ninsecure = true\n[aliases]\n"x" = "b.example/x"\n',
    );
    await Deno.writeTextFile(join(dir, "ignored.txt"), "not toml [");
    const env: Record<string, string> = { HOME: join(root, "home") };
    const options = {
      systemPath: system,
      systemDirPath: dir,
      getEnv: (name: string) => env[name],
    };
    const conf = await loadRegistriesConf(options);
    assert.equal(conf.configPath, system);
    assert.equal(
      conf.configDirPath,
      join(root, "home/.config/containers/registries.conf.d"),
    );
    const r = findRegistry(conf, "r.example/a")!;
    assert.deepEqual([r.blocked, r.insecure], [true, false]);
    assert.deepEqual(conf.unqualifiedSearchRegistries, ["a.example"]);
    assert.equal(conf.aliases.x, "b.example/x");

    // A user file replaces the system file and its drop-in directory.
    await Deno.mkdir(join(root, "home/.config/containers"), {
      recursive: true,
    });
    const user = join(root, "home/.config/containers/registries.conf");
    await Deno.writeTextFile(user, '[[registry]]\nlocation = "u.example"\n');
    const fromUser = await loadRegistriesConf(options);
    assert.equal(fromUser.configPath, user);
    assert.deepEqual(fromUser.registries.map((e) => e.prefix), ["u.example"]);

    // CONTAINERS_REGISTRIES_CONF (and the explicit path) win over both.
    const other = join(root, "other.conf");
    await Deno.writeTextFile(other, '[[registry]]\nlocation = "o.example"\n');
    env.CONTAINERS_REGISTRIES_CONF = other;
    const fromEnv = await loadRegistriesConf(options);
    assert.deepEqual(
      fromEnv.registries.map((e) => e.prefix),
      ["o.example", "r.example"],
    );
    const explicit = await loadRegistriesConf({ ...options, path: user });
    assert.equal(explicit.configPath, user);

    // A broken drop-in is named, with the position.
    await Deno.writeTextFile(join(dir, "30-bad.conf"), "a = [\n");
    await assert.rejects(
      loadRegistriesConf(options),
      (error: unknown) => {
        assert.ok(error instanceof RegistriesConfError);
        assert.equal(
          error.message,
          `loading drop-in registries configuration "${
            join(dir, "30-bad.conf")
          }": toml: line 2, column 1: invalid value`,
        );
        assert.equal(error.line, 2);
        return true;
      },
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("loadRegistriesConf() requires an explicit file but not the default one", async () => {
  const root = await Deno.makeTempDir();
  try {
    const getEnv = (name: string) =>
      name === "HOME" ? join(root, "home") : undefined;
    const missing = join(root, "missing.conf");
    await assert.rejects(
      loadRegistriesConf({ path: missing, getEnv, systemDirPath: root }),
      {
        name: "RegistriesConfError",
        message:
          `loading registries configuration "${missing}": open ${missing}: no such file or directory`,
      },
    );
    const conf = await loadRegistriesConf({
      getEnv,
      systemPath: missing,
      systemDirPath: join(root, "none.d"),
    });
    assert.deepEqual(conf.registries, []);
    assert.equal(conf.configPath, missing);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("openSource() and openDestination() refuse a registry blocked by settings.docker.registriesConf", async () => {
  const registriesConf = await parseRegistriesConf(
    '[[registry]]\nprefix = "127.0.0.1:1/team"\nlocation = "127.0.0.1:1/team"\nblocked = true\n',
    { path: "/conf/registries.conf" },
  );
  const context = { settings: { docker: { registriesConf } } };
  const ref = transport.parseReference("//127.0.0.1:1/team/app:1");
  for (
    const open of [
      () => ref.openSource({ context }),
      () => ref.openDestination!({ context }),
    ]
  ) {
    await assert.rejects(open(), {
      name: "BlockedRegistryError",
      message: "registry 127.0.0.1:1/team is blocked in /conf/registries.conf",
    });
  }
});

Deno.test("readDockerSettings() rejects a registriesConf that was not loaded", () => {
  assert.throws(
    () =>
      readDockerSettings({
        settings: { docker: { registriesConf: "/etc/containers/x.conf" } },
      }),
    DockerSettingsError,
  );
  assert.throws(
    () =>
      readDockerSettings({ settings: { docker: { registriesConfPath: 1 } } }),
    /"registriesConfPath" must be a string/,
  );
});

Deno.test("parseRegistriesConf() reads packaged alias files as the TOML parser does", async () => {
  const { parse } = await import("npm:smol-toml@1.9.1");
  const texts = [
    "",
    "# only comments\n\n  # indented\n",
    '[aliases]\n  # Fedora\n  "fedora" = "registry.fedoraproject.org/fedora"\n' +
    '\t"ubi8/ubi" = "registry.access.redhat.com/ubi8/ubi" # trailing\n' +
    'bare_key-1 = "quay.io/a/b"\n"dotted.name" = "localhost:5000/x"\n',
    '[ aliases ]\n"a" = "docker.io/library/a"\n"b"="example.com:5000/ns/b"',
    // Shapes the quick reader leaves to the TOML parser.
    '[aliases]\r\n"crlf" = "docker.io/library/crlf"\r\n',
    '[aliases]\n"esc" = "docker.io/library/\\u0065sc"\n',
    "[aliases]\n'literal' = 'docker.io/library/literal'\n",
    'unqualified-search-registries = ["docker.io"]\n[aliases]\n"x" = "quay.io/x"\n',
  ];
  for (const text of texts) {
    const conf = await parseRegistriesConf(text, { forceV2: true });
    const doc = parse(text) as { aliases?: Record<string, string> };
    assert.deepEqual(conf.aliases, { ...doc.aliases }, JSON.stringify(text));
  }
  // A repeated key or table is the TOML parser's error, with its position.
  for (
    const text of [
      '[aliases]\n"a" = "quay.io/a"\n"a" = "quay.io/b"\n',
      '[aliases]\n"a" = "quay.io/a"\n[aliases]\n"b" = "quay.io/b"\n',
    ]
  ) {
    await assert.rejects(
      parseRegistriesConf(text),
      (e) =>
        e instanceof RegistriesConfError && /^toml: line \d+/.test(e.message),
    );
  }
});

Deno.test("parseRegistriesConf() validates every alias with skopeo's messages", async () => {
  const digest = `sha256:${"0".repeat(64)}`;
  // Messages of skopeo 1.9.3 for a drop-in holding the line (recorded).
  const cases: [string, string][] = [
    [
      `"foo@${digest}" = "docker.io/library/foo"`,
      `invalid short name "foo@${digest}": must not contain digest`,
    ],
    [
      '"foo:bar" = "docker.io/library/foo"',
      'invalid short name "foo:bar": must not contain tag',
    ],
    [
      '"quay.io/foo" = "docker.io/library/foo"',
      'invalid short name "quay.io/foo": must not contain registry',
    ],
    [
      '"Foo" = "docker.io/library/foo"',
      'cannot parse short name: "Foo": repository name must be lowercase',
    ],
    [
      '"__proto__" = "quay.io/x"',
      'cannot parse short name: "__proto__": invalid reference format',
    ],
    [
      `"foo" = "docker.io/library/foo@${digest}"`,
      `invalid alias "docker.io/library/foo@${digest}": must not contain digest`,
    ],
    [
      '"foo" = "docker.io/library/foo:1"',
      'invalid alias "docker.io/library/foo:1": must not contain tag',
    ],
    [
      '"foo" = "library/foo"',
      'invalid alias "library/foo": must contain registry and repository',
    ],
    [
      '"foo" = "docker.io/Foo"',
      'parsing alias "docker.io/Foo": repository name must be lowercase',
    ],
  ];
  for (const [line, message] of cases) {
    await assert.rejects(
      parseRegistriesConf(`[aliases]\n"ok" = "quay.io/ok"\n${line}\n`, {
        forceV2: true,
      }),
      (e) =>
        e instanceof RegistriesConfError &&
        e.message === `validating short-name aliases: ${message}`,
      line,
    );
  }
  await assert.rejects(
    parseRegistriesConf('[aliases]\n"foo" = 3\n'),
    /incompatible types/,
  );
  const long = `quay.io/${"a".repeat(250)}`;
  await assert.rejects(
    parseRegistriesConf(`[aliases]\n"long" = "${long}"\n`),
    RegistriesConfError,
  );
  // Valid: namespaced short names, localhost and ports in aliases.
  const conf = await parseRegistriesConf(
    '[aliases]\n"ns/app" = "localhost/ns/app"\n"x" = "127.0.0.1:5000/x"\n',
  );
  assert.deepEqual(conf.aliases, {
    "ns/app": "localhost/ns/app",
    x: "127.0.0.1:5000/x",
  });
});

Deno.test("parseRegistriesConf() agrees with the TOML parser on random alias files", async () => {
  const { default: fc } = await import("fast-check");
  const { parse } = await import("smol-toml");
  const seedText = Deno.env.get("FUZZ_SEED");
  // Lines near the quick reader's shapes: valid, almost valid, and not.
  const line = fc.oneof(
    fc.constantFrom(
      "",
      "# comment",
      "  # indented # twice",
      "[aliases]",
      "[ aliases ] # c",
      "[aliases.x]",
      "[registry]",
      '"a" = "quay.io/a"',
      '"a" = "quay.io/b"',
      'b = "docker.io/library/b"',
      '"c.d" = "localhost:5000/c"',
      '"e" = "quay.io/e" # trailing',
      '"f" = "quay.io/\\u0066"',
      "'g' = 'quay.io/g'",
      '"h" = 1',
      '"i" = "quay.io/i"\r',
      '"j" = ',
      '"k" "quay.io/k"',
      '\t"l"\t=\t"quay.io/l"',
      '"m" = "quay.io/m" x',
    ),
    fc.string({ maxLength: 10 }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(line, { maxLength: 8 }), async (lines) => {
      const text = lines.join("\n");
      let expected: string;
      try {
        const doc = parse(text) as Record<string, unknown>;
        expected = JSON.stringify(doc.aliases ?? {});
      } catch {
        expected = "toml error";
      }
      let actual: string;
      try {
        actual = JSON.stringify(
          (await parseRegistriesConf(text, { forceV2: true })).aliases,
        );
      } catch (error) {
        assert.ok(error instanceof RegistriesConfError, String(error));
        // Syntax errors carry a column; "incompatible types" ones do not.
        if (/^toml: line \d+, column \d+:/.test(error.message)) {
          actual = "toml error";
        } else {
          // A validation error: the TOML parser must have read the text.
          assert.notEqual(expected, "toml error", JSON.stringify(text));
          return;
        }
      }
      if (expected !== "toml error" && actual !== "toml error") {
        // Parsed alike: same aliases (key order aside).
        assert.deepEqual(JSON.parse(actual), JSON.parse(expected), text);
      } else {
        assert.equal(actual, expected, JSON.stringify(text));
      }
    }),
    {
      numRuns: 300,
      ...(seedText === undefined ? {} : { seed: Number(seedText) }),
    },
  );
});
