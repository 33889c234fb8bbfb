import assert from "node:assert/strict";
import { join } from "node:path";
import { PluginLoadError } from "./errors.ts";
import { loadTransportPlugin, splitPluginList } from "./plugin_loader.ts";
import { TransportRegistry } from "./registry.ts";

const GOOD = `export const transport = {
  apiVersion: 1,
  name: "good",
  parseReference(text) { return { transport, toString: () => text }; },
};
`;

async function withPlugins(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "plugin-loader-" });
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(join(dir, name), text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Asserts a PluginLoadError on one line that matches `pattern`. */
async function assertRefused(
  promise: Promise<unknown>,
  pattern: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.ok(error instanceof PluginLoadError, String(error));
    assert.doesNotMatch(error.message, /\n/);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("loadTransportPlugin() resolves a relative path against cwd and adds the transport", async () => {
  await withPlugins({ "good.js": GOOD }, async (dir) => {
    const registry = new TransportRegistry();
    const transport = await loadTransportPlugin("good.js", {
      registry,
      cwd: dir,
    });
    assert.equal(transport.name, "good");
    assert.deepEqual(registry.names(), ["good"]);
    const reference = await registry.parseImageName("good:x");
    assert.equal(reference.toString(), "x");
  });
});

Deno.test("loadTransportPlugin() loads one module once, even through a symlink", async () => {
  await withPlugins({ "good.js": GOOD }, async (dir) => {
    await Deno.symlink(join(dir, "good.js"), join(dir, "link.js"));
    const registry = new TransportRegistry();
    const a = await loadTransportPlugin(join(dir, "good.js"), { registry });
    const b = await loadTransportPlugin("link.js", { registry, cwd: dir });
    assert.equal(a, b);
  });
});

Deno.test("loadTransportPlugin() refuses a name clashing with a built-in or an earlier plugin", async () => {
  await withPlugins({
    "oci.js": GOOD.replace('"good"', '"oci"'),
    "good.js": GOOD,
    "again.js": GOOD,
  }, async (dir) => {
    const registry = new TransportRegistry({
      loaders: { oci: () => Promise.reject(new Error("not loaded")) },
    });
    await assertRefused(
      loadTransportPlugin(join(dir, "oci.js"), { registry }),
      /"oci" clashes with a built-in transport/,
    );
    await loadTransportPlugin(join(dir, "good.js"), { registry });
    await assertRefused(
      loadTransportPlugin(join(dir, "again.js"), { registry }),
      /"good" is already used by plugin/,
    );
  });
});

Deno.test("loadTransportPlugin() refuses bad modules with one-line reasons", async () => {
  await withPlugins({
    "v2.js": GOOD.replace("apiVersion: 1", "apiVersion: 2"),
    "none.js": "export const something = 1;\n",
    "syntax.js": "export const transport = {\n  apiVersion: 1,,\n};\n",
  }, async (dir) => {
    const registry = new TransportRegistry();
    await assertRefused(
      loadTransportPlugin(join(dir, "v2.js"), { registry }),
      /API version 2 is not supported \(this build implements 1\)/,
    );
    await assertRefused(
      loadTransportPlugin(join(dir, "none.js"), { registry }),
      /no named export "transport"/,
    );
    await assertRefused(
      loadTransportPlugin(join(dir, "syntax.js"), { registry }),
      /Unexpected token .*\(at file:\/\/\/.*syntax\.js:2:\d+\)/,
    );
    await assertRefused(
      loadTransportPlugin("missing.js", { registry, cwd: dir }),
      /no such file .*missing\.js/,
    );
    assert.deepEqual(registry.names(), []);
  });
});

Deno.test("loadTransportPlugin() refuses remote URLs in a compiled binary", async () => {
  await assertRefused(
    loadTransportPlugin("https://example.com/plugin.js", {
      registry: new TransportRegistry(),
      standalone: true,
    }),
    /compiled skopeo-ts binary loads plugins only from local files/,
  );
});

Deno.test("loadTransportPlugin() accepts a file: URL", async () => {
  await withPlugins({ "good.js": GOOD }, async (dir) => {
    const registry = new TransportRegistry();
    const url = new URL(`file://${join(dir, "good.js")}`).href;
    assert.equal((await loadTransportPlugin(url, { registry })).name, "good");
  });
});

Deno.test("splitPluginList() drops empty entries", () => {
  assert.deepEqual(splitPluginList("a.ts::/b/c.js:"), ["a.ts", "/b/c.js"]);
  assert.deepEqual(splitPluginList(undefined), []);
});
