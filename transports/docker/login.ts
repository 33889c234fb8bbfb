/**
 * The registry side of skopeo's `login`, `logout` and `list-tags` commands,
 * loaded lazily by the CLI (through `transports/builtin.ts`) so that the CLI
 * never imports the docker transport directly. Behaviour and wording follow
 * skopeo 1.9.3 (containers/common `pkg/auth`, measured against the real
 * binary): the auth file written is `--authfile`, else `$REGISTRY_AUTH_FILE`,
 * else `$DOCKER_CONFIG/config.json`, else the default primary file.
 *
 * Secrets never reach a log line or an error message.
 *
 * @module
 */
import { goPathErrorText } from "../../core/go_path_error.ts";
import { InvalidReferenceError, UsageError } from "../../core/errors.ts";
import type { Logger } from "../../core/transport.ts";
import {
  type AuthFileOptions,
  lookupCredentials,
  primaryAuthFilePath,
  removeAllCredentials,
  removeCredentials,
  storeCredentials,
  type StoredCredentials,
} from "./auth_file.ts";
import { RegistryClient } from "./client.ts";
import {
  formatReference,
  parseNormalizedNamed,
  withDefaultTag,
} from "../../core/docker_name.ts";
import { UnauthorizedError } from "./registry_error.ts";
import type { DockerSettings } from "./settings.ts";
import { DockerImageReference, transport } from "./transport.ts";

export { repositoryName } from "./transport.ts";

/** The registry refused the credentials given to `login`. */
export class CredentialsRejectedError extends Error {
  /** The credential key (`host` or `host/namespace`). */
  readonly key: string;
  /**
   * @param key The credential key.
   * @param options The registry's error as `cause`.
   */
  constructor(key: string, options?: ErrorOptions) {
    super(`logging into "${key}": invalid username/password`, options);
    this.name = "CredentialsRejectedError";
    this.key = key;
  }
}

/** `logout` or `login --get-login` for a key with no stored credentials. */
export class NotLoggedInError extends Error {
  /** The credential key. */
  readonly key: string;
  /** @param key The credential key. */
  constructor(key: string) {
    super(`not logged into ${key}`);
    this.name = "NotLoggedInError";
    this.key = key;
  }
}

/** Where `login` talks to the user. */
export interface LoginTerminal {
  /** Writes to standard output (prompts and results). */
  write(text: string): void;
  /**
   * Reads one line for the user-name prompt, newline included; `undefined`
   * when the input ends before a newline.
   */
  readLine(): Promise<string | undefined>;
  /**
   * Writes `prompt`, then reads a password without echo. (Echo should be
   * off before the prompt shows, so that nothing typed after it appears.)
   *
   * @param prompt The prompt, written even when reading then fails.
   * @throws {Error} When no terminal can be read (the message becomes
   *   `reading password: <message>`).
   */
  readPassword(prompt: string): Promise<string>;
  /** Reads all of standard input (`--password-stdin`). */
  readAll(): Promise<string>;
}

/** Options shared by {@linkcode login} and {@linkcode logout}. */
export interface AuthCommandOptions {
  /**
   * Docker settings: `authFile` (`--authfile`), `tlsVerify`, `certDir`,
   * `certsRoots`, `getEnv`, `userAgent`.
   */
  settings?: DockerSettings | undefined;
  /** Debug output. */
  logger?: Logger | undefined;
  /** Aborts network calls. */
  signal?: AbortSignal | undefined;
}

/** Options of {@linkcode login}. */
export interface LoginOptions extends AuthCommandOptions {
  /** `--username`; prompted for when empty. */
  username?: string | undefined;
  /** `--password`; prompted for when empty. */
  password?: string | undefined;
  /** `--password-stdin`. */
  passwordStdin?: boolean | undefined;
  /** `--get-login`: print the stored user name and stop. */
  getLogin?: boolean | undefined;
  /** `--verbose`: say where the credentials went. */
  verbose?: boolean | undefined;
}

