/**
 * The docker transport's own settings, read from
 * `OpenOptions.context.settings.docker`. The CLI fills them from skopeo's
 * flags; library users set them directly.
 *
 * | field | skopeo flag | default |
 * |---|---|---|
 * | `credentials` | `--creds USER:PASS`, `--username`/`--password` (`--src-*`/`--dest-*` for copy) | from auth files |
 * | `noCreds` | `--no-creds` | false |
 * | `authFile` | `--authfile` | `$REGISTRY_AUTH_FILE`, then the default files |
 * | `registryToken` | `--registry-token` (sent as `Bearer`) | none |
 * | `tlsVerify` | `--tls-verify` | true; false also allows plain HTTP |
 * | `certDir` | `--cert-dir` | `/etc/containers/certs.d/HOST[:PORT]`, then `/etc/docker/certs.d/HOST[:PORT]` |
 * | `retryTimes` | `--retry-times` | 0 (429 is still retried 5 times, as containers/image does) |
 * | `retryDelayMs` | `--retry-delay` | exponential: 1 s, 2 s, 4 s… |
 * | `userAgent` | – | `context.userAgent`, else `skopeo-ts` |
 * | `maxConcurrentPerHost` | – | 6 blob transfers per registry host |
 * | `tagPageSize` | – | none: the registry's page size (`n=` of `tags/list`) |
 * | `registriesConfPath` | `--registries-conf` (hidden, as in skopeo) | `$CONTAINERS_REGISTRIES_CONF`, then `~/.config/containers/registries.conf`, then `/etc/containers/registries.conf` (+ `registries.conf.d/*.conf`) |
 * | `registriesConf` | – | read from the files above (`loadRegistriesConf()` of registries_conf.ts) |
 * | `registriesDirPath` | `--registries.d` | `~/.config/containers/registries.d` when it exists, else `/etc/containers/registries.d` (signature storage) |
 *
 * @module
 */
import type { TransportContext } from "../../core/transport.ts";
import type { RegistriesConf } from "./registries_conf.ts";

/** Per-operation settings of the docker transport. */
export interface DockerSettings {
  /** Explicit credentials (`--creds`); they win over every auth file. */
  credentials?: { username: string; password: string } | undefined;
  /** Access the registry anonymously (`--no-creds`). */
  noCreds?: boolean | undefined;
  /** The auth file to read first and for `login` to write (`--authfile`). */
  authFile?: string | undefined;
  /** A bearer token sent as is (`--registry-token`). */
  registryToken?: string | undefined;
  /**
   * Verify TLS certificates (`--tls-verify`). `false` skips verification and
   * lets the client fall back to plain HTTP when HTTPS fails, as skopeo does.
   */
  tlsVerify?: boolean | undefined;
  /** Directory with `*.crt` CAs and `*.cert`/`*.key` client pairs (`--cert-dir`). */
  certDir?: string | undefined;
  /** Retries of requests failing with network errors or 502–504 (`--retry-times`). */
  retryTimes?: number | undefined;
  /** Fixed delay between those retries, in ms (`--retry-delay`). */
  retryDelayMs?: number | undefined;
  /** User-Agent header. */
  userAgent?: string | undefined;
  /** Concurrent blob transfers per registry host; default 6. */
  maxConcurrentPerHost?: number | undefined;
  /** Tags asked per `tags/list` page (`n=`); default: the registry's choice. */
  tagPageSize?: number | undefined;
  /**
   * Directories holding per-host certificate folders, searched in order;
   * default `/etc/containers/certs.d`, `/etc/docker/certs.d`.
   */
  certsRoots?: readonly string[] | undefined;
  /**
   * The registries.conf file to read instead of the default ones
   * (`--registries-conf`); it must exist. `[[registry]]` entries give
   * `insecure` (used when `tlsVerify` is unset), `blocked`, a `location`
   * rewrite and mirrors for pulls.
   */
  registriesConfPath?: string | undefined;
  /** An already loaded configuration; when set, no file is read. */
  registriesConf?: RegistriesConf | undefined;
  /**
   * The registries.d directory (`--registries.d`): where signatures are
   * stored (lookaside, sigstore attachments).
   */
  registriesDirPath?: string | undefined;
  /** Environment reader for auth-file and registries.conf lookup; default `Deno.env.get`. */
  getEnv?: ((name: string) => string | undefined) | undefined;
}

