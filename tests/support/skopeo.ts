/**
 * Runs the real skopeo (the oracle) and our CLI the same way, isolated from
 * the user's configuration: HOME and the XDG directories point into a
 * temporary directory (so no user auth file is read unless a test asks),
 * TMPDIR is private, registries.conf is empty, `--insecure-policy` is passed,
 * and an unreachable HTTP(S) proxy catches any attempt to leave loopback.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Options of {@linkcode runSkopeo} and {@linkcode runOurs}. */
export interface RunOptions {
  /** Extra environment variables; they override the isolated ones. */
  env?: Readonly<Record<string, string>>;
  /** Working directory; the repository root by default. */
  cwd?: string;
  /** Written to the process's stdin, which is closed otherwise. */
  stdin?: string | Uint8Array;
  /**
   * An isolation directory to reuse across runs (e.g. `login` then
   * `logout`); it is created when missing and kept. By default each run gets
   * a fresh one, removed afterwards.
   */
  home?: string;
  /** Pass `--insecure-policy` first; true by default. */
  insecurePolicy?: boolean;
  /** Kills the process when aborted. */
  signal?: AbortSignal;
  /** Kills the process after this many milliseconds; 60 000 by default. */
  timeout?: number;
}

/** What a run produced. */
export interface RunResult {
  /** Exit code (a signal-killed process reports 128 + signal number). */
  code: number;
  /** Standard output, decoded as UTF-8. */
  stdout: string;
  /** Standard error, decoded as UTF-8. */
  stderr: string;
  /** Stdout as bytes, for exact comparisons (`inspect --raw`). */
  stdoutBytes: Uint8Array;
}

/** The repository root, where deno.json lives. */
export const REPO_ROOT: string = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
);

/**
 * Runs the real `skopeo` with `--insecure-policy` and an isolated
 * environment.
 *
 * @example Ask skopeo its version
 * ```ts ignore
 * import { runSkopeo } from "./skopeo.ts";
 * const { code, stdout } = await runSkopeo(["--version"]);
 * console.assert(code === 0 && stdout.startsWith("skopeo version"));
 * ```
 *
 * @param args Arguments after the global `--insecure-policy`.
 * @param options Environment, stdin, isolation directory and limits.
 * @returns Exit code and output.
 */
export function runSkopeo(
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return run("skopeo", [], args, {}, options);
}

/**
 * Runs our CLI (`deno run -A cli.ts`) exactly as {@linkcode runSkopeo} runs
 * skopeo, so both can be compared.
 *
 * @example Ask our CLI its version
 * ```ts ignore
 * import { runOurs } from "./skopeo.ts";
 * const { code } = await runOurs(["--version"]);
 * console.assert(code === 0);
 * ```
 *
 * @param args Arguments after the global `--insecure-policy`.
 * @param options Environment, stdin, isolation directory and limits.
 * @returns Exit code and output.
 */
export async function runOurs(
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const denoArgs = ourDenoArgs();
  const env = {
    DENO_DIR: await denoDir(),
    DENO_NO_UPDATE_CHECK: "1",
    NO_COLOR: "1",
  };
  return run(Deno.execPath(), denoArgs, args, env, options);
}

/** The `deno` arguments that start our CLI, before its own arguments. */
function ourDenoArgs(): string[] {
  return [
    "run",
    "-A",
    "-q",
    "--cached-only",
    "--config",
    join(REPO_ROOT, "deno.json"),
    join(REPO_ROOT, "cli.ts"),
  ];
}

/**
 * A shell command line that runs our CLI with `args`, each quoted: for
 * `script`, which gives it a terminal.
 *
 * @param args The CLI's arguments.
 * @returns The command line.
 */
export function ourShellCommand(args: readonly string[]): string {
  const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
  return [Deno.execPath(), ...ourDenoArgs(), ...args].map(quote).join(" ");
}

