/**
 * registries.d (containers-registries.d(5)): where signatures of registry
 * images live. Every `*.yaml` file of the directory is merged; a
 * `default-docker` section and `docker:` sections per scope (a registry, a
 * namespace, a repository or one image) give `lookaside` (read and write),
 * `lookaside-staging` (write, preferred), their legacy names `sigstore` and
 * `sigstore-staging`, and `use-sigstore-attachments`. Without any location,
 * simple signatures go to the built-in default directory, as
 * containers/image does (`/var/lib/containers/sigstore` for root,
 * `$HOME/.local/share/containers/sigstore` otherwise).
 *
 * @module
 */
import { InvalidContentError } from "../../core/errors.ts";
import type { DockerName } from "../../core/docker_name.ts";

/** The system directory. */
export const SYSTEM_REGISTRIES_D = "/etc/containers/registries.d";
/** The per-user directory, under `$HOME`. */
export const USER_REGISTRIES_D = ".config/containers/registries.d";

/** One scope's signature storage settings. */
export interface RegistryNamespace {
  /** `lookaside` (or legacy `sigstore`): read and write. */
  lookaside?: string | undefined;
  /** `lookaside-staging` (or legacy `sigstore-staging`): write only. */
  lookasideStaging?: string | undefined;
  /** `sigstore`: the legacy name of `lookaside`. */
  sigstore?: string | undefined;
  /** `sigstore-staging`: the legacy name of `lookaside-staging`. */
  sigstoreStaging?: string | undefined;
  /** `use-sigstore-attachments`. */
  useSigstoreAttachments?: boolean | undefined;
}

/** The merged configuration of a registries.d directory. */
export interface RegistriesD {
  /** `default-docker`. */
  defaultDocker?: RegistryNamespace | undefined;
  /** `docker`: scope → settings. */
  docker: Record<string, RegistryNamespace>;
}

/** Options of {@linkcode registriesDirPath}. */
export interface RegistriesDirOptions {
  /** `--registries.d`: used as is. */
  registriesDirPath?: string | undefined;
  /** Environment reader for `HOME`; default `Deno.env.get`. */
  getEnv?: ((name: string) => string | undefined) | undefined;
}

function env(
  getEnv: RegistriesDirOptions["getEnv"],
  name: string,
): string | undefined {
  try {
    return (getEnv ?? ((n: string) => Deno.env.get(n)))(name);
  } catch {
    return undefined; // no --allow-env
  }
}

/**
 * The directory to read: `--registries.d`, else `$HOME/.config/containers/
 * registries.d` when it exists, else the system one.
 *
 * @returns The path.
 */
export function registriesDirPath(options: RegistriesDirOptions = {}): string {
  if (options.registriesDirPath) return options.registriesDirPath;
  const home = env(options.getEnv, "HOME");
  if (home) {
    const user = `${home}/${USER_REGISTRIES_D}`;
    try {
      Deno.statSync(user);
      return user;
    } catch {
      // no per-user directory
    }
  }
  return SYSTEM_REGISTRIES_D;
}

function namespace(
  value: unknown,
  where: string,
): RegistryNamespace {
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidContentError(`${where}: expected a mapping`);
  }
  const raw = value as Record<string, unknown>;
  const text = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") {
      throw new InvalidContentError(`${where}: "${key}" is not a string`);
    }
    return v;
  };
  const attachments = raw["use-sigstore-attachments"];
  if (attachments !== undefined && typeof attachments !== "boolean") {
    throw new InvalidContentError(
      `${where}: "use-sigstore-attachments" is not a boolean`,
    );
  }
  return {
    lookaside: text("lookaside"),
    lookasideStaging: text("lookaside-staging"),
    sigstore: text("sigstore"),
    sigstoreStaging: text("sigstore-staging"),
    useSigstoreAttachments: attachments,
  };
}

/**
 * Merges the parsed files (name → YAML value), refusing a scope or
 * `default-docker` defined twice, with containers/image's messages.
 *
 * @throws {InvalidContentError} On a conflict or a malformed section.
 */
export function mergeRegistriesD(
  files: ReadonlyArray<[path: string, value: unknown]>,
): RegistriesD {
  const merged: RegistriesD = { docker: {} };
  let defaultFrom = "";
  const scopeFrom = new Map<string, string>();
  for (const [path, value] of files) {
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new InvalidContentError(`parsing ${path}: expected a mapping`);
    }
    const config = value as Record<string, unknown>;
    if (config["default-docker"] !== undefined) {
      if (merged.defaultDocker) {
        throw new InvalidContentError(
          `Error parsing signature storage configuration: "default-docker" defined both in "${defaultFrom}" and "${path}"`,
        );
      }
      merged.defaultDocker = namespace(config["default-docker"], path);
      defaultFrom = path;
    }
    const docker = config.docker ?? {};
    if (typeof docker !== "object" || docker === null) {
      throw new InvalidContentError(
        `parsing ${path}: "docker" is not a mapping`,
      );
    }
    for (const [scope, ns] of Object.entries(docker)) {
      const previous = scopeFrom.get(scope);
      if (previous !== undefined) {
        throw new InvalidContentError(
          `Error parsing signature storage configuration: "docker" namespace "${scope}" defined both in "${previous}" and "${path}"`,
        );
      }
      merged.docker[scope] = namespace(ns, path);
      scopeFrom.set(scope, path);
    }
  }
  return merged;
}

