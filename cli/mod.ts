/**
 * The command line: global flags, the command table, help, dispatch, and the
 * mapping of errors to skopeo's one-line fatal messages and exit codes.
 *
 * @module
 */
import { TransportRegistry } from "../core/registry.ts";
import { BUILTIN_REGISTRY_OPTIONS } from "../transports/builtin.ts";
import type { Command, GlobalOptions } from "./_command.ts";
import { DisplayUsageError, flagBool, flagString } from "./_command.ts";
import { type FlagSpec, formatFlagUsages, parseFlags } from "./_flags.ts";
import { type CliIo, createLogger, formatLogLine } from "./_log.ts";
import { SKOPEO_COMPAT_VERSION, SKOPEO_TS_VERSION } from "./version.ts";

export type { CliIo } from "./_log.ts";

/** Exit code of a successful run. */
export const EXIT_OK = 0;
/** Exit code of any failure, as skopeo uses. */
export const EXIT_FAILURE = 1;

const GLOBAL_FLAGS: FlagSpec[] = [
  {
    name: "command-timeout",
    kind: "duration",
    usage: "timeout for the command execution",
  },
  { name: "debug", kind: "bool", usage: "enable debug output" },
  { name: "help", short: "h", kind: "bool", usage: "help for skopeo" },
  {
    name: "insecure-policy",
    kind: "bool",
    usage: "run the tool without any policy check",
  },
  {
    name: "override-arch",
    kind: "string",
    usage:
      "use `ARCH` instead of the architecture of the machine for choosing images",
  },
  {
    name: "override-os",
    kind: "string",
    usage: "use `OS` instead of the running OS for choosing images",
  },
  {
    name: "override-variant",
    kind: "string",
    usage:
      "use `VARIANT` instead of the running architecture variant for choosing images",
  },
  { name: "policy", kind: "string", usage: "Path to a trust policy file" },
  {
    // Hidden in skopeo 1.9.3 too (cmd/skopeo/main.go marks it so).
    name: "registries-conf",
    kind: "string",
    usage: "path to the registries.conf file",
    hidden: true,
  },
  {
    name: "registries.d",
    kind: "string",
    usage:
      "use registry configuration files in `DIR` (e.g. for container signature storage)",
  },
  {
    name: "tmpdir",
    kind: "string",
    usage: "directory used to store temporary files",
  },
  {
    name: "transport-plugin",
    kind: "stringArray",
    usage:
      "load a transport plugin module from `PATH` (repeatable; also SKOPEO_TS_PLUGINS, colon-separated)",
  },
  { name: "version", short: "v", kind: "bool", usage: "Version for Skopeo" },
];

/** The environment variable listing plugin paths. */
export const PLUGINS_ENV = "SKOPEO_TS_PLUGINS";

/** Loads plugins from the environment, then from `--transport-plugin`. */
async function loadPlugins(
  registry: TransportRegistry,
  flags: Map<string, unknown>,
): Promise<void> {
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get(PLUGINS_ENV);
  } catch {
    // No --allow-env: only the flag applies.
  }
  const fromFlags = flags.get("transport-plugin");
  const flagged = Array.isArray(fromFlags) ? fromFlags as string[] : [];
  if (!fromEnv && flagged.length === 0) return;
  // Loaded only when used: it brings node:path and node:url (~10 ms).
  const { loadTransportPlugin, splitPluginList } = await import(
    "../core/plugin_loader.ts"
  );
  const paths = [...splitPluginList(fromEnv), ...flagged];
  for (const path of paths) await loadTransportPlugin(path, { registry });
}

/** A command's name, its help line, and its module, loaded only when used. */
export interface CommandEntry {
  /** The name typed after `skopeo`. */
  name: string;
  /** One line for `Available Commands`. */
  summary: string;
  /** Loads the command (so `--help` and other commands stay fast). */
  load(): Promise<Command>;
}

