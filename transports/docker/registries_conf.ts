/**
 * `registries.conf` (containers-registries.conf(5), v2 and the old v1
 * tables) as skopeo 1.9.3 (containers/image 5.23) reads it for `docker://`:
 * which files, how drop-ins merge, validation with the same messages, the
 * `[[registry]]` entry matching a reference (longest prefix, `*.example.com`
 * wildcards), and the ordered pull sources (mirrors, then the primary
 * location) with `pull-from-mirror` / `mirror-by-digest-only`.
 *
 * `docker://` references are never short-name resolved (they normalise to
 * `docker.io`), so `unqualified-search-registries` and `[aliases]` are
 * validated and exposed ({@linkcode shortNameCandidates}) but not used here.
 *
 * @module
 */
// Not node:path: loading it costs ~10 ms of every docker:// command.
import { goPathErrorText } from "../../core/go_path_error.ts";
import { goJoin as join } from "../../core/sync/naming.ts";
import {
  formatReference,
  parseNormalizedNamed,
} from "../../core/docker_name.ts";
import type { DockerName } from "../../core/docker_name.ts";

/** The system-wide file. */
export const SYSTEM_REGISTRIES_CONF = "/etc/containers/registries.conf";
/** The system-wide drop-in directory. */
export const SYSTEM_REGISTRIES_CONF_DIR = "/etc/containers/registries.conf.d";
/** The environment variable naming the file (newer containers/image; skopeo 1.9.3 ignores it). */
export const REGISTRIES_CONF_ENV = "CONTAINERS_REGISTRIES_CONF";

const USER_FILE = ".config/containers/registries.conf";
const USER_DIR = ".config/containers/registries.conf.d";

/** When a mirror is used: `all` (default), `digest-only` or `tag-only`. */
export type PullFromMirror = "all" | "digest-only" | "tag-only";

/** A place images are pulled from: a registry host with an optional namespace. */
export interface RegistryEndpoint {
  /** `host[:port][/namespace]`; empty only for a `*.example.com` prefix. */
  readonly location: string;
  /** Skip TLS verification and allow plain HTTP (unless `--tls-verify` is given). */
  readonly insecure: boolean;
  /** Mirrors only: which references may use it. */
  readonly pullFromMirror?: PullFromMirror | undefined;
}

/** One `[[registry]]` entry. */
export interface RegistryEntry extends RegistryEndpoint {
  /** The references it applies to (defaults to `location`). */
  readonly prefix: string;
  /** Refuse any access. */
  readonly blocked: boolean;
  /** Use the mirrors for digest references only. */
  readonly mirrorByDigestOnly: boolean;
  /** Tried in order before the primary location, for pulls. */
  readonly mirrors: readonly RegistryEndpoint[];
}

/** A loaded, validated and merged configuration. */
export interface RegistriesConf {
  /** Entries, unique per prefix, sorted by prefix. */
  readonly registries: readonly RegistryEntry[];
  /** `unqualified-search-registries`; undefined when no file set it. */
  readonly unqualifiedSearchRegistries?: readonly string[] | undefined;
  /** `[aliases]`: short name → fully-qualified repository. */
  readonly aliases: Readonly<Record<string, string>>;
  /** `short-name-mode`, when set. */
  readonly shortNameMode?: "enforcing" | "permissive" | "disabled" | undefined;
  /** `credential-helpers`, when set. */
  readonly credentialHelpers?: readonly string[] | undefined;
  /** The main file, named in "blocked" errors. */
  readonly configPath: string;
  /** The drop-in directory named in "blocked" errors. */
  readonly configDirPath: string;
}

/** A configuration file that cannot be read or is invalid. */
export class RegistriesConfError extends Error {
  /** 1-based line of a TOML syntax error. */
  readonly line: number | undefined;
  /** 1-based column of a TOML syntax error. */
  readonly column: number | undefined;
  /**
   * @param message The whole one-line message.
   * @param options Position and cause.
   */
  constructor(
    message: string,
    options: ErrorOptions & { line?: number; column?: number } = {},
  ) {
    super(message, options);
    this.name = "RegistriesConfError";
    this.line = options.line;
    this.column = options.column;
  }
}

