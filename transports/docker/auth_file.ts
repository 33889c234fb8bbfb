/**
 * Registry credentials in auth files, as containers/image's
 * `pkg/docker/config` (skopeo 1.9.3) finds and writes them.
 *
 * Files, searched in this order (each may be missing):
 * 1. `--authfile` or `$REGISTRY_AUTH_FILE`; otherwise
 *    `$XDG_RUNTIME_DIR/containers/auth.json` (`/run/containers/$UID/auth.json`
 *    without it). This is also the file `login`/`logout` edit.
 * 2. `$XDG_CONFIG_HOME/containers/auth.json` (`~/.config/containers/auth.json`).
 * 3. `$DOCKER_CONFIG/config.json`, or `~/.docker/config.json`.
 * 4. `~/.dockercfg` (legacy format: the `auths` map alone, URL keys).
 *
 * skopeo 1.9.3 reads the later files even when `--authfile` is given
 * (measured), and so does this module.
 *
 * Within a file: a `credHelpers` entry for the host wins; then `auths` keys
 * from the most specific (`host/ns/repo`) to the host; then keys written as
 * URLs (`https://index.docker.io/v1/`, `http://host/…`); then `credsStore`
 * (a Docker extension containers/image ignores; it is used here only when
 * nothing else matched in that file).
 *
 * @module
 */
import type { Logger } from "../../core/transport.ts";
import type { HelperOptions } from "./cred_helper.ts";

/** Credential helpers run only where configured: loaded on first use. */
function loadCredHelper(): Promise<typeof import("./cred_helper.ts")> {
  return import("./cred_helper.ts");
}

/** Credentials found for a registry. */
export interface StoredCredentials {
  /** User name (empty with an identity token alone). */
  username: string;
  /** Password. */
  password: string;
  /** OAuth2 refresh token (`identitytoken`), when stored. */
  identityToken?: string | undefined;
}

/** One auth file to search. */
export interface AuthFilePath {
  /** Its path. */
  path: string;
  /** Whether it is a legacy `.dockercfg` (no `auths` wrapper). */
  legacyFormat: boolean;
}

/** Where to look; every field defaults to the process environment. */
export interface AuthFileOptions {
  /** `--authfile`; default `$REGISTRY_AUTH_FILE`. */
  authFile?: string | undefined;
  /**
   * Reads environment variables; default `Deno.env.get`. When given, its
   * `PATH` is also where credential helpers are looked up.
   */
  getEnv?: ((name: string) => string | undefined) | undefined;
  /** The home directory; default `$HOME`. */
  homeDir?: string | undefined;
  /** Receives debug messages (never secrets) and warnings. */
  logger?: Logger | undefined;
}

