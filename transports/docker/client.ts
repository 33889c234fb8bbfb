/**
 * A Registry HTTP API V2 client for one repository: it pings `/v2/` to learn
 * the scheme and the authentication challenge, authenticates (Basic, or the
 * Bearer token flow with tokens cached per scope), retries 429 (honouring
 * `Retry-After`) and, when asked (`retryTimes`, or per request with
 * `transientRetries`), network errors and 500/502–504, follows
 * redirects by hand (dropping credentials on cross-host hops) and bounds
 * concurrent blob transfers per registry host.
 *
 * Never logs secrets: debug lines carry the method and a redacted URL only.
 *
 * @module
 */
import type { Logger } from "../../core/transport.ts";
import {
  authFilesGeneration,
  lookupCredentials,
  type StoredCredentials,
} from "./auth_file.ts";
import {
  answersPlainHttp,
  createHttpTransport,
  type HttpTransport,
} from "./http.ts";
import {
  redactUrl,
  RegistryError,
  registryErrorFromResponse,
  statusErrorFromResponse,
} from "./registry_error.ts";
import {
  DEFAULT_MAX_CONCURRENT_PER_HOST,
  type DockerSettings,
} from "./settings.ts";
import { tlsMaterialForHost } from "./tls.ts";
import type { AuthChallenge } from "./www_authenticate.ts";

/**
 * The challenges of a ping answer. The parser is loaded only for registries
 * that send one: anonymous plain registries answer 200 without.
 */
async function challengesOf(response: Response): Promise<AuthChallenge[]> {
  const header = response.headers.get("www-authenticate") ?? "";
  if (header.trim() === "") return [];
  const { parseWwwAuthenticate } = await import("./www_authenticate.ts");
  return parseWwwAuthenticate(header);
}

/** Where Docker Hub's API lives, for references on `docker.io`. */
export const DOCKER_HUB_API_HOST = "registry-1.docker.io";

const MAX_REDIRECTS = 10;
const TOO_MANY_REQUESTS_ATTEMPTS = 5;
const TOO_MANY_REQUESTS_INITIAL_DELAY_MS = 2_000;
const MAX_RETRY_DELAY_MS = 60_000;
/** First delay of the retries a request asks for beyond `retryTimes`. */
const TRANSIENT_RETRY_DELAY_MS = 250;

/**
 * Retries of a transient fault (network error, 500, 502–504) that the
 * docker source asks for on its idempotent GETs of manifests and blobs,
 * even when `retryTimes` is 0 (skopeo's default, which fails on a single
 * 503). The delays are short (250 ms, 500 ms, 1 s) unless `retryDelayMs`
 * is set; a persistent fault still ends in an error within about 2 s.
 */
export const DEFAULT_TRANSIENT_RETRIES = 3;
/** Network errors of a connection lost before the answer (not TLS ones). */
const DROPPED_CONNECTION =
  /connection closed before message completed|connection reset|broken pipe/i;
const MIN_TOKEN_LIFETIME_S = 60;
const MAX_TOKEN_BODY = 1024 * 1024;

/** Which way a blob moves. */
export type TransferDirection = "read" | "write";

/** Options of {@linkcode RegistryClient.create}. */
export interface RegistryClientOptions {
  /** The registry as written in references: `docker.io`, `127.0.0.1:5000`. */
  domain: string;
  /** The repository path: `library/busybox`. */
  repository: string;
  /** Token scope actions for the repository: `pull`, `pull,push` or `*`. */
  actions: string;
  /** The docker transport settings. */
  settings: DockerSettings;
  /** Debug output. */
  logger?: Logger | undefined;
  /** User-Agent when the settings give none. */
  userAgent?: string | undefined;
  /** Aborts credential lookup. */
  signal?: AbortSignal | undefined;
}

