/**
 * Seeded random-input tests of the configuration parsers: auth files,
 * policy.json, registries.conf and sync YAML. Inputs are near-valid
 * documents (known keys with values of random types, random nesting) and
 * raw text mutations. Each parser must return a value or throw its own
 * error class with a one-line message: never a TypeError/RangeError from a
 * missing check, never a hang. fast-check prints the seed and the shrunk
 * counter-example on failure; `FUZZ_SEED=n` replays a run.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { stringify as tomlStringify } from "smol-toml";
import { stringify as yamlStringify } from "yaml";
import { InvalidContentError } from "../core/errors.ts";
import { loadPolicy } from "../core/policy/load_policy.ts";
import {
  parseSourceConfig,
  SyncConfigError,
} from "../core/sync/source_config.ts";
import {
  AuthFileError,
  lookupCredentials,
  removeCredentials,
  storeCredentials,
} from "../transports/docker/auth_file.ts";
import {
  parseRegistriesConf,
  RegistriesConfError,
} from "../transports/docker/registries_conf.ts";

const seedText = Deno.env.get("FUZZ_SEED");
const PARAMS = {
  numRuns: 300,
  ...(seedText === undefined ? {} : { seed: Number(seedText) }),
};

/** Asserts `error` is one of `classes`, with a one-line message. */
function assertOurs(
  error: unknown,
  classes: readonly (new (...args: never[]) => Error)[],
  options: { multiLine?: RegExp } = {},
): void {
  const text = error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
  assert.ok(classes.some((c) => error instanceof c), `unexpected ${text}`);
  const message = (error as Error).message;
  if (options.multiLine?.test(message)) return;
  assert.ok(!message.includes("\n"), `not one line: ${text}`);
}

/** Scalars of every JSON/TOML/YAML type, including awkward ones. */
const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    "",
    "docker.io",
    "127.0.0.1:5000",
    "quay.io/ns",
    "*.example.com",
    "[::1]:5000",
    "bad/../path",
    "dXNlcjpwYXNz", // user:pass
    "Og==", // ":"
    "!!!",
    "1.2.3",
    "^v1\\.",
    "(",
  ),
  fc.integer({ min: -3, max: 70000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
);

/** Random values built from scalars and the keys a parser knows. */
function valueOf(
  keys: readonly string[],
  options: { nulls: boolean },
): fc.Arbitrary<unknown> {
  const leaf = options.nulls ? fc.oneof(scalar, fc.constant(null)) : scalar;
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(
        fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 6 })),
        tie("value"),
        { maxKeys: 4 },
      ),
    ),
  }));
  return value;
}

/** Deletes a random span, or inserts random characters, into a text. */
function mutate(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(
    text,
    fc.nat(),
    fc.nat({ max: 8 }),
    fc.string({ maxLength: 4 }),
  )
    .map(([t, at, cut, insert]) => {
      const i = t.length === 0 ? 0 : at % t.length;
      return t.slice(0, i) + insert + t.slice(i + cut);
    });
}

const AUTH_KEYS = [
  "auths",
  "auth",
  "identitytoken",
  "docker.io",
  "127.0.0.1:5000",
  "https://127.0.0.1:5000/v1/",
  "quay.io/ns",
];