/** Access to a registry that `blocked = true` forbids. */
export class BlockedRegistryError extends Error {
  /** The prefix of the blocking entry. */
  readonly prefix: string;
  /**
   * @param prefix The blocking entry's prefix.
   * @param conf Where the entry came from.
   */
  constructor(prefix: string, conf: RegistriesConf) {
    const where = conf.configDirPath === ""
      ? conf.configPath
      : `${conf.configPath} or ${conf.configDirPath}`;
    super(`registry ${prefix} is blocked in ${where}`);
    this.name = "BlockedRegistryError";
    this.prefix = prefix;
  }
}

/** An empty configuration (no file). */
export const EMPTY_REGISTRIES_CONF: RegistriesConf = {
  registries: [],
  aliases: {},
  configPath: SYSTEM_REGISTRIES_CONF,
  configDirPath: SYSTEM_REGISTRIES_CONF_DIR,
};

type Table = Record<string, unknown>;

function tomlType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value instanceof Date) return "datetime";
  if (typeof value === "object" && value !== null) return "table";
  return typeof value === "bigint" ? "integer" : typeof value;
}

function incompatible(key: string, value: unknown, want: string): never {
  throw new RegistriesConfError(
    `toml: key "${key}": incompatible types: TOML value has type ${
      tomlType(value)
    }; destination has type ${want}`,
  );
}

function str(t: Table, key: string, path: string): string | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  return typeof v === "string" ? v : incompatible(`${path}${key}`, v, "string");
}

function bool(t: Table, key: string, path: string): boolean {
  const v = t[key];
  if (v === undefined) return false;
  return typeof v === "boolean" ? v : incompatible(`${path}${key}`, v, "bool");
}

function strings(t: Table, key: string, path: string): string[] | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) {
    return incompatible(`${path}${key}`, v, "[]string");
  }
  return v as string[];
}

function table(t: Table, key: string, path: string): Table | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  return tomlType(v) === "table"
    ? v as Table
    : incompatible(`${path}${key}`, v, "table");
}

function tables(t: Table, key: string, path: string): Table[] {
  const v = t[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((e) => tomlType(e) !== "table")) {
    return incompatible(`${path}${key}`, v, "array of tables");
  }
  return v as Table[];
}

/** containers/image's `parseLocation`: no scheme, no trailing slash. */
function parseLocation(input: string): string {
  const trimmed = input.replace(/\/+$/, "");
  if (trimmed.startsWith("http://") || trimmed.startsWith("https://")) {
    throw new RegistriesConfError(
      `invalid location '${input}': URI schemes are not supported`,
    );
  }
  return trimmed;
}

function pullFromMirror(
  value: string | undefined,
  location: string,
): PullFromMirror | undefined {
  if (value === undefined || value === "") return undefined;
  if (value === "all" || value === "digest-only" || value === "tag-only") {
    return value;
  }
  throw new RegistriesConfError(
    `unsupported pull-from-mirror value "${value}" for mirror "${location}"`,
  );
}

const DOMAIN_PATTERN =
  /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const SHORT_NAME_PATTERN =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

function hasRegistry(name: string): boolean {
  const slash = name.indexOf("/");
  if (slash === -1) return false;
  const first = name.slice(0, slash);
  return /[.:]/.test(first) || first === "localhost";
}

/** A Go reference error's own text (`Parse`'s, not `ParseNormalizedNamed`'s). */
function parseErrorText(error: unknown): string {
  return (error as Error).message.replace(
    /^invalid reference format: (?=repository name must be lowercase$)/,
    "",
  );
}

/** What distribution's `Parse` finds in a name: tag, digest, domain. */
function parseLikeGo(
  text: string,
): { tagged: boolean; digested: boolean; domain: string } {
  if (/^[a-f0-9]{64}$/.test(text)) {
    // A valid name for `Parse`; only the normalised parser refuses it.
    return { tagged: false, digested: false, domain: "" };
  }
  const parsed = parseNormalizedNamed(text, { input: text });
  const name = text.replace(/@.*$/, "").replace(/:[^/:]*$/, "");
  const slash = name.indexOf("/");
  return {
    tagged: parsed.tag !== undefined,
    digested: parsed.digest !== undefined,
    domain: slash === -1 ? "" : name.slice(0, slash),
  };
}