/** Options of {@linkcode RegistryClient.request}. */
export interface RegistryRequestOptions {
  /** Extra request headers. */
  headers?: HeadersInit | undefined;
  /** Body: bytes can be re-sent on retry, a stream cannot. */
  body?: Uint8Array | ReadableStream<Uint8Array> | undefined;
  /** Length of a stream body, when known. */
  contentLength?: number | undefined;
  /** Extra token scopes, e.g. `repository:other/repo:pull` for a mount. */
  extraScopes?: readonly string[] | undefined;
  /** Follow 3xx redirects (default true). */
  followRedirects?: boolean | undefined;
  /**
   * Retries of network errors, 500 and 502–504 for this (idempotent)
   * request, when more than `retryTimes`; default 0.
   */
  transientRetries?: number | undefined;
  /** Aborts the request. */
  signal?: AbortSignal | undefined;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** A counting semaphore shared by the clients of one registry host. */
class HostLimiter {
  #free: number;
  #waiting: (() => void)[] = [];
  constructor(size: number) {
    this.#free = size;
  }
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.#free > 0) {
      this.#free--;
    } else {
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = (): void => {
          this.#waiting = this.#waiting.filter((w) => w !== wake);
          reject(signal!.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#waiting.push(wake);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

const HOST_LIMITERS = new Map<string, HostLimiter>();

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `Retry-After` in ms (seconds or an HTTP date), or undefined. */
function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get("retry-after");
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The text of a network failure: the cause fetch hides behind its message. */
export function networkErrorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  const text = cause instanceof Error && cause.message
    ? cause.message
    : error.message;
  // Go's wording for the two TLS failures users meet most (skopeo's text).
  if (/InvalidContentType|wrong version number/.test(text)) {
    return "http: server gave HTTP response to HTTPS client";
  }
  if (/UnknownIssuer/.test(text)) {
    return "x509: certificate signed by unknown authority";
  }
  // Deno's text repeats the URL whole: upload `_state` tokens included.
  return text.replace(/\bhttps?:\/\/[^\s()"]+/g, (url) => redactUrl(url));
}

/**
 * {@linkcode redactUrl} for the debug line of every request: a URL without
 * query or user info has nothing to hide and needs no parsing.
 */
function urlForLog(url: string): string {
  return /[?@]/.test(url) ? redactUrl(url) : url;
}

function goMethod(method: string): string {
  return method.charAt(0) + method.slice(1).toLowerCase();
}

/**
 * What the clients of one operation (one settings object: a copy's side, a
 * sync) share per registry host: the HTTP transport with its kept-alive
 * connections, and the ping, so a sync of many images pings each host once
 * and reuses connections instead of opening new ones per image.
 */
interface SharedHost {
  transport: HttpTransport | undefined;
  users: number;
  ping: PingState;
}

/**
 * The ping of a host: its result once known, or the ping in flight (joined
 * by clients created while it runs). Settings objects that reach the host
 * the same way (a copy's source and destination on one registry) share one
 * state while any of their clients is open.
 */
interface PingState {
  result: PingResult | undefined;
  running:
    | { result: Promise<PingResult>; signal: AbortSignal | undefined }
    | undefined;
  /** Open clients using this state; at 0 it leaves {@linkcode PING_STATES}. */
  users: number;
  /** Its key in {@linkcode PING_STATES}, when it can be shared. */
  key: string | undefined;
}

const PING_STATES = new Map<string, PingState>();

/**
 * What a ping depends on besides the host: the TLS settings. A custom
 * environment reader (proxies) keeps the ping to its settings object.
 */
function pingKey(settings: DockerSettings, domain: string): string | undefined {
  if (settings.getEnv !== undefined) return undefined;
  return JSON.stringify([
    domain,
    settings.tlsVerify ?? null,
    settings.certDir ?? null,
    settings.certsRoots ?? null,
  ]);
}

interface PingResult {
  scheme: "https" | "http";
  challenges: AuthChallenge[];
}

/**
 * Credentials found in auth files per settings object and key
 * (`host/repo`): a sync opens two clients per image, and the files are
 * looked at once per repository, not per client. A `login`/`logout` in
 * this process (a new {@linkcode authFilesGeneration}) makes them stale.
 */
const CREDENTIALS = new WeakMap<
  DockerSettings,
  Map<
    string,
    { generation: number; found: Promise<StoredCredentials | undefined> }
  >
>();

function storedCredentials(
  options: RegistryClientOptions,
): Promise<StoredCredentials | undefined> {
  const settings = options.settings;
  let memo = CREDENTIALS.get(settings);
  if (memo === undefined) {
    memo = new Map();
    CREDENTIALS.set(settings, memo);
  }
  const key = `${options.domain}/${options.repository}`;
  const generation = authFilesGeneration();
  const known = memo.get(key);
  if (known !== undefined && known.generation === generation) {
    return known.found;
  }
  const found = lookupCredentials(key, {
    authFile: settings.authFile,
    getEnv: settings.getEnv,
    logger: options.logger,
  });
  const entry = { generation, found };
  memo.set(key, entry);
  // A failure (malformed file, helper error) is not kept: the next client asks again.
  found.catch(() => {
    if (memo.get(key) === entry) memo.delete(key);
  });
  return found;
}

const SHARED_HOSTS = new WeakMap<DockerSettings, Map<string, SharedHost>>();

function sharedFor(settings: DockerSettings, domain: string): SharedHost {
  let hosts = SHARED_HOSTS.get(settings);
  if (hosts === undefined) {
    hosts = new Map();
    SHARED_HOSTS.set(settings, hosts);
  }
  let shared = hosts.get(domain);
  if (shared === undefined) {
    const ping: PingState = {
      result: undefined,
      running: undefined,
      users: 0,
      key: pingKey(settings, domain),
    };
    shared = { transport: undefined, users: 0, ping };
    hosts.set(domain, shared);
  }
  return shared;
}

/**
 * The ping state a new client of `shared` uses: the one settings alike
 * share while any of their clients is open, else the host's own.
 */
function joinPingState(shared: SharedHost): PingState {
  let ping = shared.ping;
  if (ping.key !== undefined) {
    const current = PING_STATES.get(ping.key);
    if (current === undefined) PING_STATES.set(ping.key, ping);
    else ping = shared.ping = current;
  }
  ping.users++;
  return ping;
}

function leavePingState(ping: PingState): void {
  if (
    --ping.users === 0 && ping.key !== undefined &&
    PING_STATES.get(ping.key) === ping
  ) {
    PING_STATES.delete(ping.key);
  }
}

/** A client for one repository on one registry. Close it when done. */
export class RegistryClient {
  /** The registry as written in references (`docker.io`). */
  readonly domain: string;
  /** The host the API is served on (`registry-1.docker.io` for `docker.io`). */
  readonly host: string;
  /** The repository path. */
  readonly repository: string;
  #actions: string;
  #settings: DockerSettings;
  #logger: Logger | undefined;
  #userAgent: string;
  #credentials: StoredCredentials | undefined;
  #transport: HttpTransport;
  #limiters: Record<TransferDirection, HostLimiter>;
  #scheme: "https" | "http" | undefined;
  #challenges: AuthChallenge[] = [];
  #pinging: Promise<void> | undefined;
  #tokens = new Map<string, CachedToken>();
  #shared: SharedHost | undefined;
  #pingState: PingState | undefined;

  private constructor(
    options: RegistryClientOptions,
    credentials: StoredCredentials | undefined,
    transport: HttpTransport,
  ) {
    this.domain = options.domain;
    this.host = options.domain === "docker.io"
      ? DOCKER_HUB_API_HOST
      : options.domain;
    this.repository = options.repository;
    this.#actions = options.actions;
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.#userAgent = options.settings.userAgent ?? options.userAgent ??
      "skopeo-ts";
    this.#credentials = credentials;
    this.#transport = transport;
    const limiter = (direction: TransferDirection): HostLimiter => {
      // Reads and writes have separate slots: a copy between two
      // repositories of one registry holds a read while it writes, and
      // shared slots could all be held by readers waiting for writers.
      const key = `${this.host} ${direction}`;
      let found = HOST_LIMITERS.get(key);
      if (found === undefined) {
        found = new HostLimiter(
          options.settings.maxConcurrentPerHost ??
            DEFAULT_MAX_CONCURRENT_PER_HOST,
        );
        HOST_LIMITERS.set(key, found);
      }
      return found;
    };
    this.#limiters = { read: limiter("read"), write: limiter("write") };
  }

  /**
   * Resolves credentials (explicit, `--no-creds`, auth files, helpers) and
   * TLS material (`--cert-dir` or `certs.d`) and makes a client.
   *
   * @param options Registry, repository, scope and settings.
   * @returns The client (no request sent yet).
   * @throws {AuthFileError} When an auth file is malformed.
   * @throws {CertificateDirectoryError} When a certificate directory is unusable.
   */
  static async create(options: RegistryClientOptions): Promise<RegistryClient> {
    const settings = options.settings;
    const shared = sharedFor(settings, options.domain);
    // Joined before any await: clients created at once share one ping.
    const ping = joinPingState(shared);
    let credentials: StoredCredentials | undefined;
    try {
      if (settings.credentials !== undefined) {
        credentials = { ...settings.credentials };
      } else if (!settings.noCreds) {
        const found = await storedCredentials(options);
        // Copied: the client must not share a mutable object with others.
        credentials = found === undefined ? undefined : { ...found };
      }
      if (shared.transport === undefined) {
        const tls = await tlsMaterialForHost(options.domain, {
          certDir: settings.certDir,
          certsRoots: settings.certsRoots,
        });
        shared.transport ??= createHttpTransport({
          tls,
          insecureSkipVerify: settings.tlsVerify === false,
        });
      }
    } catch (error) {
      leavePingState(ping);
      throw error;
    }
    shared.users++;
    const client = new RegistryClient(options, credentials, shared.transport);
    client.#shared = shared;
    client.#pingState = ping;
    return client;
  }

  /** The scheme found by the ping, once it ran. */
  get scheme(): "https" | "http" | undefined {
    return this.#scheme;
  }

  /** Releases connections (once no other client of the operation uses them). */
  close(): void {
    const shared = this.#shared;
    if (shared === undefined) return;
    this.#shared = undefined;
    if (this.#pingState !== undefined) leavePingState(this.#pingState);
    this.#pingState = undefined;
    if (--shared.users === 0) {
      shared.transport?.close();
      shared.transport = undefined;
    }
  }

  /**
   * Waits for a blob-transfer slot of this registry host (default 6 reads
   * and 6 writes at once, shared by every client of the host in this
   * process; the first client's `maxConcurrentPerHost` sets the size).
   *
   * @param direction `read` for downloads, `write` for uploads.
   * @param signal Aborts the wait.
   * @returns The function that frees the slot (idempotent).
   */
  acquireTransferSlot(
    direction: TransferDirection,
    signal?: AbortSignal,
  ): Promise<() => void> {
    return this.#limiters[direction].acquire(signal);
  }

  /**
   * Pings `/v2/` once (HTTPS first; plain HTTP too when TLS verification is
   * off) and remembers the scheme and authentication challenges.
   *
   * @param signal Aborts the ping.
   * @throws {RegistryError} With skopeo's `pinging container registry HOST: …` message.
   */
  ping(signal?: AbortSignal): Promise<void> {
    this.#pinging ??= this.#sharedPing(signal).then((result) => {
      this.#scheme = result.scheme;
      this.#challenges = result.challenges;
    }, (error) => {
      this.#pinging = undefined;
      throw error;
    });
    return this.#pinging;
  }

  /**
   * The ping result of this operation's clients of the host: known, in
   * flight (joined, so concurrent clients send one ping), or sent now.
   */
  async #sharedPing(signal: AbortSignal | undefined): Promise<PingResult> {
    const state = this.#pingState;
    if (state?.result !== undefined) return state.result;
    const running = state?.running;
    if (running !== undefined) {
      try {
        return await raceAbort(running.result, signal);
      } catch (error) {
        if (signal?.aborted) throw error;
        // The pinging client gave up (its own signal): ping for ourselves.
        if (running.signal?.aborted) {
          if (state!.running === running) state!.running = undefined;
          return await this.#sharedPing(signal);
        }
        // Callers reword errors in place: each gets its own copy.
        throw copyError(error);
      }
    }
    const result = this.#ping(signal);
    if (state !== undefined) {
      const entry = { result, signal };
      state.running = entry;
      result.then((found) => {
        state.result ??= found;
      }, () => {}).finally(() => {
        if (state.running === entry) state.running = undefined;
      });
    }
    return await result;
  }

  async #ping(signal: AbortSignal | undefined): Promise<PingResult> {
    const attempt = async (scheme: "https" | "http"): Promise<PingResult> => {
      const url = `${scheme}://${this.host}/v2/`;
      let response: Response;
      try {
        response = await this.#sendPing(url, signal);
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new RegistryError({
          status: 0,
          method: "GET",
          url,
          message: `pinging container registry ${this.host}: Get "${url}": ${
            networkErrorText(error)
          }`,
          temporary: true,
          cause: error,
        });
      }
      this.#logger?.debug(`Ping ${url} status ${response.status}`);
      if (response.status !== 200 && response.status !== 401) {
        throw await registryErrorFromResponse(response, {
          method: "GET",
          url,
          context: `pinging container registry ${this.host}`,
        });
      }
      await response.body?.cancel();
      return {
        scheme,
        challenges: await challengesOf(response),
      };
    };
    if (
      this.#settings.tlsVerify === false &&
      await answersPlainHttp(this.host, {
        getEnv: this.#settings.getEnv,
        signal,
      })
    ) {
      this.#logger?.debug(
        `${this.host} answers in plain HTTP; pinging it without trying HTTPS (TLS verification is off)`,
      );
      return await attempt("http");
    }
    try {
      return await attempt("https");
    } catch (error) {
      if (this.#settings.tlsVerify !== false || signal?.aborted) throw error;
      this.#logger?.debug(
        `HTTPS ping of ${this.host} failed; trying plain HTTP (TLS verification is off)`,
      );
      return await attempt("http");
    }
  }

  /**
   * GETs `/v2/` as Go's client would for skopeo: following redirects and
   * retrying 429 (as containers/image does); also retrying 500/502–504 a
   * few times, since every operation starts with this request. Of network
   * errors only a connection dropped before the answer is retried: a TLS
   * failure is how a plain-HTTP registry answers the HTTPS attempt, which
   * must fall back at once.
   */
  async #sendPing(
    url: string,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    let tooMany = 0;
    let transient = 0;
    let hops = 0;
    while (true) {
      let response: Response;
      try {
        response = await this.#transport.send({
          method: "GET",
          url,
          headers: this.#baseHeaders(),
          signal,
        });
      } catch (error) {
        if (
          signal?.aborted || transient >= DEFAULT_TRANSIENT_RETRIES ||
          !DROPPED_CONNECTION.test(networkErrorText(error))
        ) throw error;
        transient++;
        this.#logger?.debug(
          `Ping ${redactUrl(url)}: connection dropped, again`,
        );
        await sleep(TRANSIENT_RETRY_DELAY_MS * 2 ** (transient - 1), signal);
        continue;
      }
      const status = response.status;
      const location = response.headers.get("location");
      let delay: number | undefined;
      if (status === 429 && tooMany < TOO_MANY_REQUESTS_ATTEMPTS) {
        tooMany++;
        delay = Math.min(
          retryAfterMs(response) ??
            TOO_MANY_REQUESTS_INITIAL_DELAY_MS * 2 ** (tooMany - 1),
          MAX_RETRY_DELAY_MS,
        );
      } else if (
        (status === 500 || (status >= 502 && status <= 504)) &&
        transient < DEFAULT_TRANSIENT_RETRIES
      ) {
        transient++;
        delay = Math.min(
          retryAfterMs(response) ??
            TRANSIENT_RETRY_DELAY_MS * 2 ** (transient - 1),
          MAX_RETRY_DELAY_MS,
        );
      } else if (
        [301, 302, 303, 307, 308].includes(status) && location !== null &&
        hops < MAX_REDIRECTS
      ) {
        hops++;
        url = new URL(location, url).toString();
        delay = 0;
      } else {
        return response;
      }
      await response.body?.cancel();
      this.#logger?.debug(`Ping ${redactUrl(url)}: ${status}, again`);
      if (delay > 0) await sleep(delay, signal);
    }
  }

  /**
   * The absolute URL of an API path (`/v2/…`), after the ping.
   *
   * @param path The path with query.
   * @returns `scheme://host/path`.
   */
  url(path: string): string {
    return `${this.#scheme ?? "https"}://${this.host}${path}`;
  }

  #baseHeaders(extra?: HeadersInit): Headers {
    const headers = new Headers(extra);
    headers.set("Docker-Distribution-API-Version", "registry/2.0");
    headers.set("User-Agent", this.#userAgent);
    return headers;
  }

  /**
   * Sends an authenticated request to the registry. Non-2xx responses are
   * returned as they are (the caller words the error), except that 429 is
   * retried up to 5 times and, with `retryTimes` or `transientRetries`,
   * network errors and 502–504 (and 500 with `transientRetries`) are
   * retried for replayable bodies.
   *
   * @param method HTTP method.
   * @param target An API path (`/v2/…`) or an absolute URL (upload locations).
   * @param options Headers, body, extra scopes, signal.
   * @returns The final response; consume or cancel its body.
   * @throws {RegistryError} On network failure (status 0) or authentication failure.
   */
  async request(
    method: string,
    target: string,
    options: RegistryRequestOptions = {},
  ): Promise<Response> {
    const signal = options.signal;
    await this.ping(signal);
    let url = target.startsWith("/") ? this.url(target) : target;
    const replayable = options.body === undefined ||
      options.body instanceof Uint8Array;
    const follow = options.followRedirects ?? true;
    const retryTimes = this.#settings.retryTimes ?? 0;
    const transientRetries = options.transientRetries ?? 0;
    const retryBudget = Math.max(retryTimes, transientRetries);
    let tooManyAttempts = 0;
    let retries = 0;
    let refreshed = false;
    let hops = 0;
    let sendAuth = true;
    while (true) {
      const headers = this.#baseHeaders(options.headers);
      let tokenFromCache = false;
      if (sendAuth) {
        tokenFromCache = await this.#authorize(
          headers,
          options.extraScopes ?? [],
          signal,
        );
      }
      this.#logger?.debug(`${method} ${urlForLog(url)}`);
      let response: Response;
      try {
        response = await this.#transport.send({
          method,
          url,
          headers,
          body: options.body,
          contentLength: options.contentLength,
          signal,
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        if (replayable && retries < retryBudget) {
          retries++;
          this.#logger?.debug(
            `${method} ${redactUrl(url)}: ${networkErrorText(error)}`,
          );
          await this.#backoff(retries, undefined, retryTimes, signal);
          continue;
        }
        throw new RegistryError({
          status: 0,
          method,
          url,
          message: `${goMethod(method)} "${redactUrl(url)}": ${
            networkErrorText(error)
          }`,
          temporary: true,
          cause: error,
        });
      }
      const status = response.status;
      if (
        status === 401 && sendAuth && tokenFromCache && !refreshed && replayable
      ) {
        // A cached token may have been revoked or expired early: fetch anew once.
        refreshed = true;
        this.#tokens.delete(this.#scopeKey(options.extraScopes ?? []));
        await response.body?.cancel();
        continue;
      }
      if (
        status === 429 && replayable &&
        tooManyAttempts < TOO_MANY_REQUESTS_ATTEMPTS
      ) {
        tooManyAttempts++;
        const delay = Math.min(
          retryAfterMs(response) ??
            TOO_MANY_REQUESTS_INITIAL_DELAY_MS * 2 ** (tooManyAttempts - 1),
          MAX_RETRY_DELAY_MS,
        );
        await response.body?.cancel();
        this.#logger?.debug(
          `429 from ${redactUrl(url)}: retrying in ${delay} ms`,
        );
        await sleep(delay, signal);
        continue;
      }
      const transient = (status >= 502 && status <= 504) ||
        (status === 500 && transientRetries > 0);
      if (transient && replayable && retries < retryBudget) {
        retries++;
        await response.body?.cancel();
        this.#logger?.debug(`${status} from ${redactUrl(url)}`);
        await this.#backoff(
          retries,
          retryAfterMs(response),
          retryTimes,
          signal,
        );
        continue;
      }
      const location = response.headers.get("location");
      // As Go's client: any redirect of GET/HEAD; 307/308 keep the method
      // (a DELETE, say) and so need a body that can be sent again.
      const redirect = (method === "GET" || method === "HEAD")
        ? [301, 302, 303, 307, 308].includes(status)
        : (status === 307 || status === 308) && replayable;
      if (follow && redirect && location !== null) {
        if (++hops > MAX_REDIRECTS) {
          await response.body?.cancel();
          throw new RegistryError({
            status,
            method,
            url,
            message: `${goMethod(method)} "${
              redactUrl(url)
            }": stopped after ${MAX_REDIRECTS} redirects`,
          });
        }
        const next = new URL(location, url);
        // Credentials belong to the registry: never send them elsewhere.
        if (next.origin !== new URL(url).origin) sendAuth = false;
        url = next.toString();
        await response.body?.cancel();
        continue;
      }
      return response;
    }
  }

  async #backoff(
    attempt: number,
    retryAfter: number | undefined,
    retryTimes: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    // Retries the user asked for (`--retry-times`) wait as skopeo's do;
    // the few a request adds on its own wait briefly.
    const base = attempt <= retryTimes ? 1000 : TRANSIENT_RETRY_DELAY_MS;
    const delay = Math.min(
      retryAfter ?? this.#settings.retryDelayMs ?? base * 2 ** (attempt - 1),
      MAX_RETRY_DELAY_MS,
    );
    this.#logger?.debug(`Retrying (attempt ${attempt}) in ${delay} ms`);
    await sleep(delay, signal);
  }

  #scopes(extra: readonly string[]): string[] {
    return this.repository === ""
      ? [...extra]
      : [`repository:${this.repository}:${this.#actions}`, ...extra];
  }

  /**
   * Checks the credentials against the registry, as `login` does
   * (containers/image `CheckAuth`): GET `/v2/` authenticated, no scope.
   * Only meaningful on a client created with an empty `repository`.
   *
   * @param signal Aborts the check.
   * @throws {UnauthorizedError} When the registry refuses the credentials.
   * @throws {RegistryError} On other failures.
   */
  async checkAuth(signal?: AbortSignal): Promise<void> {
    const response = await this.request("GET", "/v2/", { signal });
    if (response.status === 200) {
      await response.body?.cancel();
      return;
    }
    const url = this.url("/v2/");
    if (response.status === 401) {
      throw await statusErrorFromResponse(response, {
        method: "GET",
        url,
        context: "",
      });
    }
    await response.body?.cancel();
    throw new RegistryError({
      status: response.status,
      method: "GET",
      url,
      message: `error occurred with status code ${response.status} (${
        response.statusText || "unknown"
      })`,
    });
  }

  #scopeKey(extra: readonly string[]): string {
    return [...extra].sort().join(" ");
  }

  /** Adds Authorization; returns whether a cached bearer token was used. */
  async #authorize(
    headers: Headers,
    extraScopes: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    for (const challenge of this.#challenges) {
      if (challenge.scheme === "basic") {
        const c = this.#credentials;
        if (c !== undefined && (c.username !== "" || c.password !== "")) {
          headers.set(
            "Authorization",
            `Basic ${basic(c.username, c.password)}`,
          );
        }
        return false;
      }
      if (challenge.scheme === "bearer") {
        if (this.#settings.registryToken) {
          headers.set(
            "Authorization",
            `Bearer ${this.#settings.registryToken}`,
          );
          return false;
        }
        const key = this.#scopeKey(extraScopes);
        const cached = this.#tokens.get(key);
        if (cached !== undefined && cached.expiresAt > Date.now()) {
          headers.set("Authorization", `Bearer ${cached.token}`);
          return true;
        }
        const token = await this.#fetchToken(
          challenge,
          this.#scopes(extraScopes),
          signal,
        );
        this.#tokens.set(key, token);
        headers.set("Authorization", `Bearer ${token.token}`);
        return false;
      }
    }
    return false;
  }

  async #fetchToken(
    challenge: AuthChallenge,
    scopes: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<CachedToken> {
    const realm = challenge.params.realm;
    if (realm === undefined || realm === "") {
      throw new RegistryError({
        status: 0,
        method: "GET",
        url: this.url("/v2/"),
        message: "missing realm in bearer auth challenge",
      });
    }
    let url: URL;
    try {
      url = new URL(realm);
    } catch (error) {
      throw new RegistryError({
        status: 0,
        method: "GET",
        url: this.url("/v2/"),
        message: `invalid bearer realm "${realm}"`,
        cause: error,
      });
    }
    const service = challenge.params.service;
    const c = this.#credentials;
    const headers = this.#baseHeaders();
    let method = "GET";
    let body: Uint8Array | undefined;
    if (c?.identityToken) {
      method = "POST";
      const form = new URLSearchParams();
      form.append("grant_type", "refresh_token");
      form.append("refresh_token", c.identityToken);
      form.append("client_id", "containers/image");
      if (service) form.append("service", service);
      for (const scope of scopes) form.append("scope", scope);
      body = new TextEncoder().encode(form.toString());
      headers.set("Content-Type", "application/x-www-form-urlencoded");
    } else {
      if (c !== undefined && c.username !== "") {
        url.searchParams.append("account", c.username);
      }
      if (service) url.searchParams.append("service", service);
      for (const scope of scopes) url.searchParams.append("scope", scope);
      if (c !== undefined && c.username !== "" && c.password !== "") {
        headers.set("Authorization", `Basic ${basic(c.username, c.password)}`);
      }
    }
    this.#logger?.debug(`${method} ${redactUrl(url.toString())}`);
    let response: Response;
    try {
      response = await this.#transport.send({
        method,
        url: url.toString(),
        headers,
        body,
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new RegistryError({
        status: 0,
        method,
        url: url.toString(),
        message: `${goMethod(method)} "${redactUrl(url.toString())}": ${
          networkErrorText(error)
        }`,
        temporary: true,
        cause: error,
      });
    }
    if (response.status !== 200) {
      throw await statusErrorFromResponse(response, {
        method,
        url: url.toString(),
        context: "Requesting bearer token",
      });
    }
    const text = await response.text();
    if (text.length > MAX_TOKEN_BODY) {
      throw new RegistryError({
        status: 200,
        method,
        url: url.toString(),
        message: "bearer token response is too large",
      });
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new RegistryError({
        status: 200,
        method,
        url: url.toString(),
        message: `invalid bearer token response: ${(error as Error).message}`,
        cause: error,
      });
    }
    const token = typeof parsed.token === "string" && parsed.token !== ""
      ? parsed.token
      : typeof parsed.access_token === "string"
      ? parsed.access_token
      : "";
    let lifetime = typeof parsed.expires_in === "number"
      ? parsed.expires_in
      : 0;
    if (lifetime < MIN_TOKEN_LIFETIME_S) lifetime = MIN_TOKEN_LIFETIME_S;
    const issued = typeof parsed.issued_at === "string"
      ? Date.parse(parsed.issued_at)
      : NaN;
    const issuedAt = Number.isNaN(issued) ? Date.now() : issued;
    return { token, expiresAt: issuedAt + lifetime * 1000 };
  }
}

/** `promise`, or the abort of `signal` if that comes first. */
function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() =>
      signal.removeEventListener("abort", onAbort)
    );
  });
}

/** A copy of an error with the same class and fields. */
function copyError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const copy = Object.create(Object.getPrototypeOf(error)) as Error;
  for (const name of Object.getOwnPropertyNames(error)) {
    Object.defineProperty(
      copy,
      name,
      Object.getOwnPropertyDescriptor(error, name)!,
    );
  }
  return copy;
}

function basic(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
