/**
 * A small Docker Engine API client: the two calls skopeo makes (`GET
 * /images/get`, `POST /images/load`), over a unix socket (`unix://PATH`),
 * plain TCP (`http://HOST:PORT`) or TLS (`tcp://` and `https://`, with
 * `ca.pem`, `cert.pem` and `key.pem` from the cert directory), with the
 * Docker client's error wording.
 *
 * @module
 */
import type { OpenOptions } from "../../core/transport.ts";

/** The engine's default address. */
export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

/** The API version skopeo 1.9.3 asks for (every engine since 1.10 serves it). */
const API_VERSION = "v1.22";

/** Settings of the transport under `context.settings["docker-daemon"]`. */
export interface DockerDaemonSettings {
  /** `unix:///path`, `http://host:port`, `tcp://host:port`, `https://…`. */
  host?: string;
  /** A directory holding `ca.pem`, `cert.pem` and `key.pem` for TLS hosts. */
  certDir?: string;
}

/** The host to talk to, from the settings, `DOCKER_HOST` or the default. */
export function daemonSettings(
  options: OpenOptions,
): { host: string; certDir: string | undefined; isDefault: boolean } {
  const raw = options.context?.settings?.["docker-daemon"] ?? {};
  const host = raw["host"];
  const certDir = raw["certDir"];
  if (host !== undefined && typeof host !== "string") {
    throw new TypeError('settings["docker-daemon"].host must be a string');
  }
  if (certDir !== undefined && typeof certDir !== "string") {
    throw new TypeError('settings["docker-daemon"].certDir must be a string');
  }
  // skopeo 1.9.3 ignores DOCKER_HOST; docker's own CLI honours it, so do we.
  const chosen = host || envDockerHost() || DEFAULT_DOCKER_HOST;
  return {
    host: chosen,
    certDir: certDir || undefined,
    isDefault: chosen === DEFAULT_DOCKER_HOST,
  };
}

/** `DOCKER_HOST`, when set and readable (no env permission = unset). */
function envDockerHost(): string | undefined {
  try {
    return Deno.env.get("DOCKER_HOST");
  } catch {
    return undefined;
  }
}

/** An error response of the engine (`Error response from daemon: …`). */
export class EngineResponseError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /**
   * @param status The HTTP status.
   * @param message The engine's message.
   */
  constructor(status: number, message: string) {
    super(`Error response from daemon: ${message}`);
    this.name = "EngineResponseError";
    this.status = status;
  }
}

/** Options of {@linkcode EngineClient.request}. */
export interface EngineRequestOptions {
  /** The request body, streamed. */
  body?: ReadableStream<Uint8Array> | undefined;
  /** Extra headers. */
  headers?: Record<string, string> | undefined;
  /** Aborts the request. */
  signal?: AbortSignal | undefined;
}

/** A connection to one engine. Close it. */
export class EngineClient implements Disposable {
  /** The host as given (`unix:///var/run/docker.sock`). */
  readonly host: string;
  readonly #base: string;
  readonly #client: Deno.HttpClient | undefined;

  /**
   * Use {@linkcode EngineClient.create}.
   *
   * @param host The host as given.
   * @param base The URL requests go to, API version included.
   * @param client The HTTP client (socket or TLS settings), if any.
   */
  constructor(host: string, base: string, client: Deno.HttpClient | undefined) {
    this.host = host;
    this.#base = base;
    this.#client = client;
  }

  /**
   * Prepares a client for `host` (nothing is connected yet).
   *
   * @throws {Error} `unable to parse docker host` and the like, as docker's
   * client words them; errors reading the TLS files.
   */
  static async create(
    host: string,
    options: { certDir?: string | undefined } = {},
  ): Promise<EngineClient> {
    const separator = host.indexOf("://");
    if (separator < 0) {
      throw new Error(`unable to parse docker host \`${host}\``);
    }
    const scheme = host.slice(0, separator);
    let address = host.slice(separator + 3);
    let basePath = "";
    if (scheme === "unix") {
      const client = Deno.createHttpClient({
        proxy: { transport: "unix", path: address },
      });
      return new EngineClient(host, `http://docker/${API_VERSION}`, client);
    }
    if (scheme === "npipe") {
      throw new Error(`protocol not available: ${scheme}`);
    }
    if (scheme === "tcp") {
      const url = new URL(`http://${address}`);
      address = url.host;
      basePath = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
    }
    if (scheme === "http") {
      return new EngineClient(
        host,
        `http://${address}${basePath}/${API_VERSION}`,
        undefined,
      );
    }
    // Docker's client speaks TLS to every other scheme, tcp:// included.
    let client: Deno.HttpClient | undefined;
    if (options.certDir) {
      const read = (name: string): Promise<string> =>
        Deno.readTextFile(`${options.certDir}/${name}`);
      client = Deno.createHttpClient({
        caCerts: [await read("ca.pem")],
        cert: await read("cert.pem"),
        key: await read("key.pem"),
      });
    }
    return new EngineClient(
      host,
      `https://${address}${basePath}/${API_VERSION}`,
      client,
    );
  }

  /**
   * Sends a request; a non-2xx answer becomes an error.
   *
   * @param method `GET`, `POST`…
   * @param path `/images/get?names=…` (without the API version).
   * @throws {EngineResponseError} When the engine answers with an error.
   * @throws {Error} `Cannot connect to the Docker daemon at HOST. Is the
   * docker daemon running?` when nothing listens.
   */
  async request(
    method: string,
    path: string,
    options: EngineRequestOptions = {},
  ): Promise<Response> {
    const url = `${this.#base}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        ...(options.body ? { body: options.body } : {}),
        ...(options.headers ? { headers: options.headers } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(this.#client ? { client: this.#client } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw this.#connectError(method, url, error);
    }
    if (response.ok) return response;
    const text = (await response.text()).trim();
    let message = text;
    try {
      const json = JSON.parse(text);
      if (typeof json?.message === "string") message = json.message;
    } catch {
      // a plain-text answer (older API versions)
    }
    throw new EngineResponseError(
      response.status,
      message || `${response.status} ${response.statusText}`,
    );
  }

  #connectError(method: string, url: string, error: unknown): Error {
    const detail = error instanceof Error
      ? String((error.cause as Error | undefined)?.message ?? error.message)
      : String(error);
    // Nothing listening (refused, no socket file): the Docker client's words.
    if (
      /Connection refused|No such file or directory|os error (2|111)\)/.test(
        detail,
      )
    ) {
      return new Error(
        `Cannot connect to the Docker daemon at ${this.host}. Is the docker daemon running?`,
        { cause: error },
      );
    }
    return new Error(
      `error during connect: ${method[0]}${
        method.slice(1).toLowerCase()
      } "${url}": ${goTlsText(detail)}`,
      { cause: error },
    );
  }

  /** Releases the connection pool. */
  close(): void {
    this.#client?.close();
  }

  /** Same as {@linkcode close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Go's wording for the TLS failures users meet most (skopeo's text). */
function goTlsText(text: string): string {
  if (/InvalidContentType|wrong version number/.test(text)) {
    return "http: server gave HTTP response to HTTPS client";
  }
  if (/UnknownIssuer/.test(text)) {
    return "x509: certificate signed by unknown authority";
  }
  return text;
}
