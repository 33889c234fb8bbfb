import assert from "node:assert/strict";
import { parseSourceConfig, SyncConfigError } from "./source_config.ts";

Deno.test("parseSourceConfig() reads every key, keeping tags as written", async () => {
  const [first, second] = await parseSourceConfig(
    [
      "registry.example.com:5000:",
      "  images:",
      "    busybox: []",
      "    app:",
      "      - 1.10",
      "      - sha256:" + "a".repeat(64),
      "    all:",
      "  images-by-tag-regex:",
      "    nginx: ^1\\.13\\.[12]-alpine-perl$",
      "  images-by-semver:",
      '    redis: ">= 6.0"',
      "  credentials:",
      "    username: john",
      "    password: this is a secret",
      "  tls-verify: false",
      "  cert-dir: /home/john/certs",
      "quay.io:",
      "  tls-verify: true",
      "",
    ].join("\n"),
    "sync.yml",
  );
  assert.deepEqual(first, {
    registry: "registry.example.com:5000",
    images: [
      { repository: "busybox", refs: [] },
      { repository: "app", refs: ["1.10", "sha256:" + "a".repeat(64)] },
      { repository: "all", refs: [] },
    ],
    imagesByTagRegex: [
      { repository: "nginx", pattern: "^1\\.13\\.[12]-alpine-perl$" },
    ],
    imagesBySemver: [{ repository: "redis", pattern: ">= 6.0" }],
    credentials: { username: "john", password: "this is a secret" },
    tlsVerify: false,
    certDir: "/home/john/certs",
  });
  assert.deepEqual(second, {
    registry: "quay.io",
    images: [],
    imagesByTagRegex: [],
    imagesBySemver: [],
    tlsVerify: true,
  });
});

Deno.test("parseSourceConfig() accepts an empty file", async () => {
  assert.deepEqual(await parseSourceConfig("", "empty.yaml"), []);
});

Deno.test("parseSourceConfig() reports syntax errors with line and column", async () => {
  await assert.rejects(
    parseSourceConfig("r:\n  images: [\n", "bad.yaml"),
    (error: Error) => {
      assert.ok(error instanceof SyncConfigError);
      assert.match(
        error.message,
        /^Failed to unmarshal "bad\.yaml": yaml: line \d+, column \d+: \S/,
      );
      return true;
    },
  );
});

Deno.test("parseSourceConfig() reports unknown keys and wrong types, all at once", async () => {
  await assert.rejects(
    parseSourceConfig(
      [
        "r:",
        "  image:",
        "    a: [x]",
        "  images:",
        "    b: latest",
        "  tls-verify: maybe",
        "  credentials:",
        "    user: x",
      ].join("\n"),
      "t.yaml",
    ),
    {
      name: "SyncConfigError",
      message: [
        'Failed to unmarshal "t.yaml": yaml: unmarshal errors:',
        "  line 2, column 3: field image not found in type registrySyncConfig",
        "  line 5, column 8: cannot unmarshal !!str `latest` into []string",
        "  line 6, column 15: cannot unmarshal !!str `maybe` into bool",
        "  line 8, column 5: field user not found in type types.DockerAuthConfig",
      ].join("\n"),
    },
  );
});