/** Options of {@linkcode logout}. */
export interface LogoutOptions extends AuthCommandOptions {
  /** `--all`: forget every registry of the auth file. */
  all?: boolean | undefined;
}

/**
 * Turns the `login`/`logout` argument into the auth-file key and the
 * registry host: `https://host/path` → `host`; `host/ns/repo` stays as it
 * is but must be a valid repository name without tag or digest.
 *
 * @param argument The command's argument.
 * @returns The key and the registry it belongs to.
 * @throws {InvalidReferenceError} With skopeo's messages.
 */
export function parseCredentialsKey(
  argument: string,
): { key: string; registry: string } {
  let key = argument;
  const scheme = /^https?:\/\//.exec(argument);
  if (scheme !== null) {
    // Go's url.Parse(…).Host: everything up to the path, query or fragment.
    const rest = argument.slice(scheme[0].length);
    const end = rest.search(/[/?#]/);
    key = end === -1 ? rest : rest.slice(0, end);
    const at = key.lastIndexOf("@");
    if (at !== -1) key = key.slice(at + 1);
  }
  const registry = key.split("/")[0]!;
  if (registry === key) return { key, registry };
  let name;
  try {
    name = parseNormalizedNamed(key);
  } catch (error) {
    throw new InvalidReferenceError(
      argument,
      `parse reference from "${key}": ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (name.tag !== undefined || name.digest !== undefined) {
    throw new InvalidReferenceError(
      argument,
      `reference "${formatReference(name)}" contains tag or digest`,
    );
  }
  if (name.domain !== registry) {
    throw new InvalidReferenceError(
      argument,
      `internal error: key "${key}" registry mismatch, "${
        formatReference(name)
      }" vs. "${name.domain}"`,
    );
  }
  return { key, registry };
}

/**
 * The auth file `login` and `logout` use when `--authfile` is not given:
 * `$REGISTRY_AUTH_FILE`, else `$DOCKER_CONFIG/config.json`, else none (the
 * default primary file). containers/common's `GetDefaultAuthFile`.
 *
 * @param getEnv Environment reader; default `Deno.env.get`.
 * @returns The path, or undefined for the default primary file.
 */
export function defaultLoginAuthFile(
  getEnv: (name: string) => string | undefined = (n) => Deno.env.get(n),
): string | undefined {
  const explicit = getEnv("REGISTRY_AUTH_FILE");
  if (explicit) return explicit;
  const dockerConfig = getEnv("DOCKER_CONFIG");
  if (dockerConfig) return `${dockerConfig}/config.json`;
  return undefined;
}

/**
 * `--password-stdin`: the lines of the input joined without their line
 * ends, as Go's `bufio.Scanner` loop in containers/common reads them.
 *
 * @param text All of standard input.
 * @returns The password.
 */
export function passwordFromStdin(text: string): string {
  return text.split("\n").map((line) => line.replace(/\r$/, "")).join("");
}

function authFileOptions(options: AuthCommandOptions): AuthFileOptions {
  const settings = options.settings ?? {};
  const getEnv = settings.getEnv;
  return {
    authFile: settings.authFile ?? defaultLoginAuthFile(getEnv),
    getEnv,
    logger: options.logger,
  };
}

/**
 * containers/image `CheckAuth`: GET `/v2/` on the registry with the given
 * credentials.
 *
 * @throws {UnauthorizedError} When the registry refuses them.
 * @throws {RegistryError} On other failures.
 */
async function checkAuth(
  registry: string,
  credentials: { username: string; password: string },
  options: AuthCommandOptions,
): Promise<void> {
  const settings: DockerSettings = {
    ...options.settings,
    credentials,
    noCreds: false,
    registryToken: undefined,
  };
  const client = await RegistryClient.create({
    domain: registry,
    repository: "",
    actions: "pull",
    settings,
    logger: options.logger,
    signal: options.signal,
  });
  try {
    await client.checkAuth(options.signal);
  } catch (error) {
    // The caller's reason (e.g. `--command-timeout`'s TimeoutError), not
    // fetch's generic AbortError.
    if (options.signal?.aborted) throw options.signal.reason ?? error;
    throw error;
  } finally {
    client.close();
  }
}

/** Only the user name and password: an identity token must not be used. */
function userAndPassword(
  stored: StoredCredentials,
): { username: string; password: string } {
  return { username: stored.username, password: stored.password };
}

function withPrefix(prefix: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const wrapped = new Error(`${prefix}: ${message}`, { cause: error });
  if (error instanceof Error) wrapped.name = error.name;
  return wrapped;
}

async function storedCredentials(
  key: string,
  options: AuthCommandOptions,
): Promise<StoredCredentials | undefined> {
  try {
    return await lookupCredentials(key, authFileOptions(options));
  } catch (error) {
    throw withPrefix("get credentials", error);
  }
}

/**
 * skopeo's `login REGISTRY`: checks the credentials against the registry
 * and stores them (mode 0600) in the auth file. Without `username` or
 * `password` it prompts for them through `terminal`; with both missing it
 * first tries the stored credentials.
 *
 * @param argument `host[:port]`, `host/namespace` or an `https://` URL.
 * @param terminal Prompts and answers.
 * @param options Flags and settings.
 * @throws {CredentialsRejectedError} When the registry refuses the credentials.
 * @throws {NotLoggedInError} With `getLogin` and nothing stored.
 * @throws {Error} With skopeo's other messages.
 */
export async function login(
  argument: string,
  terminal: LoginTerminal,
  options: LoginOptions = {},
): Promise<void> {
  const { key, registry } = parseCredentialsKey(argument);
  const stored = await storedCredentials(key, options);
  if (options.getLogin) {
    if (!stored?.username) throw new NotLoggedInError(key);
    terminal.write(`${stored.username}\n`);
    return;
  }
  if (stored?.identityToken) {
    throw new Error(
      "currently logged in, auth file contains an Identity token",
    );
  }
  let password = options.password ?? "";
  const username = options.username ?? "";
  if (options.passwordStdin) {
    if (password !== "") {
      throw new UsageError(
        "Can't specify both --password-stdin and --password",
      );
    }
    if (username === "") {
      throw new UsageError("Must provide --username with --password-stdin");
    }
    password = passwordFromStdin(await terminal.readAll());
  }
  if (
    username === "" && password === "" && stored?.username &&
    stored.password
  ) {
    terminal.write(`Authenticating with existing credentials for ${key}\n`);
    try {
      await checkAuth(registry, userAndPassword(stored), options);
      terminal.write(
        `Existing credentials are valid. Already logged in to ${registry}\n`,
      );
      return;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      terminal.write(
        "Existing credentials are invalid, please enter valid username and password\n",
      );
    }
  }
  let credentials: { username: string; password: string };
  try {
    credentials = await askUserAndPassword(
      terminal,
      username,
      password,
      stored?.username ?? "",
    );
  } catch (error) {
    throw withPrefix("getting username and password", error);
  }
  try {
    await checkAuth(registry, credentials, options);
  } catch (error) {
    if (error instanceof UnauthorizedError) {
      options.logger?.debug(
        `error logging into "${key}": ${error.message}`,
      );
      throw new CredentialsRejectedError(key, { cause: error });
    }
    if (options.signal?.aborted) throw error;
    throw withPrefix(`authenticating creds for "${key}"`, error);
  }
  const where = await storeCredentials(
    key,
    credentials,
    authFileOptions(options),
  );
  options.logger?.debug(`Stored credentials for ${key} in ${where}`);
  if (options.verbose) terminal.write(`Used:  ${where}\n`);
  terminal.write("Login Succeeded!\n");
}

/** containers/common `getUserAndPass`: prompts for what is missing. */
async function askUserAndPassword(
  terminal: LoginTerminal,
  username: string,
  password: string,
  storedUsername: string,
): Promise<{ username: string; password: string }> {
  if (username === "") {
    terminal.write(
      storedUsername !== "" ? `Username (${storedUsername}): ` : "Username: ",
    );
    const line = await terminal.readLine();
    if (line === undefined) throw new Error("reading username: EOF");
    username = line.trim() === "" ? storedUsername : line;
  }
  if (password === "") {
    try {
      password = await terminal.readPassword("Password: ");
    } catch (error) {
      throw withPrefix("reading password", error);
    }
    terminal.write("\n");
  }
  return { username: username.trim(), password };
}

async function checkAuthFileExists(path: string | undefined): Promise<void> {
  if (path === undefined || path === "") return;
  try {
    await Deno.stat(path);
  } catch (error) {
    throw new Error(
      `checking authfile: ${goPathErrorText("stat", path, error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * skopeo's `logout REGISTRY` and `logout --all`: removes stored credentials
 * from the auth file (and from the credential helper it names).
 *
 * @param argument The registry or namespace; undefined with `all`.
 * @param terminal Where the result line goes (`write` only is used).
 * @param options Flags and settings.
 * @throws {NotLoggedInError} When nothing was stored for the key.
 * @throws {Error} With skopeo's other messages.
 */
export async function logout(
  argument: string | undefined,
  terminal: Pick<LoginTerminal, "write">,
  options: LogoutOptions = {},
): Promise<void> {
  const files = authFileOptions(options);
  await checkAuthFileExists(files.authFile);
  if (options.all) {
    if (argument !== undefined) {
      throw new UsageError("--all takes no arguments");
    }
    await removeAllCredentials(files);
    terminal.write("Removed login credentials for all registries\n");
    return;
  }
  if (argument === undefined) {
    throw new UsageError("please provide a registry to logout from");
  }
  const { key, registry } = parseCredentialsKey(argument);
  let removed: boolean;
  try {
    removed = await removeCredentials(key, files);
  } catch (error) {
    throw withPrefix(`logging out of "${key}"`, error);
  }
  if (removed) {
    terminal.write(`Removed login credentials for ${key}\n`);
    return;
  }
  // Credentials elsewhere (e.g. ~/.docker/config.json) that still work.
  const stored = await storedCredentials(key, options);
  if (stored?.username && stored.password) {
    let valid = true;
    try {
      await checkAuth(registry, userAndPassword(stored), options);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      valid = false;
    }
    if (valid) {
      terminal.write(
        `Not logged into ${key} with current tool. Existing credentials were established via docker login. Please use docker logout instead.\n`,
      );
      return;
    }
  }
  throw new NotLoggedInError(key);
}

/**
 * The auth file `login`/`logout` edit for these settings.
 *
 * @param settings `authFile` and `getEnv`.
 * @returns The path.
 */
export function loginAuthFilePath(settings: DockerSettings = {}): string {
  return primaryAuthFilePath({
    authFile: settings.authFile ?? defaultLoginAuthFile(settings.getEnv),
    getEnv: settings.getEnv,
  });
}

/**
 * Parses `list-tags`' argument, `docker://NAME` with neither tag nor digest,
 * as skopeo does; the reference gets the tag `latest` so that it can be
 * opened (the tag is ignored by {@linkcode DockerImageReference.listTags}).
 *
 * @param argument The whole argument, `docker://…`.
 * @returns The reference.
 * @throws {InvalidReferenceError} With skopeo's messages.
 */
export function parseRepositoryReference(
  argument: string,
): DockerImageReference {
  const prefix = `${transport.name}://`;
  if (!argument.startsWith(prefix)) {
    throw new InvalidReferenceError(
      argument,
      `docker: image reference ${argument} does not start with ${prefix}`,
    );
  }
  const name = parseNormalizedNamed(argument.slice(prefix.length), {
    input: argument,
  });
  if (name.tag !== undefined || name.digest !== undefined) {
    throw new InvalidReferenceError(
      argument,
      "No tag or digest allowed in reference",
    );
  }
  return new DockerImageReference(transport, withDefaultTag(name));
}
