import assert from "node:assert/strict";
import { readQuickYaml } from "./_quick_yaml.ts";
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

Deno.test("parseSourceConfig() falls back to the full parser outside the fast path's subset", async () => {
  const text = [
    "a.example:",
    "  images: {busybox: [latest, '1.0']}",
    "  cert-dir: |-",
    "    /certs",
    "  tls-verify: yes", // a string in YAML 1.2: an error on both paths
  ].join("\n");
  const error = await parseSourceConfig(text, "s.yaml").catch((e) => e);
  assert.ok(error instanceof SyncConfigError);
  assert.match(
    error.message,
    /line 5, column 15: cannot unmarshal !!str `yes` into bool$/,
  );
  const [a] = await parseSourceConfig(
    text.replace("yes", "!!bool true"),
    "s.yaml",
  );
  assert.deepEqual(a, {
    registry: "a.example",
    images: [{ repository: "busybox", refs: ["latest", "1.0"] }],
    imagesByTagRegex: [],
    imagesBySemver: [],
    certDir: "/certs",
    tlsVerify: true,
  });
});

Deno.test("parseSourceConfig() reads the common shape alike with and without the fast path", async () => {
  const text = [
    "# mirrors",
    "r.example:5000:",
    "  images:",
    "    busybox: []",
    "    app:",
    "    - 1.10",
    "    - 'v2' # pinned",
    '  images-by-semver: {alpine: ">= 3"}',
    "  credentials:",
    '    username: "j\\"o"',
    "    password: TRUE",
    "  tls-verify: False",
    "quay.io:",
  ].join("\n");
  const blockText = text.replace('{alpine: ">= 3"}', '\n    alpine: ">= 3"');
  assert.notEqual(readQuickYaml(blockText), undefined);
  assert.equal(readQuickYaml(text), undefined);
  const fast = await parseSourceConfig(blockText, "s.yaml");
  const full = await parseSourceConfig(text, "s.yaml", { fastPath: false });
  assert.deepEqual(fast, full);
  assert.deepEqual(fast[0]?.credentials, { username: 'j"o', password: "TRUE" });
  assert.deepEqual(fast[0]?.images[1], {
    repository: "app",
    refs: ["1.10", "v2"],
  });
});