/** Commands that work in this build. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "copy",
    summary: "Copy an IMAGE-NAME from one location to another",
    load: async () => (await import("./copy.ts")).copyCommand,
  },
  {
    name: "delete",
    summary: "Delete image IMAGE-NAME",
    load: async () => (await import("./delete.ts")).deleteCommand,
  },
  {
    name: "generate-sigstore-key",
    summary: "Generate a sigstore public/private key pair",
    load: async () =>
      (await import("./generate_sigstore_key.ts")).generateSigstoreKeyCommand,
  },
  {
    name: "inspect",
    summary: "Inspect image IMAGE-NAME",
    load: async () => (await import("./inspect.ts")).inspectCommand,
  },
  {
    name: "list-tags",
    summary:
      "List tags in the transport/repository specified by the SOURCE-IMAGE",
    load: async () => (await import("./list_tags.ts")).listTagsCommand,
  },
  {
    name: "login",
    summary: "Login to a container registry",
    load: async () => (await import("./login.ts")).loginCommand,
  },
  {
    name: "logout",
    summary: "Logout of a container registry",
    load: async () => (await import("./logout.ts")).logoutCommand,
  },
  {
    name: "manifest-digest",
    summary: "Compute a manifest digest of a file",
    load: async () =>
      (await import("./manifest_digest.ts")).manifestDigestCommand,
  },
  {
    name: "standalone-sign",
    summary: "Create a signature using local files",
    load: async () =>
      (await import("./standalone_sign.ts")).standaloneSignCommand,
  },
  {
    name: "standalone-verify",
    summary: "Verify a signature using local files",
    load: async () =>
      (await import("./standalone_verify.ts")).standaloneVerifyCommand,
  },
  {
    name: "sync",
    summary: "Synchronize one or more images from one location to another",
    load: async () => (await import("./sync.ts")).syncCommand,
  },
];

function rootHelp(): string {
  const width = 46;
  const lines = [
    ...COMMANDS.map((c) => [c.name, c.summary] as const),
    ["help", "Help about any command"] as const,
  ].sort(([a], [b]) => a < b ? -1 : 1);
  return [
    "Various operations with container images and container image registries",
    "",
    "Usage:",
    "  skopeo [flags]",
    "  skopeo [command]",
    "",
    "Available Commands:",
    ...lines.map(([name, summary]) => `  ${name.padEnd(width)}${summary}`),
    "",
    "Flags:",
    formatFlagUsages(GLOBAL_FLAGS).trimEnd(),
    "",
    'Use "skopeo [command] --help" for more information about a command.',
    "",
  ].join("\n");
}

function commandHelp(command: Command, registry: TransportRegistry): string {
  const own: FlagSpec[] = [
    ...command.flags,
    {
      name: "help",
      short: "h",
      kind: "bool",
      usage: `help for ${command.name}`,
    },
  ];
  return [
    command.description.replace("%TRANSPORTS%", registry.names().join(", ")),
    "",
    "Usage:",
    command.usage,
    "",
    "Examples:",
    command.examples,
    "",
    "Flags:",
    formatFlagUsages(own),
    "",
  ].join("\n");
}

function globalOptions(
  flags: Map<string, unknown>,
): GlobalOptions {
  const f = flags as Map<string, never>;
  const platform: GlobalOptions["platform"] = {};
  const os = flagString(f, "override-os");
  const arch = flagString(f, "override-arch");
  const variant = flagString(f, "override-variant");
  if (os) platform.os = os;
  if (arch) platform.architecture = arch;
  if (variant) platform.variant = variant;
  const timeout = flags.get("command-timeout");
  return {
    debug: flagBool(f, "debug") ?? false,
    tmpDir: flagString(f, "tmpdir"),
    platform,
    policyPath: flagString(f, "policy"),
    insecurePolicy: flagBool(f, "insecure-policy") ?? false,
    registriesDir: flagString(f, "registries.d"),
    signal: typeof timeout === "number" && timeout > 0
      ? AbortSignal.timeout(timeout)
      : undefined,
  };
}

/** Standard streams of this process. */
export function processIo(): CliIo {
  const encoder = new TextEncoder();
  const writeAll = (file: typeof Deno.stdout, text: string) => {
    const bytes = encoder.encode(text);
    let offset = 0;
    while (offset < bytes.length) {
      offset += file.writeSync(bytes.subarray(offset));
    }
  };
  return {
    stdout: (text) => writeAll(Deno.stdout, text),
    stderr: (text) => writeAll(Deno.stderr, text),
    stdoutIsTerminal: Deno.stdout.isTerminal(),
    stderrIsTerminal: Deno.stderr.isTerminal(),
  };
}

