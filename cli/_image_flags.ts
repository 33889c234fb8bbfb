/**
 * The flags every image-handling command shares (credentials, TLS, daemon
 * host, shared blob dir), with `src-`/`dest-` variants for copy, and their
 * translation into a {@linkcode TransportContext}.
 *
 * @module
 */
import { UsageError } from "../core/errors.ts";
import type { Logger, TransportContext } from "../core/transport.ts";
import type { GlobalOptions } from "./_command.ts";
import { flagBool, flagInt, flagString } from "./_command.ts";
import type { FlagSpec, FlagValue } from "./_flags.ts";

/** Image flags for one side; `prefix` is "", "src-" or "dest-". */
export function imageFlagSpecs(prefix: "" | "src-" | "dest-"): FlagSpec[] {
  const specs: FlagSpec[] = [
    {
      name: `${prefix}authfile`,
      kind: "string",
      usage:
        "path of the authentication file. Default is ${XDG_RUNTIME_DIR}/containers/auth.json",
    },
    {
      name: `${prefix}cert-dir`,
      kind: "string",
      usage:
        "use certificates at `PATH` (*.crt, *.cert, *.key) to connect to the registry or daemon",
    },
    {
      name: `${prefix}creds`,
      kind: "string",
      usage: "Use `USERNAME[:PASSWORD]` for accessing the registry",
    },
    {
      name: `${prefix}daemon-host`,
      kind: "string",
      usage: "use docker daemon host at `HOST` (docker-daemon: only)",
    },
    {
      name: `${prefix}no-creds`,
      kind: "bool",
      usage: "Access the registry anonymously",
    },
    {
      name: `${prefix}password`,
      kind: "string",
      usage: "Password for accessing the registry",
    },
    {
      name: `${prefix}registry-token`,
      kind: "string",
      usage: "Provide a Bearer token for accessing the registry",
    },
    {
      name: `${prefix}shared-blob-dir`,
      kind: "string",
      usage: "`DIRECTORY` to use to share blobs across OCI repositories",
    },
    {
      name: `${prefix}tls-verify`,
      kind: "bool",
      usage:
        "require HTTPS and verify certificates when talking to the container registry or daemon",
    },
    {
      name: `${prefix}username`,
      kind: "string",
      usage: "Username for accessing the registry",
    },
  ];
  return specs;
}

/** `--retry-times`, shared by both sides of a copy. */
export const RETRY_FLAG: FlagSpec = {
  name: "retry-times",
  kind: "int",
  usage: "the number of times to possibly retry",
};

/**
 * `--retry-delay` (newer skopeo; absent from 1.9.3): a fixed delay between
 * retries instead of the exponential backoff.
 */
export const RETRY_DELAY_FLAG: FlagSpec = {
  name: "retry-delay",
  kind: "duration",
  usage:
    "Fixed delay between retries. If not set (or set to 0), exponential backoff is used",
};

/** Splits `USER[:PASSWORD]`. */
export function parseCreds(
  text: string,
): { username: string; password: string | undefined } {
  if (text === "") throw new UsageError("credentials can't be empty");
  const colon = text.indexOf(":");
  if (colon === 0) throw new UsageError("username can't be empty");
  return colon < 0
    ? { username: text, password: undefined }
    : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * Builds the transport context of one side from its flags.
 *
 * @param flags All parsed flags.
 * @param prefix "", "src-" or "dest-".
 * @param global Global options (tmpdir, platform).
 * @param logger Where transports log.
 */
export function imageContext(
  flags: Map<string, FlagValue>,
  prefix: "" | "src-" | "dest-",
  global: GlobalOptions,
  logger: Logger,
): TransportContext {
  const get = (name: string) => flagString(flags, `${prefix}${name}`);
  const creds = get("creds");
  const username = get("username");
  const password = get("password");
  // skopeo's checks and wording (cmd/skopeo/utils.go).
  if (creds !== undefined && username !== undefined) {
    throw new UsageError(
      "creds and username cannot be specified at the same time",
    );
  }
  if (username !== undefined && password === undefined) {
    throw new UsageError(
      "password must be specified when username is specified",
    );
  }
  if (password !== undefined && username === undefined) {
    throw new UsageError(
      "username must be specified when password is specified",
    );
  }
  const noCreds = flagBool(flags, `${prefix}no-creds`) ?? false;
  let credentials: { username: string; password: string } | undefined;
  if (creds !== undefined) {
    const parsed = parseCreds(creds);
    credentials = {
      username: parsed.username,
      password: parsed.password ?? "",
    };
  } else if (username !== undefined) {
    credentials = { username, password: password! };
  }
  if (noCreds && credentials) {
    throw new UsageError(
      creds !== undefined
        ? "creds and no-creds cannot be specified at the same time"
        : "username and no-creds cannot be specified at the same time",
    );
  }
  const docker: Record<string, unknown> = {};
  const authFile = get("authfile") ??
    (prefix ? flagString(flags, "authfile") : undefined);
  if (authFile !== undefined) docker.authFile = authFile;
  if (get("cert-dir") !== undefined) docker.certDir = get("cert-dir");
  if (credentials) docker.credentials = credentials;
  if (noCreds) docker.noCreds = true;
  if (get("registry-token") !== undefined) {
    docker.registryToken = get("registry-token");
  }
  const registriesConf = flagString(flags, "registries-conf");
  if (registriesConf) docker.registriesConfPath = registriesConf;
  if (global.registriesDir) docker.registriesDirPath = global.registriesDir;
  const tlsVerify = flagBool(flags, `${prefix}tls-verify`);
  if (tlsVerify !== undefined) docker.tlsVerify = tlsVerify;
  const retryTimes = flagInt(flags, "retry-times");
  if (retryTimes !== undefined) docker.retryTimes = retryTimes;
  const retryDelay = flags.get("retry-delay");
  if (typeof retryDelay === "number" && retryDelay > 0) {
    docker.retryDelayMs = Math.max(1, Math.round(retryDelay));
  }
  const settings: Record<string, Record<string, unknown>> = { docker };
  const sharedBlobDir = get("shared-blob-dir");
  if (sharedBlobDir !== undefined) settings.oci = { sharedBlobDir };
  const daemonHost = get("daemon-host");
  if (daemonHost !== undefined) {
    settings["docker-daemon"] = { host: daemonHost };
  }
  if (get("cert-dir") !== undefined) {
    settings["docker-daemon"] = {
      ...settings["docker-daemon"],
      certDir: get("cert-dir"),
    };
  }
  return {
    tmpDir: global.tmpDir,
    platform: global.platform,
    logger,
    userAgent: "skopeo-ts/0.1.0",
    settings,
  };
}
