/**
 * `deno task bench-load`: a load test of sync. Pushes N small images
 * (default 200 tags of a few KB, generated from fixed seeds, no layer
 * shared) into one repository of a real loopback registry, then runs our
 * CLI's `sync --src docker --dest docker` to a second registry, with images
 * copied in parallel. Prints errors (must be 0), wall and CPU time and the
 * sync process's peak RSS, then checks every tag at the destination has the
 * source's manifest digest. Exits non-zero on any error or mismatch.
 *
 * Bounded: at most 1000 tags, every step has a time limit.
 *
 * Usage: `deno task bench-load [--tags N] [--push-concurrency N]
 * [--parallel-images N] [--with-skopeo] [--max-seconds S]`.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { copyImage, parseImageName } from "../mod.ts";
import {
  buildImage,
  type BuiltImage,
  writeOciLayout,
} from "../tests/support/random_image.ts";
import {
  type RunningRegistry,
  startRegistry,
} from "../tests/support/registry.ts";
import {
  canMeasureUsage,
  prepareTools,
  type TimedRun,
  timedRun,
  type Tool,
} from "./tools.ts";

const MAX_TAGS = 1000;
const REPOSITORY = "load/app";

/** Parsed command line. */
interface LoadOptions {
  tags: number;
  pushConcurrency: number;
  parallelImages: number | undefined;
  withSkopeo: boolean;
  maxSeconds: number;
}

function parseLoadArgs(args: readonly string[]): LoadOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      tags: { type: "string", default: "200" },
      "push-concurrency": { type: "string", default: "8" },
      "parallel-images": { type: "string" },
      "with-skopeo": { type: "boolean", default: false },
      "max-seconds": { type: "string", default: "300" },
    },
  });
  const int = (text: string, what: string, max: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new RangeError(`--${what} must be an integer in 1..${max}`);
    }
    return n;
  };
  return {
    tags: int(values.tags, "tags", MAX_TAGS),
    pushConcurrency: int(values["push-concurrency"], "push-concurrency", 64),
    parallelImages: values["parallel-images"] === undefined
      ? undefined
      : int(values["parallel-images"], "parallel-images", 64),
    withSkopeo: values["with-skopeo"],
    maxSeconds: int(values["max-seconds"], "max-seconds", 3600),
  };
}

function tagOf(i: number): string {
  return `t${String(i).padStart(4, "0")}`;
}

/** The images: one 2 KiB random layer and one small text layer each. */
function buildLoadImages(count: number): BuiltImage[] {
  return Array.from({ length: count }, (_, i) =>
    buildImage({
      seed: 0x10ad0000 + i,
      layers: [{ size: 2048 }, { size: 512, kind: "text" }],
      config: { env: [`INDEX=${i}`] },
    }));
}

/** Runs `work` over `items`, at most `limit` at once; returns the failures. */
async function pooled<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<{ item: T; error: unknown }[]> {
  const failures: { item: T; error: unknown }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failures.push({ item, error });
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return failures;
}

/** `tag → manifest digest` of a repository, by HEAD requests. */
async function digests(
  registry: RunningRegistry,
  repository: string,
  tags: readonly string[],
): Promise<Map<string, string | undefined>> {
  const found = new Map<string, string | undefined>();
  await pooled(tags, 8, async (tag) => {
    const res = await fetch(
      `${registry.url}/v2/${repository}/manifests/${tag}`,
      {
        method: "HEAD",
        headers: {
          accept: "application/vnd.oci.image.manifest.v1+json",
        },
      },
    );
    found.set(
      tag,
      res.ok
        ? res.headers.get("docker-content-digest") ?? undefined
        : undefined,
    );
  });
  return found;
}