function isRegistryDomain(domain: string): boolean {
  return /[.:]/.test(domain) || domain === "localhost";
}

/** containers/image's `validateShortName`, with its messages. */
function checkShortName(key: string): void {
  const fail = (message: string): never => {
    throw new RegistriesConfError(`validating short-name aliases: ${message}`);
  };
  if (key.length > 255) {
    fail(
      `cannot parse short name: "${key}": repository name must not be more than 255 characters`,
    );
  }
  if (SHORT_NAME_PATTERN.test(key) && !hasRegistry(key)) return;
  if (key === "") {
    fail(
      'cannot parse short name: "": repository name must have at least one component',
    );
  }
  let parsed: ReturnType<typeof parseLikeGo>;
  try {
    parsed = parseLikeGo(key);
  } catch (error) {
    return fail(
      `cannot parse short name: "${key}": ${parseErrorText(error)}`,
    );
  }
  if (parsed.digested) {
    fail(`invalid short name "${key}": must not contain digest`);
  }
  if (parsed.tagged) fail(`invalid short name "${key}": must not contain tag`);
  if (isRegistryDomain(parsed.domain)) {
    fail(`invalid short name "${key}": must not contain registry`);
  }
}

/**
 * `host.domain[:port]/path` in lowercase, no tag or digest: a valid alias
 * for sure (checked without the full reference parser, as shortnames.conf
 * has dozens); anything else takes the full check.
 */
