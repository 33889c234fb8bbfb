/**
 * The shape of a subcommand and what it receives.
 *
 * @module
 */
import type { TransportRegistry } from "../core/registry.ts";
import type { Logger } from "../core/transport.ts";
import type { Platform } from "../core/types.ts";
import type { FlagSpec, FlagValue } from "./_flags.ts";
import type { CliIo } from "./_log.ts";

/** Settings from the global flags. */
export interface GlobalOptions {
  /** `--debug`. */
  debug: boolean;
  /** `--tmpdir`. */
  tmpDir: string | undefined;
  /** `--override-os/arch/variant`. */
  platform: Partial<Platform>;
  /** `--policy`. */
  policyPath: string | undefined;
  /** `--insecure-policy`. */
  insecurePolicy: boolean;
  /** `--registries.d`. */
  registriesDir: string | undefined;
  /** `--command-timeout`, as a signal. */
  signal: AbortSignal | undefined;
}

/** Everything a command's `run` gets. */
export interface CommandContext {
  /** Flag values given, by long name. */
  flags: Map<string, FlagValue>;
  /** Positional arguments. */
  args: string[];
  /** Global settings. */
  global: GlobalOptions;
  /** Transports. */
  registry: TransportRegistry;
  /** Output streams. */
  io: CliIo;
  /** Diagnostics. */
  logger: Logger;
}

/** A subcommand such as `copy`. */
export interface Command {
  /** The name typed after `skopeo`. */
  name: string;
  /** The text above `Usage:` in the command's help. */
  description: string;
  /** The usage line after the program name. */
  usage: string;
  /** Example lines. */
  examples: string;
  /** The command's own flags (global ones are added). */
  flags: readonly FlagSpec[];
  /** Runs the command; returns the exit code. */
  run(context: CommandContext): Promise<number>;
}

/** Reads a typed flag value. */
export function flagString(
  flags: Map<string, FlagValue>,
  name: string,
): string | undefined {
  const value = flags.get(name);
  return typeof value === "string" ? value : undefined;
}

/** Reads a boolean flag (undefined when not given). */
export function flagBool(
  flags: Map<string, FlagValue>,
  name: string,
): boolean | undefined {
  const value = flags.get(name);
  return typeof value === "boolean" ? value : undefined;
}

/** Reads an integer flag. */
export function flagInt(
  flags: Map<string, FlagValue>,
  name: string,
): number | undefined {
  const value = flags.get(name);
  return typeof value === "number" ? value : undefined;
}

/** Reads a list flag. */
export function flagList(
  flags: Map<string, FlagValue>,
  name: string,
): string[] {
  const value = flags.get(name);
  return Array.isArray(value) ? value.map(String) : [];
}

/** A usage mistake for which skopeo prints the command's help and exits 0. */
export class DisplayUsageError extends Error {
  /** @param message Why (not printed; skopeo prints only the help). */
  constructor(message: string) {
    super(message);
    this.name = "DisplayUsageError";
  }
}
