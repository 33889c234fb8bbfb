/**
 * `deno compile` embeds exactly the modules of `deno info`'s graph. This
 * keeps every built-in transport in that graph as a lazy (dynamic) import, so
 * the single binary carries all of them while each command loads only its own.
 */
import assert from "node:assert/strict";
import { BUILTIN_TRANSPORTS } from "../transports/builtin.ts";

interface GraphModule {
  specifier: string;
  dependencies?: {
    specifier: string;
    code?: { specifier: string };
    isDynamic?: boolean;
  }[];
}

async function moduleGraph(): Promise<GraphModule[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "cli.ts"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return JSON.parse(new TextDecoder().decode(output.stdout)).modules;
}

Deno.test("every built-in transport is a dynamic import in cli.ts's module graph", async () => {
  const modules = await moduleGraph();
  const builtin = modules.find((m) =>
    m.specifier.endsWith("/transports/builtin.ts")
  );
  assert.ok(builtin, "transports/builtin.ts is not in the graph of cli.ts");
  const dynamic = new Map(
    (builtin.dependencies ?? []).filter((d) => d.isDynamic).map((
      d,
    ) => [d.specifier, d.code?.specifier]),
  );
  for (const name of Object.keys(BUILTIN_TRANSPORTS)) {
    const specifier = `./${name.replaceAll("-", "_")}/mod.ts`;
    assert.ok(
      dynamic.has(specifier),
      `transport ${name}: ${specifier} is not a literal dynamic import`,
    );
    const resolved = dynamic.get(specifier)!;
    assert.ok(
      modules.some((m) => m.specifier === resolved),
      `${resolved} is not embedded`,
    );
  }
});

Deno.test("cli.ts does not import any transport statically", async () => {
  const modules = await moduleGraph();
  const statics = new Set<string>();
  const byName = new Map(modules.map((m) => [m.specifier, m]));
  const visit = (specifier: string) => {
    if (statics.has(specifier)) return;
    statics.add(specifier);
    for (const dep of byName.get(specifier)?.dependencies ?? []) {
      if (!dep.isDynamic && dep.code) visit(dep.code.specifier);
    }
  };
  visit(modules.find((m) => m.specifier.endsWith("/cli.ts"))!.specifier);
  const eager = [...statics].filter((s) =>
    /\/transports\/(?!builtin\.ts)[^/]+\/mod\.ts$/.test(s)
  );
  assert.deepEqual(eager, []);
});

/** Worker entry modules: `new Worker(new URL("./x.ts", import.meta.url))`. */
async function workerEntries(): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
        const text = await Deno.readTextFile(path);
        if (!text.includes("new Worker(")) continue;
        for (
          const m of text.matchAll(/new URL\("(\.[^"]+)", import\.meta\.url\)/g)
        ) {
          found.push(new URL(m[1]!, `file://${Deno.cwd()}/${path}`).pathname);
        }
      }
    }
  };
  for (const dir of ["core", "transports", "cli"]) await walk(dir);
  return found.map((p) => p.slice(Deno.cwd().length + 1));
}

Deno.test("every worker module is embedded by `deno task compile` (--include)", async () => {
  const entries = await workerEntries();
  assert.ok(entries.length > 0, "no worker found: update this test");
  const tasks = JSON.parse(await Deno.readTextFile("deno.json")).tasks;
  for (const entry of entries) {
    await Deno.stat(entry); // the file exists
    assert.ok(
      (tasks.compile as string).includes(`--include ${entry}`),
      `deno task compile lacks --include ${entry}`,
    );
  }
});
