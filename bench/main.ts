/**
 * `deno task bench`: times our CLI against the real skopeo 1.9.3 on the same
 * realistic image, scenario by scenario, and prints a markdown table of
 * medians (min–max) and the ratio ours/skopeo (below 1 = we are faster).
 *
 * Method: one untimed warm-up run per tool and scenario (it fills the page
 * cache, Deno's transpile cache and, for the re-copy row, the destination;
 * its output is fully verified), then N timed runs alternating which tool
 * goes first. The page cache is warm and never dropped: the bench measures
 * the tools, not the disk. Every run's result is checked, and a row whose
 * results differ between the tools is reported as FAILED.
 *
 * Usage: `deno task bench [--size small|full|huge] [--runs N] [--json FILE]
 * [--only ID,...] [--max-seconds S] [--cache-dir DIR] [--rebuild]`.
 * `huge` (~1 GiB raw, built only when asked for) runs the archive rows by
 * default: it is there to measure peak memory on a 1 GiB archive.
 * Environment: `BENCH_SIZE`, `BENCH_CACHE_DIR`; under `CI=true` the defaults
 * are `small` and 3 runs.
 *
 * @module
 */
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureSourceArchives, type SourceArchives } from "./archives.ts";
import {
  type BenchImage,
  type BenchSize,
  ensureBenchImage,
  LAYER_PLANS,
} from "./image.ts";
import {
  markdownTable,
  type ScenarioResult,
  summarize,
  type ToolStats,
} from "./report.ts";
import {
  type BenchRegistries,
  startBenchRegistries,
  startFreshRegistry,
} from "./registry.ts";
import { type RunPaths, type Scenario, SCENARIOS } from "./scenarios.ts";
import {
  ensureSyncImages,
  pushSyncImages,
  type SyncSource,
} from "./sync_images.ts";
import {
  type ExportResult,
  measureExport,
  measureMovedBytes,
  type MovedBytes,
  syncExtrasReport,
} from "./sync_extras.ts";
import {
  canMeasureUsage,
  prepareTools,
  type TimedRun,
  timedRun,
  type Tool,
  type ToolName,
} from "./tools.ts";

/** Parsed command line. */
export interface BenchOptions {
  /** Image size. */
  size: BenchSize;
  /** Timed runs per tool and scenario. */
  runs: number;
  /** Where to write the JSON result. */
  json?: string;
  /** Scenario ids to run; all when absent. */
  only?: string[];
  /** After this many seconds, remaining scenarios get a single timed run. */
  maxSeconds: number;
  /** Image cache directory. */
  cacheDir?: string;
  /** Build the image again even when cached. */
  rebuild: boolean;
}

const USAGE =
  `Usage: deno task bench [--size small|full|huge] [--runs N] [--json FILE]
       [--only ID,...] [--max-seconds S] [--cache-dir DIR] [--rebuild]
Scenarios: ${SCENARIOS.map((s) => s.id).join(", ")}
--size huge (~1 GiB raw) runs only the archive rows unless --only says otherwise.
`;

/**
 * Parses the bench's arguments, with defaults from `BENCH_SIZE` and `CI`.
 *
 * @param args Command-line arguments.
 * @param env Environment lookup.
 * @returns The options, or `undefined` after printing help.
 * @throws {TypeError} On an invalid value.
 */