/** Options of {@linkcode runCli}. */
export interface RunCliOptions {
  /** Where output goes (default: this process's streams). */
  io?: CliIo;
  /** The transports (default: every built-in). */
  registry?: TransportRegistry;
}

/** The message of an error, with the causes fetch hides behind "fetch failed". */
export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let message = error.message;
  const cause = error.cause;
  if (
    cause instanceof Error &&
    /fetch failed|error sending request/.test(message) &&
    !message.includes(cause.message)
  ) {
    message += `: ${cause.message}`;
  }
  return message;
}

/**
 * Runs the command line.
 *
 * @example Print the version
 * ```ts ignore
 * import { runCli } from "./mod.ts";
 * await runCli(["--version"]);
 * ```
 *
 * @param args The arguments after the program name.
 * @param options Where output goes; which transports exist.
 * @returns The process exit code.
 */
export async function runCli(
  args: readonly string[],
  options: RunCliOptions = {},
): Promise<number> {
  const io = options.io ?? processIo();
  const fatal = (message: string): number => {
    io.stderr(
      formatLogLine("fatal", message, { terminal: io.stderrIsTerminal }),
    );
    return EXIT_FAILURE;
  };
  const registry = options.registry ??
    new TransportRegistry(BUILTIN_REGISTRY_OPTIONS);

  // The command is the first argument that is not a global flag or its value.
  let index = 0;
  const valueFlags = new Set(
    GLOBAL_FLAGS.filter((f) => f.kind !== "bool").map((f) => `--${f.name}`),
  );
  while (index < args.length && args[index]!.startsWith("-")) {
    const arg = args[index]!;
    if (arg === "--") break;
    index += valueFlags.has(arg) ? 2 : 1;
  }
  let name = args[index];
  let rest = [...args.slice(0, index), ...args.slice(index + 1)];
  if (name === "help") {
    name = args[index + 1];
    rest = ["--help"];
  }
  const entry = COMMANDS.find((c) => c.name === name);
  let command: Command | undefined;
  try {
    if (name !== undefined && !entry) {
      return fatal(
        `Unrecognized command \`skopeo ${name}\`\nTry 'skopeo --help' for more information`,
      );
    }
    command = await entry?.load();
    const parsed = parseFlags(rest, [
      ...GLOBAL_FLAGS,
      ...(command?.flags ?? []),
    ]);
    if (parsed.flags.get("version") === true) {
      io.stdout(
        `skopeo version ${SKOPEO_COMPAT_VERSION} (skopeo-ts ${SKOPEO_TS_VERSION})\n`,
      );
      return EXIT_OK;
    }
    await loadPlugins(registry, parsed.flags);
    if (!command || parsed.flags.get("help") === true) {
      io.stdout(command ? commandHelp(command, registry) : rootHelp());
      return EXIT_OK;
    }
    const global = globalOptions(parsed.flags);
    const logger = createLogger(io, global.debug);
    return await command.run({
      flags: parsed.flags,
      args: parsed.positionals,
      global,
      registry,
      io,
      logger,
    });
  } catch (error) {
    if (error instanceof DisplayUsageError && command) {
      io.stdout(commandHelp(command, registry));
      return EXIT_OK;
    }
    if (error instanceof DOMException && error.name === "TimeoutError") {
      return fatal("context deadline exceeded (--command-timeout)");
    }
    return fatal(errorMessage(error));
  }
}
