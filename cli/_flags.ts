/**
 * A small pflag-compatible flag parser and cobra-style flag help. Flags may
 * appear anywhere before `--`; booleans take `--x`, `--x=false`; values take
 * `--x v`, `--x=v`, `-x v`, `-xv`; short booleans combine (`-qa`).
 *
 * @module
 */
import { UsageError } from "../core/errors.ts";
import {
  goQuote,
  parseGoAtoi,
  parseGoBool,
  parseGoDuration,
  parseGoInt,
} from "./_go_values.ts";

/** How a flag's value is parsed (pflag's type names). */
export type FlagKind =
  | "bool"
  | "string"
  | "int"
  | "duration"
  | "strings"
  | "stringArray"
  | "ints";

/** One flag, as skopeo declares it. */
export interface FlagSpec {
  /** Long name without dashes. */
  readonly name: string;
  /** One-letter shorthand. */
  readonly short?: string;
  /** Value type. */
  readonly kind: FlagKind;
  /** Help text; a `` `WORD` `` in it names the value in help, as pflag does. */
  readonly usage: string;
  /** Default shown in help as ` (default …)`. */
  readonly defaultText?: string;
  /** Not shown in help. */
  readonly hidden?: boolean;
}

/** A parsed flag value. */
export type FlagValue = boolean | string | number | string[] | number[];

/** Flags given and the remaining arguments. */
export interface ParsedArgs {
  /** Values of the flags that were given, by long name. */
  readonly flags: Map<string, FlagValue>;
  /** Positional arguments, in order. */
  readonly positionals: string[];
}

function flagLabel(spec: FlagSpec): string {
  return spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
}

function convert(
  spec: FlagSpec,
  text: string,
  previous?: FlagValue,
): FlagValue {
  try {
    switch (spec.kind) {
      case "bool":
        return parseGoBool(text);
      case "string":
        return text;
      case "int":
        return parseGoInt(text);
      case "duration":
        return parseGoDuration(text);
      case "strings":
        return [...(previous as string[] | undefined ?? []), ...splitCsv(text)];
      case "stringArray":
        return [...(previous as string[] | undefined ?? []), text];
      case "ints":
        // pflag splits on every comma (no CSV) and uses strconv.Atoi.
        return [
          ...(previous as number[] | undefined ?? []),
          ...text.split(",").map(parseGoAtoi),
        ];
    }
  } catch (error) {
    throw new UsageError(
      `invalid argument ${goQuote(text)} for ${
        goQuote(flagLabel(spec))
      } flag: ${(error as Error).message}`,
    );
  }
}

/** A column for Go's csv errors: 1-based, counted in UTF-8 bytes. */
function csvColumn(text: string, index: number): number {
  return new TextEncoder().encode(text.slice(0, index)).length + 1;
}

/**
 * pflag reads StringSlice values as one record of Go's `encoding/csv`
 * (same errors; the record ends at the first unquoted newline).
 */
function splitCsv(text: string): string[] {
  if (text === "") return [];
  // encoding/csv skips empty lines; nothing left is io.EOF.
  const skipped = /^(\r?\n)*/.exec(text)![0];
  text = text.slice(skipped.length);
  if (text === "") throw new Error("EOF");
  const line = skipped.split("\n").length;
  const fail = (index: number, what: string) =>
    new Error(
      `parse error on line ${line}, column ${csvColumn(text, index)}: ${what}`,
    );
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) {
          throw fail(text.length, 'extraneous or missing " in quoted-field');
        }
        field += text.slice(i, quote);
        i = quote + 1;
        const next = text[i];
        if (next === '"') {
          field += '"';
          i++;
        } else if (next === "," || next === undefined || next === "\n") {
          break;
        } else if (next === "\r" && text[i + 1] === "\n") {
          i++;
          break;
        } else {
          throw fail(quote, 'extraneous or missing " in quoted-field');
        }
      }
    } else {
      const end = /[,\n]|\r\n|$/.exec(text.slice(i))!.index + i;
      field = text.slice(i, end);
      const bare = field.indexOf('"');
      if (bare >= 0) throw fail(i + bare, 'bare " in non-quoted-field');
      i = text[end] === "\r" ? end + 1 : end;
    }
    out.push(field);
    if (text[i] !== ",") return out;
    i++;
  }
}

