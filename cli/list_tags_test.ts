import assert from "node:assert/strict";
import type { GlobalOptions } from "./_command.ts";
import { parseFlags } from "./_flags.ts";
import { imageContext } from "./_image_flags.ts";
import { formatTagList, listTagsCommand } from "./list_tags.ts";

const GLOBAL: GlobalOptions = {
  debug: false,
  tmpDir: undefined,
  platform: {},
  policyPath: undefined,
  insecurePolicy: false,
  registriesDir: undefined,
  signal: undefined,
};

const LOGGER = { debug() {}, warn() {} };

Deno.test("formatTagList() indents by four spaces and keeps an empty list", () => {
  assert.equal(
    formatTagList("quay.io/a/b", ["1", "latest"]),
    '{\n    "Repository": "quay.io/a/b",\n    "Tags": [\n        "1",\n        "latest"\n    ]\n}\n',
  );
  assert.equal(
    formatTagList("h:5000/x", []),
    '{\n    "Repository": "h:5000/x",\n    "Tags": []\n}\n',
  );
});

Deno.test("list-tags maps --retry-times and --retry-delay into the docker settings", () => {
  const parsed = parseFlags(
    ["--retry-times", "3", "--retry-delay", "1.5s", "docker://h/x"],
    listTagsCommand.flags,
  );
  const context = imageContext(parsed.flags, "", GLOBAL, LOGGER);
  assert.equal(context.settings?.docker?.retryTimes, 3);
  assert.equal(context.settings?.docker?.retryDelayMs, 1500);
  const zero = parseFlags(["--retry-delay", "0s"], listTagsCommand.flags);
  assert.equal(
    imageContext(zero.flags, "", GLOBAL, LOGGER).settings?.docker
      ?.retryDelayMs,
    undefined,
  );
});

Deno.test("list-tags has no --daemon-host or --shared-blob-dir, unlike delete", () => {
  const names = listTagsCommand.flags.map((f) => f.name);
  assert.ok(!names.includes("daemon-host"));
  assert.ok(!names.includes("shared-blob-dir"));
  assert.ok(names.includes("creds") && names.includes("registry-token"));
});