/** An auth file that cannot be read or a key that cannot be used. */
export class AuthFileError extends Error {
  /**
   * @param message What is wrong, naming the file or key.
   * @param options Standard error options.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AuthFileError";
  }
}

interface AuthEntry {
  auth?: unknown;
  identitytoken?: unknown;
  [field: string]: unknown;
}

interface AuthFileContents {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  [field: string]: unknown;
}

function env(options: AuthFileOptions, name: string): string | undefined {
  const value = (options.getEnv ?? ((n: string) => Deno.env.get(n)))(name);
  return value === "" ? undefined : value;
}

function homeDir(options: AuthFileOptions): string {
  return options.homeDir ?? env(options, "HOME") ?? "/";
}

/**
 * The file `login` writes and `logout` edits: `--authfile`,
 * `$REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json` or
 * `/run/containers/$UID/auth.json`.
 *
 * @param options Environment overrides.
 * @returns The path.
 */
export function primaryAuthFilePath(options: AuthFileOptions = {}): string {
  const explicit = options.authFile ?? env(options, "REGISTRY_AUTH_FILE");
  if (explicit !== undefined && explicit !== "") return explicit;
  const runtimeDir = env(options, "XDG_RUNTIME_DIR");
  if (runtimeDir !== undefined) return `${runtimeDir}/containers/auth.json`;
  return `/run/containers/${Deno.uid() ?? 0}/auth.json`;
}

/**
 * Every auth file searched for credentials, in order.
 *
 * @param options Environment overrides.
 * @returns The paths (some may not exist).
 */
export function authFilePaths(options: AuthFileOptions = {}): AuthFilePath[] {
  const home = homeDir(options);
  const paths: AuthFilePath[] = [];
  const primary = primaryAuthFilePath(options);
  const runtimeDir = env(options, "XDG_RUNTIME_DIR");
  const explicit = options.authFile ?? env(options, "REGISTRY_AUTH_FILE");
  if (
    (explicit === undefined || explicit === "") && runtimeDir !== undefined &&
    !exists(runtimeDir)
  ) {
    // As containers/image: a typo in XDG_RUNTIME_DIR is reported, not fatal.
    options.logger?.warn(
      `"${runtimeDir}" directory set by $XDG_RUNTIME_DIR does not exist. Either create the directory or unset $XDG_RUNTIME_DIR.: Trying to pull image in the event that it is a public image.`,
    );
  } else {
    paths.push({ path: primary, legacyFormat: false });
  }
  const configHome = env(options, "XDG_CONFIG_HOME") ?? `${home}/.config`;
  paths.push({
    path: `${configHome}/containers/auth.json`,
    legacyFormat: false,
  });
  const dockerConfig = env(options, "DOCKER_CONFIG");
  paths.push({
    path: dockerConfig !== undefined
      ? `${dockerConfig}/config.json`
      : `${home}/.docker/config.json`,
    legacyFormat: false,
  });
  paths.push({ path: `${home}/.dockercfg`, legacyFormat: true });
  return paths;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a credential key (`host`, `host/namespace`, `host/ns/repo`) and
 * tells whether it is namespaced.
 *
 * @param key The key.
 * @returns Whether the key names more than a registry host.
 * @throws {AuthFileError} For URLs, digests or tags in the key.
 */
export function validateAuthKey(key: string): boolean {
  if (key.startsWith("http://") || key.startsWith("https://")) {
    throw new AuthFileError(`key ${key} contains http[s]:// prefix`);
  }
  if (key.includes("@")) {
    throw new AuthFileError(`key ${key} contains a '@' character`);
  }
  const slash = key.indexOf("/");
  if (slash !== -1 && key.slice(slash + 1).includes(":")) {
    throw new AuthFileError(
      `key ${key} contains a ':' character after host[:port]`,
    );
  }
  return slash !== -1;
}

/**
 * Finds stored credentials for a repository (`host/path`) or a registry
 * (`host`), searching {@linkcode authFilePaths} in order.
 *
 * @param key `docker.io/library/busybox`, `quay.io/ns`, `127.0.0.1:5000`…
 * @param options Environment overrides.
 * @returns The credentials, or undefined when none are stored.
 * @throws {AuthFileError} When a file is malformed.
 * @throws {CredentialHelperError} When a configured helper fails.
 */
export async function lookupCredentials(
  key: string,
  options: AuthFileOptions = {},
): Promise<StoredCredentials | undefined> {
  validateAuthKey(key);
  const slash = key.indexOf("/");
  const registry = slash === -1 ? key : key.slice(0, slash);
  for (const path of authFilePaths(options)) {
    const found = await findInFile(key, registry, path, options);
    if (found !== undefined) {
      options.logger?.debug(
        `Found credentials for ${key} in file ${path.path}`,
      );
      return found;
    }
  }
  options.logger?.debug(`No credentials for ${key} found`);
  return undefined;
}

/**
 * Parsed auth files of this process, each with the identity (inode, size,
 * times) of the file it was read from. A sync opens two clients per image:
 * each lookup now costs one `stat` per file instead of a read and a parse.
 * Only successful reads are kept; `editAuthFile` drops its file's entry.
 */
const FILE_CACHE = new Map<
  string,
  {
    identity: string;
    contents: AuthFileContents | undefined;
    /** Whether the file was older than the timestamp granularity when read. */
    settled: boolean;
  }
>();

/**
 * File times advance in clock ticks (milliseconds or coarser): a file
 * rewritten within a tick of the read, with the same size, would keep its
 * identity. Such a recently modified file is read again until it settles.
 */
const TIMESTAMP_SLACK_MS = 1_000;

let authFileGeneration = 0;

/**
 * A number that changes whenever this process edits an auth file or a
 * credential helper (`login`, `logout`): results of
 * {@linkcode lookupCredentials} memoized under an older number are stale.
 *
 * @returns The current generation.
 */
export function authFilesGeneration(): number {
  return authFileGeneration;
}

/**
 * The identity of a file's content (`missing` for no file) and whether it
 * is settled (last changed well before now); undefined when unknown.
 */
function fileIdentity(
  path: string,
): { identity: string; settled: boolean } | undefined {
  try {
    const info = Deno.statSync(path);
    const changed = Math.max(
      info.mtime?.getTime() ?? Infinity,
      info.ctime?.getTime() ?? Infinity,
    );
    return {
      identity:
        `${info.ino}:${info.size}:${info.mtime?.getTime()}:${info.ctime?.getTime()}`,
      settled: changed < Date.now() - TIMESTAMP_SLACK_MS,
    };
  } catch (error) {
    return error instanceof Deno.errors.NotFound
      ? { identity: "missing", settled: true }
      : undefined;
  }
}

/** {@linkcode readAuthFile} through the cache; callers must not modify the result. */
async function readAuthFileCached(
  path: AuthFilePath,
): Promise<AuthFileContents | undefined> {
  const key = `${path.legacyFormat ? "legacy" : "json"}:${path.path}`;
  // Stat first, read after: the cached content is never older than its identity.
  const found = fileIdentity(path.path);
  const cached = FILE_CACHE.get(key);
  if (cached?.settled && cached.identity === found?.identity) {
    return cached.contents;
  }
  const contents = found?.identity === "missing"
    ? undefined
    : await readAuthFile(path);
  if (found !== undefined) FILE_CACHE.set(key, { ...found, contents });
  else FILE_CACHE.delete(key);
  return contents;
}

async function readAuthFile(
  path: AuthFilePath,
): Promise<AuthFileContents | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path.path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new AuthFileError(`reading JSON file "${path.path}": ${error}`, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AuthFileError(
      `reading JSON file "${path.path}": unmarshaling JSON at "${path.path}": ${
        (error as Error).message
      }`,
      { cause: error },
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AuthFileError(
      `reading JSON file "${path.path}": not a JSON object`,
    );
  }
  if (path.legacyFormat) {
    return { auths: parsed as Record<string, AuthEntry> };
  }
  return parsed as AuthFileContents;
}

async function findInFile(
  key: string,
  registry: string,
  path: AuthFilePath,
  options: AuthFileOptions,
): Promise<StoredCredentials | undefined> {
  const contents = await readAuthFileCached(path);
  if (contents === undefined) return undefined;
  const helper = contents.credHelpers?.[registry];
  if (typeof helper === "string") {
    options.logger?.debug(
      `Looking up in credential helper ${helper} based on credHelpers entry in ${path.path}`,
    );
    return fromHelper(helper, registry, options);
  }
  const auths = contents.auths ?? {};
  const keys = path.legacyFormat ? [registry] : authKeysForKey(key);
  for (const candidate of keys) {
    const entry = auths[candidate];
    if (entry !== undefined) {
      return decodeEntry(path.path, candidate, entry, options);
    }
  }
  const normalized = normalizeRegistry(registry);
  for (const [candidate, entry] of Object.entries(auths)) {
    if (normalizeAuthFileKey(candidate, path.legacyFormat) === normalized) {
      return decodeEntry(path.path, candidate, entry, options);
    }
  }
  if (typeof contents.credsStore === "string" && contents.credsStore !== "") {
    return fromHelper(contents.credsStore, registry, options);
  }
  return undefined;
}

function helperOptions(options: AuthFileOptions): HelperOptions {
  return options.getEnv === undefined
    ? {}
    : { searchPath: env(options, "PATH") ?? "" };
}

async function fromHelper(
  helper: string,
  registry: string,
  options: AuthFileOptions,
): Promise<StoredCredentials | undefined> {
  const { getFromHelper } = await loadCredHelper();
  const found = await getFromHelper(helper, registry, helperOptions(options));
  if (found === undefined) return undefined;
  if (found.username === "<token>") {
    return { username: "", password: "", identityToken: found.secret };
  }
  if (found.username === "" && found.secret === "") return undefined;
  return { username: found.username, password: found.secret };
}

/** `quay.io/a/b` → `quay.io/a/b`, `quay.io/a`, `quay.io`. */
function authKeysForKey(key: string): string[] {
  const keys = [key];
  let rest = key;
  for (let slash = rest.lastIndexOf("/"); slash !== -1;) {
    rest = rest.slice(0, slash);
    keys.push(rest);
    slash = rest.lastIndexOf("/");
  }
  return keys;
}

function normalizeRegistry(registry: string): string {
  return registry === "registry-1.docker.io" || registry === "docker.io"
    ? "index.docker.io"
    : registry;
}

function normalizeAuthFileKey(key: string, legacyFormat: boolean): string {
  let stripped = key.replace(/^http:\/\//, "");
  stripped = stripped.replace(/^https:\/\//, "");
  if (legacyFormat || stripped !== key) {
    const slash = stripped.indexOf("/");
    if (slash !== -1) stripped = stripped.slice(0, slash);
  }
  return normalizeRegistry(stripped);
}

function decodeEntry(
  path: string,
  key: string,
  entry: AuthEntry,
  options: AuthFileOptions,
): StoredCredentials | undefined {
  // `null` entries decode as empty ones, as Go's JSON decoder does.
  const auth = typeof entry?.auth === "string" ? entry.auth : "";
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(
      Uint8Array.from(atob(auth), (c) => c.charCodeAt(0)),
    );
  } catch (error) {
    throw new AuthFileError(
      `illegal base64 data in the "auth" field of "${key}" in "${path}"`,
      { cause: error },
    );
  }
  const colon = decoded.indexOf(":");
  if (colon === -1) {
    // Docker writes `{}` entries when a helper holds the secret: skip them.
    if (decoded.length > 0) {
      options.logger?.warn(
        `Error parsing the "auth" field of a credential entry "${key}" in "${path}", missing semicolon`,
      );
    }
    return undefined;
  }
  const credentials: StoredCredentials = {
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1).replace(/^\0+|\0+$/g, ""),
  };
  if (typeof entry?.identitytoken === "string" && entry.identitytoken !== "") {
    credentials.identityToken = entry.identitytoken;
  }
  return credentials;
}

/**
 * Stores credentials for `key` (a registry or namespace) in the primary auth
 * file, or in the credential helper its `credHelpers` names for that key.
 * The file is written with mode 0600 through a temporary file and a rename,
 * keeping every field this module does not know.
 *
 * @param key The registry (`quay.io`) or namespace (`quay.io/team`).
 * @param credentials User name and password.
 * @param options Environment overrides.
 * @returns A description of where the credentials went (the file path, or `credential helper: NAME`).
 * @throws {AuthFileError} When the file is malformed or cannot be written.
 */
export async function storeCredentials(
  key: string,
  credentials: { username: string; password: string },
  options: AuthFileOptions = {},
): Promise<string> {
  const namespaced = validateAuthKey(key);
  const path = primaryAuthFilePath(options);
  let description = path;
  await editAuthFile(path, async (contents) => {
    const helper = contents.credHelpers?.[key];
    if (typeof helper === "string") {
      if (namespaced) {
        throw new AuthFileError(
          `namespaced key is not supported for credential helper ${helper}`,
        );
      }
      const { storeInHelper } = await loadCredHelper();
      await storeInHelper(helper, key, {
        username: credentials.username,
        secret: credentials.password,
      }, helperOptions(options));
      description = `credential helper: ${helper}`;
      return false;
    }
    const auth = btoa(
      String.fromCharCode(
        ...new TextEncoder().encode(
          `${credentials.username}:${credentials.password}`,
        ),
      ),
    );
    contents.auths = { ...(contents.auths ?? {}), [key]: { auth } };
    return true;
  });
  return description;
}

/**
 * Removes the credentials stored for exactly `key` from the primary auth
 * file (and from its credential helper for that key, if any).
 *
 * @param key The registry or namespace.
 * @param options Environment overrides.
 * @returns False when nothing was stored for `key` ("not logged in").
 * @throws {AuthFileError} When the file is malformed or cannot be written.
 */
export async function removeCredentials(
  key: string,
  options: AuthFileOptions = {},
): Promise<boolean> {
  const namespaced = validateAuthKey(key);
  let loggedIn = false;
  await editAuthFile(primaryAuthFilePath(options), async (contents) => {
    const helper = contents.credHelpers?.[key];
    if (typeof helper === "string" && !namespaced) {
      const { eraseFromHelper } = await loadCredHelper();
      if (await eraseFromHelper(helper, key, helperOptions(options))) {
        loggedIn = true;
      }
    }
    if (contents.auths !== undefined && key in contents.auths) {
      delete contents.auths[key];
      loggedIn = true;
      return true;
    }
    return false;
  });
  return loggedIn;
}

/**
 * Removes every credential from the primary auth file and from the helpers
 * its `credHelpers` name (`logout --all`).
 *
 * @param options Environment overrides.
 * @throws {AuthFileError} When the file is malformed or cannot be written.
 */
export async function removeAllCredentials(
  options: AuthFileOptions = {},
): Promise<void> {
  await editAuthFile(primaryAuthFilePath(options), async (contents) => {
    for (
      const [registry, helper] of Object.entries(contents.credHelpers ?? {})
    ) {
      const { eraseFromHelper } = await loadCredHelper();
      await eraseFromHelper(helper, registry, helperOptions(options));
    }
    delete contents.credHelpers;
    contents.auths = {};
    return true;
  });
}

async function editAuthFile(
  path: string,
  editor: (contents: AuthFileContents) => Promise<boolean>,
): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = slash > 0 ? path.slice(0, slash) : ".";
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  // Read afresh (the editor modifies it) and forget every cached copy of
  // the file, written or not: its helper entries may have changed.
  FILE_CACHE.delete(`json:${path}`);
  FILE_CACHE.delete(`legacy:${path}`);
  authFileGeneration++;
  const contents = await readAuthFile({ path, legacyFormat: false }) ?? {
    auths: {},
  };
  try {
    if (!(await editor(contents))) return;
    await writeAuthFile(path, dir, slash, contents);
  } finally {
    FILE_CACHE.delete(`json:${path}`);
    FILE_CACHE.delete(`legacy:${path}`);
    authFileGeneration++;
  }
}

async function writeAuthFile(
  path: string,
  dir: string,
  slash: number,
  contents: AuthFileContents,
): Promise<void> {
  // Go's json.MarshalIndent(…, "", "\t"), which containers/image writes;
  // Go marshals maps with sorted keys.
  const sorted = (map: unknown) =>
    map && typeof map === "object"
      ? Object.fromEntries(
        Object.entries(map).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
      )
      : map;
  const text = JSON.stringify(
    {
      ...contents,
      auths: sorted(contents.auths),
      ...(contents.credHelpers
        ? { credHelpers: sorted(contents.credHelpers) }
        : {}),
    },
    null,
    "\t",
  );
  const temp = `${dir}/.${path.slice(slash + 1)}.tmp-${crypto.randomUUID()}`;
  try {
    await Deno.writeTextFile(temp, text, { mode: 0o600 });
    await Deno.chmod(temp, 0o600);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw new AuthFileError(`writing to file "${path}": ${error}`, {
      cause: error,
    });
  }
}
