/**
 * The two programs under test, run the way tests/support/skopeo.ts runs them
 * (isolated HOME/XDG/TMPDIR, empty registries.conf, unreachable proxy,
 * `--insecure-policy` first), but timed from spawn to exit with the isolation
 * prepared beforehand, so the clock sees only the process.
 *
 * @module
 */
import { join } from "node:path";
import { denoDir, isolatedEnv, REPO_ROOT } from "../tests/support/skopeo.ts";

/** Which program. */
export type ToolName = "skopeo" | "ours";

/** A program ready to run. */
export interface Tool {
  /** Which program. */
  readonly name: ToolName;
  /** Executable. */
  readonly command: string;
  /** Arguments before the command line under test. */
  readonly prefix: readonly string[];
  /** The whole environment (it is cleared first). */
  readonly env: Readonly<Record<string, string>>;
}

/** One timed run. */
export interface TimedRun {
  /** Wall time from spawn to exit and end of output, in milliseconds. */
  ms: number;
  /** User + system CPU time in milliseconds (10 ms resolution), when measured. */
  cpuMs?: number;
  /** Peak resident memory in kilobytes, when measured. */
  maxRssKb?: number;
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Prepares both programs with isolation directories under `root`.
 *
 * @param root A directory the bench owns.
 * @returns skopeo, then ours.
 */
export async function prepareTools(root: string): Promise<[Tool, Tool]> {
  const skopeo: Tool = {
    name: "skopeo",
    command: "skopeo",
    prefix: ["--insecure-policy"],
    env: await isolatedEnv(join(root, "skopeo")),
  };
  const ours: Tool = {
    name: "ours",
    command: Deno.execPath(),
    prefix: [
      "run",
      "-A",
      "-q",
      "--cached-only",
      "--config",
      join(REPO_ROOT, "deno.json"),
      join(REPO_ROOT, "cli.ts"),
      "--insecure-policy",
    ],
    env: {
      ...await isolatedEnv(join(root, "ours")),
      DENO_DIR: await denoDir(),
      DENO_NO_UPDATE_CHECK: "1",
      NO_COLOR: "1",
    },
  };
  return [skopeo, ours];
}

/** GNU time, which reports a child's CPU time and peak memory. */
const GNU_TIME = "/usr/bin/time";

/** Whether CPU time and memory can be measured (GNU time is installed). */
export async function canMeasureUsage(): Promise<boolean> {
  try {
    const out = await new Deno.Command(GNU_TIME, {
      args: ["-f", "%U %S %M", "true"],
      stdout: "null",
      stderr: "piped",
    }).output();
    return out.success && parseUsage(new TextDecoder().decode(out.stderr)) !==
        undefined;
  } catch {
    return false;
  }
}

/** Options of {@linkcode timedRun}. */
export interface TimedRunOptions {
  /** Kill the process after this many milliseconds; 120 000 by default. */
  timeoutMs?: number;
  /**
   * Run under GNU time, writing its report to this file, to get CPU time and
   * peak memory. Both tools pay the same ~1 ms for the extra exec.
   */
  usageFile?: string;
}

/**
 * Runs `tool` with `args` and times it.
 *
 * @param tool The program.
 * @param args The command line after the global `--insecure-policy`.
 * @param options Time limit and CPU/memory measurement.
 * @returns Time, exit code and output.
 */
export async function timedRun(
  tool: Tool,
  args: readonly string[],
  options: TimedRunOptions = {},
): Promise<TimedRun> {
  const argv = [tool.command, ...tool.prefix, ...args];
  const usage = options.usageFile;
  if (usage) argv.unshift(GNU_TIME, "-f", "%U %S %M", "-o", usage);
  const command = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    cwd: REPO_ROOT,
    env: { ...tool.env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
  });
  const started = performance.now();
  const output = await command.output();
  const ms = performance.now() - started;
  const decoder = new TextDecoder();
  const run: TimedRun = {
    ms,
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
  if (usage) {
    const measured = parseUsage(await Deno.readTextFile(usage));
    if (measured) Object.assign(run, measured);
    await Deno.remove(usage).catch(() => {});
  }
  return run;
}

/** Reads GNU time's `%U %S %M` line (the last one; a signal adds a line). */
function parseUsage(
  text: string,
): { cpuMs: number; maxRssKb: number } | undefined {
  const last = text.trim().split("\n").pop() ?? "";
  const match = /^(\d+\.\d+) (\d+\.\d+) (\d+)$/.exec(last);
  if (!match) return undefined;
  return {
    cpuMs: Math.round((Number(match[1]) + Number(match[2])) * 1000),
    maxRssKb: Number(match[3]),
  };
}