const PLAIN_ALIAS =
  /^[a-z0-9]+(?:[.-][a-z0-9]+)*\.[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+$/;

/** containers/image's short-name alias checks, with their messages. */
function checkAlias(key: string, value: string): void {
  checkShortName(key);
  if (value.length <= 255 && PLAIN_ALIAS.test(value)) return;
  let parsed: ReturnType<typeof parseLikeGo>;
  try {
    parsed = parseLikeGo(value);
  } catch (error) {
    // A configuration error, not a bad image name from the command line.
    throw new RegistriesConfError(
      `validating short-name aliases: parsing alias "${value}": ${
        parseErrorText(error)
      }`,
      { cause: error },
    );
  }
  const invalid = (reason: string): RegistriesConfError =>
    new RegistriesConfError(
      `validating short-name aliases: invalid alias "${value}": ${reason}`,
    );
  if (parsed.digested) throw invalid("must not contain digest");
  if (parsed.tagged) throw invalid("must not contain tag");
  if (!isRegistryDomain(parsed.domain)) {
    throw invalid("must contain registry and repository");
  }
}

interface Parsed {
  registries: RegistryEntry[];
  unqualifiedSearchRegistries: string[] | undefined;
  aliases: Record<string, string>;
  shortNameMode: RegistriesConf["shortNameMode"];
  credentialHelpers: string[] | undefined;
}

/** The v1 tables (`[registries.search]`, `.insecure`, `.block`) as v2 entries. */
function convertV1(v1: Table): Parsed {
  const order: string[] = [];
  const byLocation = new Map<
    string,
    { location: string; insecure: boolean; blocked: boolean }
  >();
  const entry = (location: string) => {
    const loc = parseLocation(location);
    let found = byLocation.get(loc);
    if (found === undefined) {
      found = { location: loc, insecure: false, blocked: false };
      byLocation.set(loc, found);
      order.push(loc);
    }
    return found;
  };
  const list = (name: string): string[] | undefined => {
    const t = table(v1, name, "registries.");
    return t && strings(t, "registries", `registries.${name}.`);
  };
  for (const loc of list("block") ?? []) entry(loc).blocked = true;
  for (const loc of list("insecure") ?? []) entry(loc).insecure = true;
  return {
    registries: order.map((loc) => {
      const e = byLocation.get(loc)!;
      return { ...e, prefix: loc, mirrorByDigestOnly: false, mirrors: [] };
    }),
    unqualifiedSearchRegistries: list("search"),
    aliases: {},
    shortNameMode: undefined,
    credentialHelpers: undefined,
  };
}

function readV2(doc: Table): Parsed {
  const registries = tables(doc, "registry", "").map((r) => {
    const mirrors = tables(r, "mirror", "registry.").map((m) => {
      const location = str(m, "location", "registry.mirror.") ?? "";
      return {
        location,
        insecure: bool(m, "insecure", "registry.mirror."),
        pullFromMirror: str(m, "pull-from-mirror", "registry.mirror."),
      };
    });
    return {
      location: str(r, "location", "registry.") ?? "",
      prefix: str(r, "prefix", "registry.") ?? "",
      insecure: bool(r, "insecure", "registry."),
      blocked: bool(r, "blocked", "registry."),
      mirrorByDigestOnly: bool(r, "mirror-by-digest-only", "registry."),
      pullFromMirror: str(r, "pull-from-mirror", "registry."),
      mirrors,
    };
  });
  const processed = postProcess(registries);
  const search = strings(doc, "unqualified-search-registries", "")?.map(
    (s) => {
      const location = parseLocation(s);
      if (!DOMAIN_PATTERN.test(location)) {
        throw new RegistriesConfError(
          `Invalid unqualified-search-registries entry ${
            JSON.stringify(location)
          }`,
        );
      }
      return location;
    },
  );
  const modeText = str(doc, "short-name-mode", "");
  let shortNameMode: RegistriesConf["shortNameMode"];
  if (modeText !== undefined && modeText !== "") {
    if (
      modeText !== "enforcing" && modeText !== "permissive" &&
      modeText !== "disabled"
    ) {
      throw new RegistriesConfError(`invalid short-name mode: "${modeText}"`);
    }
    shortNameMode = modeText;
  }
  const aliases: Record<string, string> = {};
  const aliasTable = table(doc, "aliases", "") ?? {};
  for (const [key, value] of Object.entries(aliasTable)) {
    if (typeof value !== "string") {
      incompatible(`aliases.${key}`, value, "string");
    }
    checkAlias(key, value);
    aliases[key] = value;
  }
  return {
    registries: processed,
    unqualifiedSearchRegistries: search,
    aliases,
    shortNameMode,
    credentialHelpers: strings(doc, "credential-helpers", ""),
  };
}

/** containers/image's `postProcessRegistries` and the wildcard check. */
function postProcess(
  raw: (Omit<RegistryEntry, "mirrors" | "pullFromMirror"> & {
    pullFromMirror: string | undefined;
    mirrors: {
      location: string;
      insecure: boolean;
      pullFromMirror?: string | undefined;
    }[];
  })[],
): RegistryEntry[] {
  const entries: RegistryEntry[] = raw.map((r) => {
    const location = parseLocation(r.location);
    let prefix: string;
    if (r.prefix === "") {
      if (location === "") {
        throw new RegistriesConfError(
          "invalid condition: both location and prefix are unset",
        );
      }
      prefix = location;
    } else {
      prefix = parseLocation(r.prefix);
      if (!prefix.startsWith("*.") && location === "") {
        throw new RegistriesConfError(
          "invalid condition: location is unset and prefix is not in the format: *.example.com",
        );
      }
    }
    if (r.pullFromMirror !== undefined && r.pullFromMirror !== "") {
      throw new RegistriesConfError(
        `pull-from-mirror must not be set for a non-mirror registry "${prefix}"`,
      );
    }
    const mirrors = r.mirrors.map((m) => {
      const mirrorLocation = parseLocation(m.location);
      if (mirrorLocation === "") {
        throw new RegistriesConfError(
          "invalid condition: mirror location is unset",
        );
      }
      if (r.mirrorByDigestOnly && m.pullFromMirror) {
        throw new RegistriesConfError(
          `cannot set mirror usage mirror-by-digest-only for the registry ("${prefix}") and pull-from-mirror for per-mirror ("${mirrorLocation}") at the same time`,
        );
      }
      return {
        location: mirrorLocation,
        insecure: m.insecure,
        pullFromMirror: pullFromMirror(m.pullFromMirror, mirrorLocation),
      };
    });
    return {
      location,
      prefix,
      insecure: r.insecure,
      blocked: r.blocked,
      mirrorByDigestOnly: r.mirrorByDigestOnly,
      mirrors,
    };
  });
  // One registry may appear several times (different prefixes), but its
  // insecure/blocked settings must agree.
  const key = (e: RegistryEntry): string => e.location || e.prefix;
  for (const e of entries) {
    for (const other of entries.filter((o) => key(o) === key(e))) {
      for (const field of ["insecure", "blocked"] as const) {
        if (e[field] !== other[field]) {
          throw new RegistriesConfError(
            `registry '${e.location}' is defined multiple times with conflicting '${field}' setting`,
          );
        }
      }
    }
  }
  // The first entry of a prefix wins; the result is sorted by prefix.
  const unique = new Map<string, RegistryEntry>();
  for (const e of entries) if (!unique.has(e.prefix)) unique.set(e.prefix, e);
  const sorted = [...unique.values()].sort((a, b) =>
    compareStrings(a.prefix, b.prefix)
  );
  for (const e of sorted) {
    if (e.prefix.startsWith("*.") && /[/@:]/.test(e.prefix)) {
      throw new RegistriesConfError(
        `Wildcarded prefix should be in the format: *.example.com. Current prefix "${e.prefix}" is incorrectly formatted`,
      );
    }
  }
  return sorted;
}

/** Go's byte-wise string order (`sort.Strings`). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function hasAny(t: Table | undefined, keys: readonly string[]): boolean {
  return t !== undefined && keys.some((k) => t[k] !== undefined);
}

/**
 * Parses one configuration file's text.
 *
 * @example A mirror for a registry
 * ```ts
 * import { parseRegistriesConf } from "./registries_conf.ts";
 * const conf = await parseRegistriesConf(
 *   '[[registry]]\nlocation = "r.example"\n[[registry.mirror]]\nlocation = "m.example"\n',
 * );
 * console.assert(conf.registries[0]!.mirrors[0]!.location === "m.example");
 * ```
 *
 * @param text The TOML text.
 * @param options `path` (named in errors and "blocked" messages) and
 * `forceV2` (drop-ins must not use the v1 tables).
 * @returns The validated configuration.
 * @throws {RegistriesConfError} With a one-line message; syntax errors give
 * the line and column.
 */
export async function parseRegistriesConf(
  text: string,
  options: { path?: string; forceV2?: boolean } = {},
): Promise<RegistriesConf> {
  let doc: Table | undefined = parseCommonToml(text);
  try {
    doc ??= await parseToml(text);
  } catch (error) {
    const { TomlError } = await import("npm:smol-toml@1.9.1");
    if (error instanceof TomlError) {
      const reason = error.message.split("\n")[0]!.replace(
        /^Invalid TOML document: /,
        "",
      );
      throw new RegistriesConfError(
        `toml: line ${error.line}, column ${error.column}: ${reason}`,
        { line: error.line, column: error.column, cause: error },
      );
    }
    throw error;
  }
  const v1 = table(doc, "registries", "");
  const isV1 = hasAny(v1, ["search", "insecure", "block"]);
  let parsed: Parsed;
  if (isV1) {
    if (options.forceV2) {
      throw new RegistriesConfError(
        "registry must be in v2 format but is in v1",
      );
    }
    if (
      hasAny(doc, [
        "registry",
        "unqualified-search-registries",
        "credential-helpers",
        "short-name-mode",
        "aliases",
      ])
    ) {
      throw new RegistriesConfError(
        "mixing sysregistry v1/v2 is not supported",
      );
    }
    parsed = convertV1(v1!);
  } else {
    parsed = readV2(doc);
  }
  return {
    ...parsed,
    configPath: options.path ?? "",
    configDirPath: "",
  };
}

async function parseToml(text: string): Promise<Table> {
  const { parse } = await import("npm:smol-toml@1.9.1");
  return parse(text) as Table;
}

const COMMENT_OR_BLANK = /^[ \t]*(?:#.*)?$/;
const ALIASES_HEADER = /^[ \t]*\[[ \t]*aliases[ \t]*\][ \t]*(?:#.*)?$/;
const ALIAS_LINE =
  /^[ \t]*(?:"([^"\\]*)"|([A-Za-z0-9_-]+))[ \t]*=[ \t]*"([^"\\]*)"[ \t]*(?:#.*)?$/;

/**
 * The shapes the packaged files have (comments only, as Debian's
 * registries.conf; one `[aliases]` table of `"name" = "repository"` lines,
 * as shortnames.conf), parsed without loading the TOML parser: these files
 * are read on every `docker://` access. Anything else (or anything that
 * could be an error, like a repeated key) returns undefined for the full
 * parser, so the results and errors are the TOML parser's.
 */
function parseCommonToml(text: string): Table | undefined {
  // Control characters (other than tab and LF) are errors or CRLF: full parser.
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x08\x0b-\x1f\x7f]/.test(text)) return undefined;
  // Null prototypes, as the TOML parser's: `__proto__` is an ordinary key.
  const doc: Table = Object.create(null);
  let aliases: Record<string, string> | undefined;
  for (const line of text.split("\n")) {
    if (COMMENT_OR_BLANK.test(line)) continue;
    if (ALIASES_HEADER.test(line)) {
      if (aliases !== undefined) return undefined;
      aliases = Object.create(null) as Record<string, string>;
      doc.aliases = aliases;
      continue;
    }
    const pair = aliases === undefined ? null : ALIAS_LINE.exec(line);
    if (pair === null) return undefined;
    const key = pair[1] ?? pair[2]!;
    if (Object.hasOwn(aliases!, key)) return undefined;
    aliases![key] = pair[3]!;
  }
  return doc;
}

/** Merges a drop-in into `base` as containers/image does. */
function merge(base: RegistriesConf, update: RegistriesConf): RegistriesConf {
  const byPrefix = new Map<string, RegistryEntry>();
  for (const r of base.registries) byPrefix.set(r.prefix, r);
  for (const r of update.registries) byPrefix.set(r.prefix, r);
  return {
    registries: [...byPrefix.keys()].sort(compareStrings).map((p) =>
      byPrefix.get(p)!
    ),
    unqualifiedSearchRegistries: update.unqualifiedSearchRegistries ??
      base.unqualifiedSearchRegistries,
    aliases: { ...base.aliases, ...update.aliases },
    shortNameMode: update.shortNameMode ?? base.shortNameMode,
    credentialHelpers: update.credentialHelpers?.length
      ? update.credentialHelpers
      : base.credentialHelpers,
    configPath: base.configPath,
    configDirPath: base.configDirPath,
  };
}

/** Options of {@linkcode loadRegistriesConf}. */
export interface LoadRegistriesConfOptions {
  /** An explicit file (`--registries-conf`); it must exist. */
  path?: string | undefined;
  /** Environment reader (`CONTAINERS_REGISTRIES_CONF`, `HOME`); default `Deno.env.get`. */
  getEnv?: ((name: string) => string | undefined) | undefined;
  /** System file; default `/etc/containers/registries.conf`. */
  systemPath?: string | undefined;
  /** System drop-in directory; default `/etc/containers/registries.conf.d`. */
  systemDirPath?: string | undefined;
}

function safeEnv(
  getEnv: ((name: string) => string | undefined) | undefined,
  name: string,
): string | undefined {
  try {
    return (getEnv ?? ((n: string) => Deno.env.get(n)))(name);
  } catch {
    return undefined; // No --allow-env: behave as if unset.
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound ||
    error instanceof Deno.errors.NotCapable;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** `*.conf` files of a directory, sorted; none when it does not exist. */
async function dropIns(dir: string): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isDirectory && entry.name.endsWith(".conf")) {
        found.push(join(dir, entry.name));
      }
    }
  } catch (error) {
    if (isMissing(error)) return [];
    throw new RegistriesConfError(
      `reading registries.conf.d: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return found.sort(compareStrings);
}

/** Reads a file; a missing optional one rethrows the Deno error as is. */
async function readConf(path: string, required: boolean): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (isMissing(error) && !required) throw error;
    throw new RegistriesConfError(goPathErrorText("open", path, error), {
      cause: error,
    });
  }
}

/**
 * Reads the configuration skopeo would use: the explicit file (or
 * `$CONTAINERS_REGISTRIES_CONF`), else `$HOME/.config/containers/registries.conf`
 * when it exists (then only the user's drop-ins apply), else the system
 * file; then the `*.conf` drop-ins of the system and user directories in
 * name order, later ones overriding entries with the same prefix.
 *
 * @param options Explicit path and environment.
 * @returns The merged configuration (empty when no default file exists).
 * @throws {RegistriesConfError} `loading registries configuration "PATH": …`
 * for a missing explicit file or any invalid file.
 */
export async function loadRegistriesConf(
  options: LoadRegistriesConfOptions = {},
): Promise<RegistriesConf> {
  const home = safeEnv(options.getEnv, "HOME") ?? "";
  const userFile = join(home, USER_FILE);
  const userDir = join(home, USER_DIR);
  const explicit = options.path ||
    safeEnv(options.getEnv, REGISTRIES_CONF_ENV) || undefined;
  let configPath: string;
  let dirs: string[];
  if (explicit !== undefined) {
    configPath = explicit;
    dirs = [options.systemDirPath ?? SYSTEM_REGISTRIES_CONF_DIR, userDir];
  } else if (await exists(userFile)) {
    configPath = userFile;
    dirs = [userDir];
  } else {
    configPath = options.systemPath ?? SYSTEM_REGISTRIES_CONF;
    dirs = [options.systemDirPath ?? SYSTEM_REGISTRIES_CONF_DIR, userDir];
  }
  const where = { configPath, configDirPath: dirs[dirs.length - 1]! };
  let conf: RegistriesConf;
  try {
    conf = {
      ...await parseRegistriesConf(
        await readConf(configPath, explicit !== undefined),
        { path: configPath },
      ),
      ...where,
    };
  } catch (error) {
    if (explicit === undefined && isMissing(error)) {
      conf = { ...EMPTY_REGISTRIES_CONF, ...where };
    } else {
      throw new RegistriesConfError(
        `loading registries configuration "${configPath}": ${
          (error as Error).message
        }`,
        { cause: error, ...positionOf(error) },
      );
    }
  }
  for (const dir of dirs) {
    for (const path of await dropIns(dir)) {
      try {
        conf = merge(
          conf,
          await parseRegistriesConf(await readConf(path, true), {
            path,
            forceV2: true,
          }),
        );
      } catch (error) {
        throw new RegistriesConfError(
          `loading drop-in registries configuration "${path}": ${
            (error as Error).message
          }`,
          { cause: error, ...positionOf(error) },
        );
      }
    }
  }
  return conf;
}

function positionOf(error: unknown): { line?: number; column?: number } {
  if (!(error instanceof RegistriesConfError) || error.line === undefined) {
    return {};
  }
  return { line: error.line, column: error.column ?? 0 };
}

/**
 * The length of `ref` matched by `prefix`, or -1: a plain prefix matches
 * itself followed by `:`, `/`, `@` or the end; `*.example.com` matches
 * any subdomain in the host part.
 */
function prefixMatch(ref: string, prefix: string): number {
  if (prefix.startsWith("*.")) {
    const domain = prefix.slice(1);
    const index = ref.indexOf(domain);
    if (index === -1 || ref.slice(0, index).includes("/")) return -1;
    const end = index + domain.length;
    return end === ref.length || ":/@".includes(ref[end]!) ? end : -1;
  }
  if (!ref.startsWith(prefix)) return -1;
  if (ref.length === prefix.length) return prefix.length;
  return ":/@".includes(ref[prefix.length]!) ? prefix.length : -1;
}

/**
 * The entry that applies to a repository: the one with the longest
 * matching prefix.
 *
 * @param conf The configuration.
 * @param name `host[:port]/path` (a tag or digest may follow).
 * @returns The entry, or undefined when none matches.
 */
export function findRegistry(
  conf: RegistriesConf,
  name: string,
): RegistryEntry | undefined {
  let best: RegistryEntry | undefined;
  for (const r of conf.registries) {
    if (
      prefixMatch(name, r.prefix) !== -1 &&
      r.prefix.length > (best?.prefix.length ?? 0)
    ) {
      best = r;
    }
  }
  return best;
}

/** One place to try a pull from. */
export interface PullSource {
  /** The mirror or the primary location. */
  readonly endpoint: RegistryEndpoint;
  /** The reference rewritten for that endpoint. */
  readonly name: DockerName;
  /** Whether this is a mirror (false for the primary location). */
  readonly mirror: boolean;
}

/**
 * Where to pull a reference from, in order: the usable mirrors, then the
 * primary location, each with the reference's prefix replaced by the
 * endpoint's location. Without an entry, the reference itself.
 *
 * @param entry The entry from {@linkcode findRegistry}, if any.
 * @param name The reference (with a tag or a digest).
 * @returns At least one source; the last is the primary.
 * @throws {RegistriesConfError} When a rewritten reference is invalid.
 */
export function pullSources(
  entry: RegistryEntry | undefined,
  name: DockerName,
): PullSource[] {
  if (entry === undefined) {
    return [{
      endpoint: { location: "", insecure: false },
      name,
      mirror: false,
    }];
  }
  const digested = name.digest !== undefined;
  const mirrors = entry.mirrors.filter((m) =>
    entry.mirrorByDigestOnly
      ? digested
      : !(m.pullFromMirror === "digest-only" && !digested) &&
        !(m.pullFromMirror === "tag-only" && digested)
  );
  const refText = formatReference(name);
  const rewrite = (endpoint: RegistryEndpoint): DockerName => {
    const matched = prefixMatch(refText, entry.prefix);
    if (matched === -1) {
      throw new RegistriesConfError(
        `invalid prefix '${entry.prefix}' for reference '${refText}'`,
      );
    }
    if (endpoint.location === "") return name;
    const text = endpoint.location + refText.slice(matched);
    let rewritten: DockerName;
    try {
      rewritten = parseNormalizedNamed(text);
    } catch (error) {
      throw new RegistriesConfError(
        `rewriting reference: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (formatReference(rewritten) !== text) {
      throw new RegistriesConfError(
        "rewriting reference: repository name must be canonical",
      );
    }
    return rewritten;
  };
  return [
    ...mirrors.map((m) => ({ endpoint: m, name: rewrite(m), mirror: true })),
    { endpoint: entry, name: rewrite(entry), mirror: false },
  ];
}

/**
 * Fully-qualified candidates for a short name (for transports that resolve
 * short names; `docker://` does not): the alias, else the name on each
 * unqualified-search registry.
 *
 * @param conf The configuration.
 * @param shortName A repository name without registry (`busybox`).
 * @returns Candidate repository names, in order.
 */
export function shortNameCandidates(
  conf: RegistriesConf,
  shortName: string,
): string[] {
  const alias = conf.aliases[shortName];
  if (alias !== undefined) return [alias];
  return (conf.unqualifiedSearchRegistries ?? []).map((r) =>
    `${r}/${shortName}`
  );
}

const CACHE = new Map<string, Promise<RegistriesConf>>();

/**
 * The configuration for docker settings: `registriesConf` when given, else
 * the files (`registriesConfPath`, then the defaults), read once per
 * process for each path and environment.
 *
 * @param settings `registriesConf`, `registriesConfPath`, `getEnv`.
 * @returns The configuration.
 * @throws {RegistriesConfError} When a file is invalid.
 */
export function registriesConfFor(settings: {
  registriesConf?: RegistriesConf | undefined;
  registriesConfPath?: string | undefined;
  getEnv?: ((name: string) => string | undefined) | undefined;
}): Promise<RegistriesConf> {
  if (settings.registriesConf !== undefined) {
    return Promise.resolve(settings.registriesConf);
  }
  const key = JSON.stringify([
    settings.registriesConfPath ?? "",
    safeEnv(settings.getEnv, REGISTRIES_CONF_ENV) ?? "",
    safeEnv(settings.getEnv, "HOME") ?? "",
  ]);
  let found = CACHE.get(key);
  if (found === undefined) {
    found = loadRegistriesConf({
      path: settings.registriesConfPath,
      getEnv: settings.getEnv,
    });
    found.catch(() => CACHE.delete(key));
    CACHE.set(key, found);
  }
  return found;
}