export function parseBenchArgs(
  args: readonly string[],
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): BenchOptions | undefined {
  const { values } = parseArgs({
    args: [...args],
    options: {
      size: { type: "string" },
      runs: { type: "string" },
      json: { type: "string" },
      only: { type: "string" },
      "max-seconds": { type: "string" },
      "cache-dir": { type: "string" },
      rebuild: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const ci = env("CI") === "true";
  const size = values.size ?? env("BENCH_SIZE") ?? (ci ? "small" : "full");
  if (size !== "small" && size !== "full" && size !== "huge") {
    throw new TypeError(`--size must be small, full or huge, got "${size}"`);
  }
  const runs = positiveInteger("--runs", values.runs ?? (ci ? "3" : "5"));
  const maxSeconds = positiveInteger(
    "--max-seconds",
    values["max-seconds"] ?? "300",
  );
  const only = values.only?.split(",").map((s) => s.trim()).filter(Boolean);
  for (const id of only ?? []) {
    if (!SCENARIOS.some((s) => s.id === id)) {
      throw new TypeError(`Unknown scenario "${id}"\n${USAGE}`);
    }
  }
  return {
    size,
    runs,
    maxSeconds,
    rebuild: values.rebuild ?? false,
    ...(values.json !== undefined ? { json: values.json } : {}),
    ...(only ? { only } : {}),
    ...(values["cache-dir"] !== undefined
      ? { cacheDir: values["cache-dir"] }
      : {}),
  };
}

/**
 * The scenarios a run times: those named by `--only`, else all of them,
 * except on the `huge` image, where only the archive rows run by default.
 *
 * @param options The parsed options.
 * @returns The scenarios, in table order.
 */
export function selectScenarios(
  options: Pick<BenchOptions, "size" | "only">,
): Scenario[] {
  return SCENARIOS.filter((s) =>
    options.only
      ? options.only.includes(s.id)
      : options.size !== "huge" || s.archive === true
  );
}

function positiveInteger(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new TypeError(`${flag} must be a positive integer, got "${text}"`);
  }
  return n;
}

function log(message: string): void {
  console.error(`bench: ${message}`);
}

async function version(command: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(command, {
      args,
      stdout: "piped",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(out.stdout).split("\n")[0]!.trim();
  } catch {
    return "";
  }
}

/** The 1-minute load average: other work on the machine skews timings. */
async function loadAverage(): Promise<string> {
  try {
    return (await Deno.readTextFile("/proc/loadavg")).split(" ")[0]!;
  } catch {
    return "?";
  }
}

/** Times one scenario for both tools; never throws for a tool's failure. */
async function runScenario(
  scenario: Scenario,
  tools: readonly Tool[],
  image: BenchImage,
  work: string,
  runs: number,
  usage: boolean,
  context: {
    registries?: BenchRegistries;
    archives?: SourceArchives;
    sync?: SyncSource;
    timeoutMs: number;
  },
): Promise<ScenarioResult> {
  const result: ScenarioResult = { id: scenario.id, title: scenario.title };
  const dir = join(work, scenario.id);
  await Deno.mkdir(dir, { recursive: true });
  const samples: Record<ToolName, TimedRun[]> = { skopeo: [], ours: [] };
  const outcomes = new Set<string>();
  let counter = 0;
  const once = async (tool: Tool, warmUp: boolean): Promise<void> => {
    const dest = scenario.keepDestination
      ? join(dir, `${tool.name}-kept`)
      : join(dir, `${tool.name}-${counter++}`);
    const fresh = scenario.freshRegistry
      ? await startFreshRegistry()
      : undefined;
    const paths: RunPaths = {
      image,
      dest,
      ...(context.registries ? { registries: context.registries } : {}),
      ...(context.archives ? { archives: context.archives } : {}),
      ...(context.sync ? { sync: context.sync } : {}),
      ...(fresh ? { fresh } : {}),
    };
    try {
      const run = await timedRun(tool, scenario.args(paths), {
        timeoutMs: context.timeoutMs,
        ...(usage ? { usageFile: join(dir, "usage.txt") } : {}),
      });
      if (run.code !== 0) {
        const why = run.stderr.trim().split("\n").pop() ?? "";
        throw new Error(`${tool.name} exited with ${run.code}: ${why}`);
      }
      const outcome = await scenario.outcome(paths, run.stdout);
      outcomes.add(outcome);
      if (outcomes.size > 1) {
        throw new Error(
          `results differ: ${
            [...outcomes].join(" vs ")
          } (${tool.name} ran last)`,
        );
      }
      if (warmUp) await scenario.verify?.(paths);
      else samples[tool.name].push(run);
    } finally {
      await fresh?.stop();
      if (!scenario.keepDestination) {
        await Deno.remove(dest, { recursive: true }).catch(() => {});
      }
    }
  };
  try {
    for (const tool of tools) await once(tool, true);
    for (let i = 0; i < runs; i++) {
      // Alternate who goes first so neither always follows the other's writes.
      const order = i % 2 === 0 ? tools : [...tools].reverse();
      for (const tool of order) await once(tool, false);
    }
    const [outcome] = outcomes;
    const expected = scenario.expected?.(image);
    if (expected !== undefined && outcome !== expected) {
      throw new Error(`result ${outcome}, expected ${expected}`);
    }
    if (outcome !== undefined) result.outcome = outcome;
  } catch (error) {
    result.failure = error instanceof Error ? error.message : String(error);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  const stats = (name: ToolName): ToolStats | undefined => {
    const runs = samples[name];
    if (runs.length === 0) return undefined;
    const result: ToolStats = { wall: summarize(runs.map((r) => r.ms)) };
    const cpu = runs.flatMap((r) => r.cpuMs ?? []);
    const rss = runs.flatMap((r) => r.maxRssKb ?? []);
    if (cpu.length === runs.length) result.cpu = summarize(cpu);
    if (rss.length === runs.length) {
      result.rssMb = summarize(rss.map((kb) => kb / 1024));
    }
    return result;
  };
  const skopeo = stats("skopeo");
  const ours = stats("ours");
  if (skopeo) result.skopeo = skopeo;
  if (ours) result.ours = ours;
  if (skopeo && ours) result.ratio = ours.wall.median / skopeo.wall.median;
  return result;
}

/**
 * Runs the bench and prints the table.
 *
 * @param args Command-line arguments.
 * @returns The exit code: 0; 1 when a row failed its check; 2 on bad usage.
 */
export async function main(args: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseBenchArgs(args);
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    return 2;
  }
  if (!options) return 0;
  const skopeoVersion = await version("skopeo", ["--version"]);
  if (!skopeoVersion) {
    log("skopeo is not installed: nothing to compare with");
    return 1;
  }
  const layers = LAYER_PLANS[options.size];
  const image = await ensureBenchImage(options.size, layers, {
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    rebuild: options.rebuild,
    log: (m) => log(`building image: ${m}`),
  });
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  log(
    `image ${options.size}: ${image.layers.length} layers, ${
      mb(image.compressedBytes)
    } MB gzip / ${mb(image.rawBytes)} MB raw, at ${image.ociDir}`,
  );
  const usage = await canMeasureUsage();
  const loadBefore = await loadAverage();
  const work = await Deno.makeTempDir({ prefix: "skopeo-ts-bench-" });
  const results: ScenarioResult[] = [];
  let registries: BenchRegistries | undefined;
  let archives: SourceArchives | undefined;
  let sync: SyncSource | undefined;
  let moved: MovedBytes[] | undefined;
  let exported: ExportResult | undefined;
  const started = performance.now();
  try {
    const tools = await prepareTools(join(work, "env"));
    if (!usage) log("GNU time (/usr/bin/time) missing: no CPU/memory columns");
    const scenarios = selectScenarios(options);
    if (scenarios.some((s) => s.registry)) {
      log("starting a loopback registry, pushing the image to it (skopeo)");
      registries = await startBenchRegistries(image, tools[0]);
    }
    if (registries && scenarios.some((s) => s.syncSource)) {
      log("pushing the 40-tag sync source to the registry (skopeo)");
      sync = await pushSyncImages(await ensureSyncImages(image), {
        registry: registries.primary,
        pusher: tools[0],
        dir: join(work, "sync"),
      });
    }
    if (scenarios.some((s) => s.sourceArchives)) {
      archives = await ensureSourceArchives(image, tools[0], log);
    }
    // A 1 GiB copy that compresses takes minutes on two cores.
    const timeoutMs = options.size === "huge" ? 1_800_000 : 120_000;
    for (const scenario of scenarios) {
      const elapsed = (performance.now() - started) / 1000;
      const runs = elapsed > options.maxSeconds ? 1 : options.runs;
      if (runs < options.runs) {
        log(`over ${options.maxSeconds} s: one timed run for ${scenario.id}`);
      }
      log(`${scenario.id}: warm-up + ${runs} runs per tool`);
      const result = await runScenario(
        scenario,
        tools,
        image,
        join(work, "runs"),
        runs,
        usage,
        {
          timeoutMs,
          ...(registries ? { registries } : {}),
          ...(archives ? { archives } : {}),
          ...(sync ? { sync } : {}),
        },
      );
      if (result.failure) log(`${scenario.id} FAILED: ${result.failure}`);
      results.push(result);
    }
    // Sync rows: bytes moved and the OCI-layout export (issue #12).
    if (sync && Deno.env.get("BENCH_SYNC_EXTRAS") !== "0") {
      const extras = join(work, "sync-extras");
      await Deno.mkdir(extras, { recursive: true });
      log("sync: bytes moved (one untimed run per tool through proxies)");
      moved = await measureMovedBytes(tools, sync, extras);
      log(
        "sync: air-gap export of 20 tags (ours --dest oci, skopeo --dest dir)",
      );
      exported = await measureExport(tools, sync, extras);
    }
  } finally {
    await registries?.[Symbol.asyncDispose]();
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
  const loadAfter = await loadAverage();
  const denoVersion = Deno.version.deno;
  const header = [
    `skopeo-ts bench — image \`${options.size}\`: ${image.layers.length} layers, ${
      mb(image.compressedBytes)
    } MB gzip, ${mb(image.rawBytes)} MB raw (real system trees).`,
    `${skopeoVersion} vs ours on Deno ${denoVersion} (\`deno run\`), ${cpus().length} CPUs, load average ${loadBefore} → ${loadAfter}, warm page cache; ms = median (min–max) of the timed runs after a warm-up.`,
    "",
  ].join("\n");
  console.log(header);
  console.log(markdownTable(results));
  if (moved) console.log(`\n${syncExtrasReport(moved, exported)}`);
  if (options.json) {
    await Deno.writeTextFile(
      options.json,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          size: options.size,
          runs: options.runs,
          cpus: cpus().length,
          loadAverage: { before: loadBefore, after: loadAfter },
          versions: { skopeo: skopeoVersion, deno: denoVersion },
          image: {
            layers: image.layers,
            compressedBytes: image.compressedBytes,
            rawBytes: image.rawBytes,
            manifestDigest: image.manifestDigest,
          },
          results,
          ...(moved ? { syncBytesMoved: moved } : {}),
          ...(exported ? { syncExport: exported } : {}),
        },
        null,
        2,
      ) + "\n",
    );
    log(`wrote ${options.json}`);
  }
  return results.some((r) => r.failure) ? 1 : 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
