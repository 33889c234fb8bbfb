/**
 * Client of the docker credential-helper protocol: `docker-credential-NAME
 * get|store|erase|list`, the server address or JSON on stdin, JSON on stdout.
 *
 * @module
 */

/** What a credential helper returns for one registry. */
export interface HelperCredentials {
  /** User name; `<token>` means `secret` is an identity token. */
  username: string;
  /** Password or identity token. */
  secret: string;
}

/** A helper failed (other than "not found"). */
export class CredentialHelperError extends Error {
  /** The helper's name (without `docker-credential-`). */
  readonly helper: string;
  /**
   * @param helper The helper's name.
   * @param message What went wrong.
   * @param options Standard error options.
   */
  constructor(helper: string, message: string, options?: ErrorOptions) {
    super(`credential helper ${helper}: ${message}`, options);
    this.name = "CredentialHelperError";
    this.helper = helper;
  }
}

const NOT_FOUND_MESSAGE = "credentials not found in native keychain";

/** Options of the helper calls. */
export interface HelperOptions {
  /** The `PATH` to find `docker-credential-NAME` in; default the process's. */
  searchPath?: string | undefined;
}

async function runHelper(
  helper: string,
  action: "get" | "store" | "erase" | "list",
  input: string,
  options: HelperOptions,
): Promise<{ ok: boolean; stdout: string; notFound: boolean }> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(`docker-credential-${helper}`, {
      args: [action],
      ...(options.searchPath !== undefined
        ? { env: { PATH: options.searchPath } }
        : {}),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw new CredentialHelperError(
      helper,
      `cannot run docker-credential-${helper}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const out = await child.output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  const stderr = new TextDecoder().decode(out.stderr).trim();
  const text = stdout || stderr;
  return {
    ok: out.success,
    stdout: out.success ? stdout : text,
    notFound: !out.success && text.includes(NOT_FOUND_MESSAGE),
  };
}

/**
 * Asks `docker-credential-NAME get` for a registry's credentials.
 *
 * @param helper The helper's name, e.g. `pass`, `secretservice`.
 * @param serverAddress The registry host (`quay.io`, `127.0.0.1:5000`).
 * @param options Where to find the helper.
 * @returns The credentials, or undefined when the helper has none.
 * @throws {CredentialHelperError} When the helper cannot run or fails.
 */
export async function getFromHelper(
  helper: string,
  serverAddress: string,
  options: HelperOptions = {},
): Promise<HelperCredentials | undefined> {
  const result = await runHelper(helper, "get", serverAddress, options);
  if (result.notFound) return undefined;
  if (!result.ok) throw new CredentialHelperError(helper, result.stdout);
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(result.stdout);
  } catch (error) {
    throw new CredentialHelperError(helper, "invalid JSON output", {
      cause: error,
    });
  }
  return {
    username: typeof parsed.Username === "string" ? parsed.Username : "",
    secret: typeof parsed.Secret === "string" ? parsed.Secret : "",
  };
}

/**
 * Stores credentials with `docker-credential-NAME store`.
 *
 * @param helper The helper's name.
 * @param serverAddress The registry host.
 * @param credentials What to store.
 * @param options Where to find the helper.
 * @throws {CredentialHelperError} When the helper fails.
 */
export async function storeInHelper(
  helper: string,
  serverAddress: string,
  credentials: HelperCredentials,
  options: HelperOptions = {},
): Promise<void> {
  const result = await runHelper(
    helper,
    "store",
    JSON.stringify({
      ServerURL: serverAddress,
      Username: credentials.username,
      Secret: credentials.secret,
    }),
    options,
  );
  if (!result.ok) throw new CredentialHelperError(helper, result.stdout);
}

/**
 * Removes credentials with `docker-credential-NAME erase`.
 *
 * @param helper The helper's name.
 * @param serverAddress The registry host.
 * @param options Where to find the helper.
 * @returns False when the helper had no credentials for it.
 * @throws {CredentialHelperError} When the helper fails otherwise.
 */
export async function eraseFromHelper(
  helper: string,
  serverAddress: string,
  options: HelperOptions = {},
): Promise<boolean> {
  const result = await runHelper(helper, "erase", serverAddress, options);
  if (result.notFound) return false;
  if (!result.ok) throw new CredentialHelperError(helper, result.stdout);
  return true;
}