/**
 * Parses arguments against flag specs.
 *
 * @param args The arguments after the command name.
 * @param specs Every flag the command accepts (its own and global ones).
 * @returns Flag values and positional arguments.
 * @throws {UsageError} With pflag's wording for unknown flags and bad values.
 */
export function parseFlags(
  args: readonly string[],
  specs: readonly FlagSpec[],
): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(
    specs.filter((s) => s.short).map((s) => [s.short!, s]),
  );
  const flags = new Map<string, FlagValue>();
  const positionals: string[] = [];
  const set = (spec: FlagSpec, text: string) =>
    flags.set(spec.name, convert(spec, text, flags.get(spec.name)));

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith("--") && arg.length > 2) {
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      if (name === "" || name.startsWith("-")) {
        throw new UsageError(`bad flag syntax: ${arg}`);
      }
      const spec = byName.get(name);
      if (!spec) throw new UsageError(`unknown flag: --${name}`);
      if (eq >= 0) set(spec, arg.slice(eq + 1));
      else if (spec.kind === "bool") set(spec, "true");
      else if (i + 1 < args.length) set(spec, args[++i]!);
      else throw new UsageError(`flag needs an argument: --${name}`);
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        const spec = byShort.get(letter);
        if (!spec) {
          // pflag names the shorthands not yet consumed.
          throw new UsageError(
            `unknown shorthand flag: '${letter}' in -${arg.slice(j)}`,
          );
        }
        // `-q=` is `-q` then `-=`; `-f=` gives `--format` the value `=`.
        if (arg[j + 1] === "=" && j + 2 < arg.length) {
          set(spec, arg.slice(j + 2));
          break;
        }
        if (spec.kind === "bool") {
          set(spec, "true");
          continue;
        }
        if (j + 1 < arg.length) set(spec, arg.slice(j + 1));
        else if (i + 1 < args.length) set(spec, args[++i]!);
        else {
          throw new UsageError(
            `flag needs an argument: '${letter}' in -${letter}`,
          );
        }
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { flags, positionals };
}

/** The name of a flag's value in help: a `` `WORD` `` in usage, else the type. */
function valueName(spec: FlagSpec): { name: string; usage: string } {
  const quoted = /`([^`]+)`/.exec(spec.usage);
  if (quoted) {
    return { name: quoted[1]!, usage: spec.usage.replace(/`([^`]+)`/, "$1") };
  }
  return { name: spec.kind === "bool" ? "" : spec.kind, usage: spec.usage };
}

/**
 * Formats flags like pflag's `FlagUsages`, sorted by name.
 *
 * @param specs The flags to show.
 * @returns The lines of the `Flags:` section.
 */
export function formatFlagUsages(specs: readonly FlagSpec[]): string {
  const visible = specs.filter((s) => !s.hidden).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  );
  const rows = visible.map((spec) => {
    const { name, usage } = valueName(spec);
    let left = spec.short
      ? `  -${spec.short}, --${spec.name}`
      : `      --${spec.name}`;
    if (name) left += ` ${name}`;
    let right = usage;
    if (spec.defaultText !== undefined) {
      right += spec.kind === "string"
        ? ` (default ${goQuote(spec.defaultText)})`
        : ` (default ${spec.defaultText})`;
    }
    return { left, right };
  });
  const width = Math.max(0, ...rows.map((r) => r.left.length));
  return rows.map((r) => `${r.left.padEnd(width)}   ${r.right}\n`).join("");
}