async function run(
  command: string,
  prefix: readonly string[],
  args: readonly string[],
  extraEnv: Readonly<Record<string, string>>,
  options: RunOptions,
): Promise<RunResult> {
  const root = options.home ??
    await Deno.makeTempDir({ prefix: "skopeo-ts-run-" });
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`${command} timed out`)),
    options.timeout ?? 60_000,
  );
  const onAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  try {
    const env = { ...await isolatedEnv(root), ...extraEnv, ...options.env };
    const child = new Deno.Command(command, {
      args: [
        ...prefix,
        ...(options.insecurePolicy === false ? [] : ["--insecure-policy"]),
        ...args,
      ],
      cwd: options.cwd ?? REPO_ROOT,
      env,
      clearEnv: true,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      signal: controller.signal,
    }).spawn();
    if (options.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      try {
        await writer.write(
          typeof options.stdin === "string"
            ? new TextEncoder().encode(options.stdin)
            : options.stdin,
        );
        await writer.close();
      } catch {
        // The process may exit without reading its input.
      }
    }
    const output = await child.output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
      stdoutBytes: output.stdout,
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    if (options.home === undefined) {
      await Deno.remove(root, { recursive: true });
    }
  }
}

/**
 * An environment for one run of skopeo or our CLI: HOME, XDG and TMPDIR
 * under `root`, an empty registries.conf, and a loopback proxy so nothing
 * reaches the network. Shared by the tests and `deno task bench`.
 *
 * @param root A directory owned by this run.
 * @returns The variables (PATH kept, nothing else inherited).
 */
export async function isolatedEnv(
  root: string,
): Promise<Record<string, string>> {
  const dirs = {
    HOME: join(root, "home"),
    XDG_CONFIG_HOME: join(root, "config"),
    XDG_DATA_HOME: join(root, "data"),
    XDG_CACHE_HOME: join(root, "cache"),
    XDG_RUNTIME_DIR: join(root, "run"),
    TMPDIR: join(root, "tmp"),
  };
  for (const dir of Object.values(dirs)) {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  }
  const registriesConf = join(root, "registries.conf");
  await Deno.writeTextFile(registriesConf, "", { append: true });
  // Port 9 (discard) on loopback refuses connections: anything that is not
  // loopback fails fast instead of reaching the network.
  const proxy = "http://127.0.0.1:9";
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
    ...dirs,
    CONTAINERS_REGISTRIES_CONF: registriesConf,
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    NO_PROXY: "127.0.0.1,localhost,::1",
    no_proxy: "127.0.0.1,localhost,::1",
  };
}

let denoDirPromise: Promise<string> | undefined;

/**
 * The real Deno cache, so runs with an isolated HOME need no download.
 *
 * @returns The cache directory (looked up once per process).
 */
export function denoDir(): Promise<string> {
  denoDirPromise ??= (async () => {
    const fromEnv = Deno.env.get("DENO_DIR");
    if (fromEnv) return fromEnv;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
      denoDir?: string;
    };
    if (!info.denoDir) throw new Error("Cannot find the Deno cache directory");
    return info.denoDir;
  })();
  return denoDirPromise;
}

/**
 * Pushes every image of a `sync --src dir` tree to `destination` (a
 * registry namespace) with our CLI, TLS verification off: the seeding step
 * of the sync tests. Fails the test when the sync fails.
 *
 * @param dir The tree (one `dir:` image per `repo:tag` directory).
 * @param destination Where `skopeo sync --dest docker` puts them.
 */
export async function seedRegistryFromDirs(
  dir: string,
  destination: string,
): Promise<void> {
  succeeded(
    await runOurs([
      "sync",
      "--src-tls-verify=false",
      "--dest-tls-verify=false",
      "--src",
      "dir",
      "--dest",
      "docker",
      dir,
      destination,
    ]),
  );
}

/** Asserts a run succeeded (exit code 0, stderr shown otherwise). */
export function succeeded(result: RunResult): RunResult {
  assert.equal(result.code, 0, result.stderr);
  return result;
}

/** Asserts a run failed and returns its logrus fatal message, unquoted. */
export function fatalMessage(result: RunResult): string {
  assert.notEqual(result.code, 0, `expected a failure, got ${result.stdout}`);
  const match = /level=fatal msg="((?:[^"\\]|\\.)*)"/.exec(result.stderr);
  assert.ok(match, `no fatal message in ${result.stderr}`);
  return JSON.parse(`"${match[1]}"`);
}

/**
 * The manifest digest skopeo 1.9.3 reports for a plain-HTTP loopback
 * registry image (`host:port/repo:tag`).
 */
export async function registryDigest(image: string): Promise<string> {
  const inspected = await runSkopeo([
    "inspect",
    "--tls-verify=false",
    "--format",
    "{{.Digest}}",
    `docker://${image}`,
  ]);
  assert.equal(inspected.code, 0, inspected.stderr);
  return inspected.stdout.trim();
}