Deno.test("lookupCredentials()/storeCredentials() read any auth file or throw AuthFileError", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skopeo-ts-fuzz-" });
  const authFile = `${dir}/auth.json`;
  const seen = { found: 0, none: 0, rejected: 0 };
  try {
    // Helper names would start processes: keep them out of the documents.
    const document = valueOf(AUTH_KEYS, { nulls: true }).map((v) =>
      typeof v === "object" && v !== null && !Array.isArray(v)
        ? Object.fromEntries(
          Object.entries(v).filter(([k]) =>
            k !== "credHelpers" && k !== "credsStore"
          ),
        )
        : v
    );
    const entry = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          auth: fc.oneof(
            fc.constantFrom(
              "dXNlcjpwYXNz",
              "Og==",
              "dTpwOg==",
              "!!!",
              "",
              "dQ",
            ),
            fc.base64String({ maxLength: 12 }),
          ),
          identitytoken: fc.constantFrom("", "tok", 7),
        }, { requiredKeys: ["auth"] }),
      },
      { weight: 1, arbitrary: valueOf(AUTH_KEYS, { nulls: true }) },
    );
    const shaped = fc.record({
      auths: fc.dictionary(fc.constantFrom(...AUTH_KEYS.slice(3)), entry, {
        maxKeys: 3,
      }),
    });
    const text = fc.oneof(
      {
        weight: 1,
        arbitrary: document.map((v) => JSON.stringify(v) ?? "null"),
      },
      { weight: 3, arbitrary: shaped.map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: mutate(shaped.map((v) => JSON.stringify(v))) },
    );
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.constantFrom(
          "127.0.0.1:5000",
          "docker.io/library/x",
          "quay.io/ns/r",
        ),
        async (content, key) => {
          await Deno.writeTextFile(authFile, content);
          try {
            const found = await lookupCredentials(key, { authFile });
            if (found === undefined) seen.none++;
            else {
              assert.equal(typeof found.username, "string");
              assert.equal(typeof found.password, "string");
              seen.found++;
            }
          } catch (error) {
            assertOurs(error, [AuthFileError]);
            seen.rejected++;
          }
          // Writing into the same file keeps unknown fields or refuses.
          try {
            await storeCredentials("127.0.0.1:5000", {
              username: "u",
              password: "p",
            }, { authFile });
            const stored = await lookupCredentials("127.0.0.1:5000", {
              authFile,
            });
            assert.deepEqual(stored, { username: "u", password: "p" });
            assert.equal(
              await removeCredentials("127.0.0.1:5000", { authFile }),
              true,
            );
          } catch (error) {
            assertOurs(error, [AuthFileError]);
          }
        },
      ),
      PARAMS,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.ok(
    seen.found > 5 && seen.none > 5 && seen.rejected > 5,
    JSON.stringify(seen),
  );
});

const POLICY_KEYS = [
  "default",
  "transports",
  "docker",
  "atomic",
  "oci",
  "dir",
  "",
  "type",
  "insecureAcceptAnything",
  "reject",
  "signedBy",
  "sigstoreSigned",
  "keyType",
  "GPGKeys",
  "keyPath",
  "keyPaths",
  "keyData",
  "signedIdentity",
  "matchExact",
  "matchRepository",
  "exactReference",
  "exactRepository",
  "remapIdentity",
  "dockerReference",
  "dockerRepository",
  "prefix",
  "signedPrefix",
];

