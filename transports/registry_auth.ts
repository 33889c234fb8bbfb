/**
 * `login()` and `logout()` for library users: store or forget registry
 * credentials in skopeo's auth file, without prompts. The docker transport
 * is loaded only when they are called.
 *
 * @module
 */
import type { Logger } from "../core/transport.ts";

/** Options of {@linkcode login}. */
export interface LoginOptions {
  /** The user name. */
  username: string;
  /** The password or token. */
  password: string;
  /** The auth file to write (default: skopeo's, `$XDG_RUNTIME_DIR/containers/auth.json`). */
  authFile?: string | undefined;
  /** Verify TLS certificates (default true; false also allows plain HTTP). */
  tlsVerify?: boolean | undefined;
  /** Directory with `*.crt` CAs and client `*.cert`/`*.key` pairs. */
  certDir?: string | undefined;
  /** Debug output (never receives secrets). */
  logger?: Logger | undefined;
  /** Aborts the check against the registry. */
  signal?: AbortSignal | undefined;
}

/** Options of {@linkcode logout}. */
export interface LogoutOptions {
  /** The auth file (default: skopeo's). */
  authFile?: string | undefined;
  /** Forget every registry in the auth file (`registry` is then ignored). */
  all?: boolean | undefined;
}

function settingsOf(
  options: {
    authFile?: string | undefined;
    tlsVerify?: boolean | undefined;
    certDir?: string | undefined;
  },
) {
  return {
    ...(options.authFile !== undefined ? { authFile: options.authFile } : {}),
    ...(options.tlsVerify !== undefined
      ? { tlsVerify: options.tlsVerify }
      : {}),
    ...(options.certDir !== undefined ? { certDir: options.certDir } : {}),
  };
}

/**
 * Checks credentials against a registry and stores them (mode 0600), as
 * `skopeo login` does.
 *
 * @example Log in to a local registry
 * ```ts ignore
 * import { login } from "../mod.ts";
 * const lines = await login("127.0.0.1:5000", {
 *   username: "user",
 *   password: Deno.env.get("REGISTRY_PASSWORD") ?? "",
 *   tlsVerify: false,
 * });
 * console.log(lines); // ["Login Succeeded!"]
 * ```
 *
 * @param registry `HOST[:PORT]`, optionally with a repository namespace.
 * @param options Credentials, auth file, TLS.
 * @returns The lines `skopeo login` would print.
 * @throws {Error} With skopeo's message when the registry refuses the credentials.
 */
export async function login(
  registry: string,
  options: LoginOptions,
): Promise<string[]> {
  const { login: run } = await import("./docker/login.ts");
  const output: string[] = [];
  await run(registry, {
    write: (text) => output.push(...text.split("\n").filter((l) => l !== "")),
    readLine: () => Promise.resolve(undefined),
    readPassword: () => Promise.reject(new Error("no password given")),
    readAll: () => Promise.resolve(""),
  }, {
    username: options.username,
    password: options.password,
    settings: settingsOf(options),
    logger: options.logger,
    signal: options.signal,
  });
  return output;
}

/**
 * Removes stored credentials, as `skopeo logout` does.
 *
 * @param registry `HOST[:PORT]` (ignored with `all`).
 * @param options Auth file; `all` to forget every registry.
 * @returns The lines `skopeo logout` would print.
 * @throws {Error} With skopeo's message when not logged in.
 */
export async function logout(
  registry: string | undefined,
  options: LogoutOptions = {},
): Promise<string[]> {
  const { logout: run } = await import("./docker/login.ts");
  const output: string[] = [];
  await run(
    options.all ? undefined : registry,
    {
      write: (text) => output.push(...text.split("\n").filter((l) => l !== "")),
    },
    { settings: settingsOf(options), all: options.all },
  );
  return output;
}