/** Peak RSS of a run without GNU time: polls the child's VmHWM. */
async function runPollingRss(
  tool: Tool,
  args: readonly string[],
  timeoutMs: number,
): Promise<TimedRun> {
  const child = new Deno.Command(tool.command, {
    args: [...tool.prefix, ...args],
    env: { ...tool.env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).spawn();
  let peakKb = 0;
  const poll = setInterval(() => {
    try {
      const status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peakKb = Math.max(peakKb, kb);
    } catch {
      // exited
    }
  }, 50);
  const started = performance.now();
  const output = await child.output();
  const ms = performance.now() - started;
  clearInterval(poll);
  const decoder = new TextDecoder();
  return {
    ms,
    maxRssKb: peakKb,
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

async function main(args: readonly string[]): Promise<number> {
  const options = parseLoadArgs(args);
  const deadline = AbortSignal.timeout(options.maxSeconds * 1000);
  const root = await Deno.makeTempDir({ prefix: "skopeo-ts-bench-load-" });
  try {
    await using source = await startRegistry();
    await using mirror = await startRegistry();
    const tags = Array.from({ length: options.tags }, (_, i) => tagOf(i));

    // 1. Generate and push (in process, untimed set-up but reported).
    const images = buildLoadImages(options.tags);
    const layout = join(root, "layout");
    await writeOciLayout(
      layout,
      images.map((image, i) => ({ tag: tagOf(i), image })),
    );
    const bytes = images.reduce(
      (n, image) =>
        n + image.manifest.size + image.config.size +
        image.layers.reduce((m, l) => m + l.size, 0),
      0,
    );
    const context = { settings: { docker: { tlsVerify: false } } };
    const pushStarted = performance.now();
    const pushFailures = await pooled(
      tags,
      options.pushConcurrency,
      async (tag) => {
        deadline.throwIfAborted();
        await copyImage(
          await parseImageName(`oci:${layout}:${tag}`),
          await parseImageName(`docker://${source.host}/${REPOSITORY}:${tag}`),
          { destinationContext: context, signal: deadline },
        );
      },
    );
    const pushMs = performance.now() - pushStarted;
    for (const { item, error } of pushFailures.slice(0, 5)) {
      console.error(`push ${item}: ${(error as Error).message}`);
    }

    // 2. Sync registry → registry with our CLI, measured as a process.
    const [skopeo, ours] = await prepareTools(join(root, "tools"));
    const measure = await canMeasureUsage();
    const remaining = (): number =>
      Math.max(1000, options.maxSeconds * 1000 - performance.now());
    const syncWith = (tool: Tool, prefix: string): Promise<TimedRun> => {
      const argv = [
        "sync",
        "--src",
        "docker",
        "--dest",
        "docker",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        ...(tool.name === "ours" && options.parallelImages !== undefined
          ? ["--parallel-images", String(options.parallelImages)]
          : []),
        `${source.host}/${REPOSITORY}`,
        `${mirror.host}/${prefix}`,
      ];
      return measure
        ? timedRun(tool, argv, {
          timeoutMs: remaining(),
          usageFile: join(root, `${tool.name}.usage`),
        })
        : runPollingRss(tool, argv, remaining());
    };
    const runs: { tool: Tool; prefix: string; run: TimedRun }[] = [];
    runs.push({
      tool: ours,
      prefix: "ours",
      run: await syncWith(ours, "ours"),
    });
    if (options.withSkopeo) {
      runs.push({
        tool: skopeo,
        prefix: "skopeo",
        run: await syncWith(skopeo, "skopeo"),
      });
    }

    // 3. Verify: every tag at the destination has the source's digest.
    const expected = await digests(source, REPOSITORY, tags);
    const missingAtSource = tags.filter((t) => !expected.get(t)).length;
    const mb = (kb: number | undefined): string =>
      kb === undefined ? "n/a" : `${(kb / 1024).toFixed(1)} MB`;
    console.log(
      `# sync load: ${options.tags} tags, ${
        (bytes / 1024).toFixed(0)
      } KiB in all`,
    );
    console.log("");
    console.log(
      `push (in process, ${options.pushConcurrency} at once): ${
        pushMs.toFixed(0)
      } ms, errors: ${pushFailures.length}, missing at source: ${missingAtSource}`,
    );
    let failed = pushFailures.length + missingAtSource;
    console.log("");
    console.log(
      "| tool | exit | errors | mismatched tags | wall | CPU | peak RSS |",
    );
    console.log("|---|---|---|---|---|---|---|");
    for (const { tool, prefix, run } of runs) {
      const got = await digests(mirror, `${prefix}/app`, tags);
      const mismatched = tags.filter((t) =>
        got.get(t) === undefined || got.get(t) !== expected.get(t)
      ).length;
      const errors = run.stderr.split("\n").filter((l) =>
        /level=(error|fatal)|^Error|FATA/.test(l)
      );
      console.log(
        `| ${tool.name} | ${run.code} | ${errors.length} | ${mismatched} | ${
          run.ms.toFixed(0)
        } ms | ${run.cpuMs ?? "n/a"} ms | ${mb(run.maxRssKb)} |`,
      );
      if (run.code !== 0) {
        console.error(run.stderr.split("\n").slice(-5).join("\n"));
      }
      if (tool.name === "ours") {
        failed += errors.length + mismatched + (run.code === 0 ? 0 : 1);
      }
    }
    console.log("");
    console.log(failed === 0 ? "OK: no errors" : `FAILED: ${failed} problems`);
    return failed === 0 ? 0 : 1;
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