Deno.test("loadPolicy() accepts any policy file or throws InvalidContentError", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skopeo-ts-fuzz-" });
  const path = `${dir}/policy.json`;
  const seen = { accepted: 0, rejected: 0 };
  try {
    const requirement = fc.oneof(
      fc.record({
        type: fc.constantFrom("insecureAcceptAnything", "reject", "signedBy"),
      }),
      fc.record({
        type: fc.constant("signedBy"),
        keyType: fc.constantFrom("GPGKeys", "signedByGPGKeys", 3),
        keyPath: fc.constantFrom("/nonexistent", ""),
        signedIdentity: valueOf(POLICY_KEYS, { nulls: true }),
      }),
      valueOf(POLICY_KEYS, { nulls: true }),
    );
    const shaped = fc.record({
      default: fc.array(requirement, { maxLength: 2 }),
      transports: fc.dictionary(
        fc.constantFrom("docker", "oci", "dir", "atomic", "nope"),
        fc.dictionary(
          fc.constantFrom("", "docker.io", "a/b", "*.x.io", "/tmp"),
          fc.array(requirement, { maxLength: 2 }),
          { maxKeys: 2 },
        ),
        { maxKeys: 2 },
      ),
    }, { requiredKeys: [] });
    const text = fc.oneof(
      shaped.map((v) => JSON.stringify(v)),
      valueOf(POLICY_KEYS, { nulls: true }).map((v) =>
        JSON.stringify(v) ?? "null"
      ),
      mutate(shaped.map((v) => JSON.stringify(v))),
    );
    await fc.assert(
      fc.asyncProperty(text, async (content) => {
        await Deno.writeTextFile(path, content);
        try {
          const policy = await loadPolicy(path);
          assert.ok(Array.isArray(policy.default));
          seen.accepted++;
        } catch (error) {
          assertOurs(error, [InvalidContentError]);
          seen.rejected++;
        }
      }),
      PARAMS,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.ok(seen.accepted > 5 && seen.rejected > 5, JSON.stringify(seen));
});

const REGISTRIES_KEYS = [
  "registry",
  "location",
  "prefix",
  "insecure",
  "blocked",
  "mirror",
  "mirror-by-digest-only",
  "pull-from-mirror",
  "unqualified-search-registries",
  "short-name-mode",
  "credential-helpers",
  "aliases",
  "registries",
  "search",
  "block",
];

Deno.test("parseRegistriesConf() accepts any document or throws RegistriesConfError", async () => {
  const seen = { accepted: 0, rejected: 0 };
  const entry = fc.record({
    location: scalar,
    prefix: scalar,
    insecure: scalar,
    blocked: scalar,
    "pull-from-mirror": fc.constantFrom("all", "digest-only", "tag-only", "x"),
    mirror: fc.array(
      fc.record({ location: scalar, insecure: scalar }, { requiredKeys: [] }),
      { maxLength: 2 },
    ),
  }, { requiredKeys: [] });
  const shaped = fc.record({
    registry: fc.array(entry, { maxLength: 3 }),
    "unqualified-search-registries": fc.array(scalar, { maxLength: 2 }),
    "short-name-mode": fc.constantFrom("enforcing", "permissive", "x", ""),
    aliases: fc.dictionary(fc.string({ maxLength: 6 }), scalar, {
      maxKeys: 2,
    }),
    registries: fc.dictionary(
      fc.constantFrom("search", "insecure", "block"),
      fc.record({ registries: fc.array(scalar, { maxLength: 2 }) }),
      { maxKeys: 2 },
    ),
  }, { requiredKeys: [] });
  const toml = (v: unknown): string => {
    try {
      return tomlStringify(v as Record<string, unknown>);
    } catch {
      return "x = [";
    }
  };
  const text = fc.oneof(
    shaped.map(toml),
    valueOf(REGISTRIES_KEYS, { nulls: false }).map((v) =>
      typeof v === "object" && v !== null && !Array.isArray(v)
        ? toml(v)
        : `x = ${JSON.stringify(v)}`
    ),
    mutate(shaped.map(toml)),
  );
  await fc.assert(
    fc.asyncProperty(text, fc.boolean(), async (content, forceV2) => {
      try {
        const conf = await parseRegistriesConf(content, { forceV2 });
        assert.ok(Array.isArray(conf.registries));
        seen.accepted++;
      } catch (error) {
        assertOurs(error, [RegistriesConfError]);
        seen.rejected++;
      }
    }),
    PARAMS,
  );
  assert.ok(seen.accepted > 5 && seen.rejected > 5, JSON.stringify(seen));
});

const SYNC_KEYS = [
  "images",
  "images-by-tag-regex",
  "images-by-semver",
  "credentials",
  "username",
  "password",
  "tls-verify",
  "cert-dir",
  "quay.io",
  "127.0.0.1:5000",
  "busybox",
];

Deno.test("parseSourceConfig() accepts any YAML or throws SyncConfigError", async () => {
  const seen = { accepted: 0, rejected: 0 };
  const registry = fc.record({
    images: fc.dictionary(
      fc.constantFrom("busybox", "a/b", "UPPER", ""),
      fc.oneof(fc.array(scalar, { maxLength: 3 }), scalar, fc.constant(null)),
      { maxKeys: 2 },
    ),
    "images-by-tag-regex": fc.dictionary(
      fc.constantFrom("busybox", "a/b"),
      scalar,
      { maxKeys: 2 },
    ),
    "images-by-semver": fc.dictionary(
      fc.constantFrom("busybox", "a/b"),
      fc.constantFrom(">= 1.0.0", "~1.2", "x", "", "^1 || 2.x"),
      { maxKeys: 2 },
    ),
    credentials: fc.record({ username: scalar, password: scalar }, {
      requiredKeys: [],
    }),
    "tls-verify": scalar,
    "cert-dir": scalar,
  }, { requiredKeys: [] });
  const shaped = fc.dictionary(
    fc.constantFrom("quay.io", "127.0.0.1:5000", "", "Bad Host"),
    registry,
    { maxKeys: 2 },
  );
  const text = fc.oneof(
    shaped.map((v) => yamlStringify(v)),
    valueOf(SYNC_KEYS, { nulls: true }).map((v) => yamlStringify(v)),
    mutate(shaped.map((v) => yamlStringify(v))),
    fc.string({
      unit: fc.constantFrom(..."ab: -[]{}\n\t&*!|>'\"#%@`".split("")),
      maxLength: 40,
    }),
  );
  await fc.assert(
    fc.asyncProperty(text, async (content) => {
      try {
        const registries = await parseSourceConfig(content, "sync.yaml");
        assert.ok(Array.isArray(registries));
        seen.accepted++;
      } catch (error) {
        // skopeo lists several unmarshal errors on separate lines.
        assertOurs(error, [SyncConfigError], {
          multiLine: /unmarshal errors:\n/,
        });
        seen.rejected++;
      }
    }),
    PARAMS,
  );
  assert.ok(seen.accepted > 5 && seen.rejected > 5, JSON.stringify(seen));
});
