/**
 * Library users import mod.ts from their own project, whose import map is not
 * ours: product code must therefore use full `npm:name@version` (or `node:`,
 * or relative) specifiers, never bare names that only our deno.json maps.
 */
import assert from "node:assert/strict";

const PRODUCT_DIRS = ["core", "transports", "cli", "plugins"];
const STATIC = /^(?:import|export)\b[^;(]*?\bfrom\s+["']([^"']+)["']/gm;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

async function* productFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) {
      if (entry.name !== "testdata" && entry.name !== "examples") {
        yield* productFiles(path);
      }
    } else if (
      entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts") &&
      !entry.name.startsWith("test_")
    ) {
      yield path;
    }
  }
}

Deno.test("product code imports only relative, node: and pinned npm: specifiers", async () => {
  const offenders: string[] = [];
  const files = ["mod.ts", "cli.ts"];
  for (const dir of PRODUCT_DIRS) {
    for await (const file of productFiles(dir)) files.push(file);
  }
  for (const file of files) {
    const code = (await Deno.readTextFile(file)).split("\n").filter((line) =>
      !/^\s*(\*|\/\/|\/\*)/.test(line)
    ).join("\n");
    for (const match of [...code.matchAll(STATIC), ...code.matchAll(DYNAMIC)]) {
      const specifier = match[1]!;
      const ok = specifier.startsWith(".") || specifier.startsWith("node:") ||
        /^npm:(@[\w.-]+\/)?[\w.-]+@\d/.test(specifier);
      if (!ok) offenders.push(`${file}: ${specifier}`);
    }
  }
  assert.deepEqual(offenders, []);
});

Deno.test("mod.ts works from a script outside this project (no import map)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/use.ts`;
    const mod = new URL("../mod.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { inspectImage, parseImageName } from ${JSON.stringify(mod)};
const info = await inspectImage(await parseImageName(${
        JSON.stringify(
          `oci:${new URL("./fixtures/oci", import.meta.url).pathname}:demo`,
        )
      }));
console.log(info.Architecture);
try {
  await inspectImage(await parseImageName("docker://127.0.0.1:9/x:1"), {
    context: { settings: { docker: { tlsVerify: false } } },
  });
} catch (error) {
  console.log(String(error));
}
`,
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-config", "--cached-only", script],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    assert.match(stdout, /^amd64\n/);
    assert.doesNotMatch(stdout, /not a dependency/);
    assert.match(stdout, /127\.0\.0\.1:9/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