/** Default concurrent blob transfers per registry host. */
export const DEFAULT_MAX_CONCURRENT_PER_HOST = 6;

/** Settings that are not of the documented shape. */
export class DockerSettingsError extends TypeError {
  /** @param message What is wrong. */
  constructor(message: string) {
    super(`Invalid docker transport settings: ${message}`);
    this.name = "DockerSettingsError";
  }
}

function check(
  value: unknown,
  type: "string" | "boolean" | "number" | "function",
  name: string,
): void {
  if (value !== undefined && typeof value !== type) {
    throw new DockerSettingsError(`"${name}" must be a ${type}`);
  }
}

/**
 * Reads and validates `context.settings.docker`.
 *
 * @param context The operation's context.
 * @returns The settings (empty when none were given).
 * @throws {DockerSettingsError} When a field has the wrong type.
 */
export function readDockerSettings(
  context: TransportContext | undefined,
): DockerSettings {
  const raw = context?.settings?.docker;
  if (raw === undefined) return {};
  if (typeof raw !== "object" || raw === null) {
    throw new DockerSettingsError("expected an object");
  }
  const s = raw as Record<string, unknown>;
  check(s.noCreds, "boolean", "noCreds");
  check(s.authFile, "string", "authFile");
  check(s.registryToken, "string", "registryToken");
  check(s.tlsVerify, "boolean", "tlsVerify");
  check(s.certDir, "string", "certDir");
  check(s.retryTimes, "number", "retryTimes");
  check(s.retryDelayMs, "number", "retryDelayMs");
  check(s.userAgent, "string", "userAgent");
  check(s.maxConcurrentPerHost, "number", "maxConcurrentPerHost");
  check(s.tagPageSize, "number", "tagPageSize");
  check(s.getEnv, "function", "getEnv");
  check(s.registriesConfPath, "string", "registriesConfPath");
  check(s.registriesDirPath, "string", "registriesDirPath");
  if (
    s.registriesConf !== undefined &&
    (typeof s.registriesConf !== "object" || s.registriesConf === null ||
      !Array.isArray((s.registriesConf as Record<string, unknown>).registries))
  ) {
    throw new DockerSettingsError(
      '"registriesConf" must be a loaded registries.conf (see loadRegistriesConf)',
    );
  }
  if (s.credentials !== undefined) {
    const c = s.credentials as Record<string, unknown> | null;
    if (
      typeof c !== "object" || c === null || typeof c.username !== "string" ||
      typeof c.password !== "string"
    ) {
      throw new DockerSettingsError(
        '"credentials" must be { username: string, password: string }',
      );
    }
  }
  if (
    s.certsRoots !== undefined &&
    (!Array.isArray(s.certsRoots) ||
      s.certsRoots.some((r) => typeof r !== "string"))
  ) {
    throw new DockerSettingsError('"certsRoots" must be an array of strings');
  }
  for (const name of ["retryTimes", "retryDelayMs"] as const) {
    const n = s[name] as number | undefined;
    if (n !== undefined && (!Number.isInteger(n) || n < 0)) {
      throw new DockerSettingsError(`"${name}" must be a non-negative integer`);
    }
  }
  for (const name of ["maxConcurrentPerHost", "tagPageSize"] as const) {
    const n = s[name] as number | undefined;
    if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
      throw new DockerSettingsError(`"${name}" must be a positive integer`);
    }
  }
  if (s.credentials !== undefined && s.noCreds === true) {
    throw new DockerSettingsError(
      '"credentials" and "noCreds" cannot be used together',
    );
  }
  return s as DockerSettings;
}
