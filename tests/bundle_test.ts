/**
 * `deno bundle` turns cli.ts into one self-contained JS file that runs the
 * CLI from anywhere, without the network (an unreachable proxy catches any
 * download), and a plugin bundled the same way loads into it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "./support/skopeo.ts";
import { makeTempDir } from "./support/temp_dir.ts";

const DEMO = join(REPO_ROOT, "tests/fixtures/oci");
const demo = JSON.parse(
  await Deno.readTextFile(join(REPO_ROOT, "tests/fixtures/digests.json")),
)["oci:demo"] as { manifest: string; layers: string[] };

const OFFLINE = {
  HTTP_PROXY: "http://127.0.0.1:9",
  HTTPS_PROXY: "http://127.0.0.1:9",
  NO_PROXY: "",
  DENO_NO_UPDATE_CHECK: "1",
  NO_COLOR: "1",
};

async function deno(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: OFFLINE,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

async function sha256File(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return `sha256:${
    Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")
  }`;
}

Deno.test("the bundled CLI runs copies on its own, with a bundled plugin", async () => {
  await using tmp = await makeTempDir("skopeo-ts-bundle-");
  const cli = tmp.join("skopeo.js");
  const plugin = tmp.join("kvdir.js");
  for (
    const [entry, output] of [
      ["cli.ts", cli],
      ["plugins/examples/kv_dir/mod.ts", plugin],
    ]
  ) {
    const bundled = await deno(
      ["bundle", "--quiet", "--output", output!, entry!],
      REPO_ROOT,
    );
    assert.equal(bundled.code, 0, bundled.stderr);
  }
  // One file: nothing imported but Node built-ins, no module left behind.
  const text = await Deno.readTextFile(cli);
  const imports = text.match(/^import .* from "([^"]+)";$/gm) ?? [];
  assert.ok(imports.length > 0);
  for (const line of imports) assert.match(line, /from "node:/);
  assert.doesNotMatch(text, /import\(\s*["'`]\.{1,2}\//);

  // Run from an unrelated directory: nothing is read from the repository.
  const run = (args: string[]) =>
    deno(["run", "-A", cli, "--insecure-policy", ...args], tmp.path);
  const version = await run(["--version"]);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^skopeo version 1\.9\.3 \(skopeo-ts /);

  const copied = await run(["copy", "-q", `oci:${DEMO}:demo`, "dir:d"]);
  assert.equal(copied.code, 0, copied.stderr);
  assert.equal(await sha256File(tmp.join("d/manifest.json")), demo.manifest);

  const viaPlugin = await run([
    "--transport-plugin",
    "kvdir.js",
    "copy",
    "-q",
    "dir:d",
    "kvdir:kv",
  ]);
  assert.equal(viaPlugin.code, 0, viaPlugin.stderr);
  assert.equal(await sha256File(tmp.join("kv/manifest")), demo.manifest);
  for (const digest of demo.layers) {
    assert.equal(
      await sha256File(tmp.join(`kv/blobs/sha256/${digest.slice(7)}`)),
      digest,
    );
  }
});