const LOADED = new Map<string, Promise<RegistriesD>>();

async function load(dir: string): Promise<RegistriesD> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.endsWith(".yaml")) names.push(entry.name);
    }
  } catch (error) {
    // A sandbox that may not read it (library use) has no configuration.
    if (
      error instanceof Deno.errors.NotFound ||
      error instanceof Deno.errors.NotCapable
    ) return { docker: {} };
    throw error;
  }
  if (names.length === 0) return { docker: {} };
  names.sort();
  // Loaded only when a file exists: most hosts have none.
  const yaml = await import("npm:yaml@2.9.1");
  const files: [string, unknown][] = [];
  for (const name of names) {
    const path = `${dir}/${name}`;
    const text = await Deno.readTextFile(path);
    try {
      files.push([path, yaml.parse(text)]);
    } catch (error) {
      throw new InvalidContentError(
        `parsing ${path}: ${(error as Error).message.split("\n")[0]}`,
      );
    }
  }
  return mergeRegistriesD(files);
}

/**
 * Loads a registries.d directory (once per process and path; a missing
 * directory is an empty configuration).
 *
 * @throws {InvalidContentError} When a file is malformed or scopes clash.
 */
export function loadRegistriesD(dir: string): Promise<RegistriesD> {
  let loaded = LOADED.get(dir);
  if (!loaded) {
    loaded = load(dir);
    LOADED.set(dir, loaded);
    loaded.catch(() => LOADED.delete(dir));
  }
  return loaded;
}

/**
 * The scopes a reference matches, most specific first: the image itself
 * (`host/repo:tag` or `host/repo@digest`), the repository, its parent
 * namespaces, and the registry host.
 */
export function registryScopes(name: DockerName): string[] {
  const repo = `${name.domain}/${name.path}`;
  const scopes: string[] = [];
  if (name.digest !== undefined) scopes.push(`${repo}@${name.digest}`);
  else if (name.tag !== undefined) scopes.push(`${repo}:${name.tag}`);
  let rest = repo;
  for (;;) {
    scopes.push(rest);
    const slash = rest.lastIndexOf("/");
    if (slash < 0) break;
    rest = rest.slice(0, slash);
  }
  return scopes;
}

function topLevel(ns: RegistryNamespace, write: boolean): string | undefined {
  if (write) {
    if (ns.lookasideStaging) return ns.lookasideStaging;
    if (ns.sigstoreStaging) return ns.sigstoreStaging;
  }
  return ns.lookaside || ns.sigstore || undefined;
}

/** Options of {@linkcode lookasideBaseUrl}. */
export interface LookasideOptions {
  /** Whether the location is for writing (staging locations win). */
  write: boolean;
  /** The user id; default `Deno.uid()` (root gets the system directory). */
  uid?: number | null | undefined;
  /** Environment reader for `HOME`; default `Deno.env.get`. */
  getEnv?: ((name: string) => string | undefined) | undefined;
}

function currentUid(): number | null {
  try {
    return Deno.uid();
  } catch {
    return null; // no --allow-sys: treated as a non-root user
  }
}

/**
 * The lookaside base URL for a repository: the configured location (or the
 * built-in default directory) followed by `/<repository path>`.
 *
 * @throws {InvalidContentError} When the configured URL does not parse.
 */
export function lookasideBaseUrl(
  config: RegistriesD,
  name: DockerName,
  options: LookasideOptions,
): URL {
  let location: string | undefined;
  for (const scope of registryScopes(name)) {
    const ns = config.docker[scope];
    if (ns) location = topLevel(ns, options.write);
    if (location) break;
  }
  if (!location && config.defaultDocker) {
    location = topLevel(config.defaultDocker, options.write);
  }
  let base: URL;
  if (location) {
    try {
      base = new URL(location);
    } catch (error) {
      throw new InvalidContentError(
        `Invalid signature storage URL ${location}: ${
          (error as Error).message
        }`,
      );
    }
  } else {
    const uid = options.uid === undefined ? currentUid() : options.uid;
    const dir = uid === 0
      ? "/var/lib/containers/sigstore"
      : `${env(options.getEnv, "HOME") ?? ""}/.local/share/containers/sigstore`;
    base = new URL(`file://${encodeURI(dir)}`);
  }
  base.pathname = `${base.pathname.replace(/\/$/, "")}/${name.path}`;
  return base;
}

/**
 * Whether sigstore signatures are read from and written to registry
 * attachments for this reference (`use-sigstore-attachments`, most specific
 * scope first; default false).
 */
export function usesSigstoreAttachments(
  config: RegistriesD,
  name: DockerName,
): boolean {
  for (const scope of registryScopes(name)) {
    const value = config.docker[scope]?.useSigstoreAttachments;
    if (value !== undefined) return value;
  }
  return config.defaultDocker?.useSigstoreAttachments ?? false;
}
