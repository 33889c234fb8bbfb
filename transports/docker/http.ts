/**
 * The two ways the docker transport sends HTTP requests:
 * - `fetch` with a `Deno.createHttpClient` per registry (extra CAs, client
 *   certificate, HTTP/1.1, which is about twice as fast as h2 for blobs on
 *   loopback), for plain HTTP and verified HTTPS;
 * - `node:https` with `rejectUnauthorized: false` for HTTPS when TLS
 *   verification is off (`--tls-verify=false`): fetch cannot skip
 *   verification per client, only process-wide.
 *
 * Both never follow redirects (the client does, to drop credentials on
 * cross-host hops) and return a standard `Response`.
 *
 * @module
 */
import type { TlsMaterial } from "./tls.ts";

/** One request. */
export interface HttpRequest {
  /** HTTP method. */
  method: string;
  /** Absolute URL. */
  url: string;
  /** Request headers. */
  headers: Headers;
  /** The body: bytes (replayable) or a stream (sent once). */
  body?: Uint8Array | ReadableStream<Uint8Array> | undefined;
  /** The body's length, when known: sent as Content-Length by the node path. */
  contentLength?: number | undefined;
  /** Aborts the request. */
  signal?: AbortSignal | undefined;
}

/** Sends requests; close it when done. */
export interface HttpTransport {
  /** Sends one request without following redirects. */
  send(request: HttpRequest): Promise<Response>;
  /** Releases connections. */
  close(): void;
}

/** Options of {@linkcode createHttpTransport}. */
export interface HttpTransportOptions {
  /** CAs and client certificate. */
  tls?: TlsMaterial | undefined;
  /** Skip certificate verification (HTTPS goes through `node:https`). */
  insecureSkipVerify?: boolean | undefined;
}

/**
 * Creates the transport for one registry.
 *
 * @param options TLS material and whether to verify certificates.
 * @returns A transport choosing fetch or `node:https` per request.
 */
export function createHttpTransport(
  options: HttpTransportOptions = {},
): HttpTransport {
  const tls = options.tls;
  let client: Deno.HttpClient | undefined;
  let insecure: NodeHttpsTransport | undefined;
  const fetchClient = (): Deno.HttpClient => {
    if (client === undefined) {
      const init: Deno.CreateHttpClientOptions = {
        caCerts: tls?.caCerts ?? [],
        http2: false,
        http1: true,
      };
      client = Deno.createHttpClient(
        tls?.cert !== undefined && tls.key !== undefined
          ? { ...init, cert: tls.cert, key: tls.key }
          : init,
      );
    }
    return client;
  };
  // With verification off, HTTPS is first tried through fetch (verifying):
  // a valid certificate or a plain-HTTP server (the usual local registry)
  // is then handled without loading node:https (~20 ms and a TLS stack).
  // Only a certificate failure switches this host to node:https for good.
  let insecureMode: "unknown" | "fetch" | "node" = "unknown";
  const viaFetch = (request: HttpRequest): Promise<Response> => {
    const init: RequestInit & { client: Deno.HttpClient } = {
      method: request.method,
      headers: request.headers,
      redirect: "manual",
      client: fetchClient(),
    };
    if (request.body !== undefined) {
      init.body = request.body as BodyInit;
    }
    if (request.signal !== undefined) init.signal = request.signal;
    return fetch(request.url, init);
  };
  const viaNode = (request: HttpRequest): Promise<Response> => {
    insecure ??= new NodeHttpsTransport(tls);
    return insecure.send(request);
  };
  return {
    async send(request) {
      if (!options.insecureSkipVerify || !request.url.startsWith("https:")) {
        return await viaFetch(request);
      }
      const replayable = request.body === undefined ||
        request.body instanceof Uint8Array;
      if (
        insecureMode === "node" || (insecureMode === "unknown" && !replayable)
      ) {
        return await viaNode(request);
      }
      if (insecureMode === "fetch") return await viaFetch(request);
      try {
        const response = await viaFetch(request);
        insecureMode = "fetch";
        return response;
      } catch (error) {
        if (!isCertificateError(error)) throw error;
        insecureMode = "node";
        return await viaNode(request);
      }
    },
    close() {
      client?.close();
      client = undefined;
      insecure?.close();
      insecure = undefined;
    },
  };
}

/** Whether fetch failed on the server's certificate (not on the connection). */
function isCertificateError(error: unknown): boolean {
  let text = "";
  for (let e = error; e instanceof Error; e = e.cause) text += ` ${e.message}`;
  return /certificate|UnknownIssuer|CertNotValid|NotValidForName|BadSignature|CertExpired|unknown ca/i
    .test(text);
}

type NodeHttps = typeof import("node:https");

/** HTTPS without certificate verification, through `node:https`. */
class NodeHttpsTransport {
  #tls: TlsMaterial | undefined;
  #module: Promise<NodeHttps> | undefined;
  #agent: import("node:https").Agent | undefined;

  constructor(tls: TlsMaterial | undefined) {
    this.#tls = tls;
  }

  async send(request: HttpRequest): Promise<Response> {
    // Loaded lazily: node:https costs ~20 ms of start-up.
    this.#module ??= import("node:https");
    const https = await this.#module;
    const { Readable } = await import("node:stream");
    this.#agent ??= new https.Agent({
      keepAlive: true,
      rejectUnauthorized: false,
      ...(this.#tls?.cert !== undefined && this.#tls.key !== undefined
        ? { cert: this.#tls.cert, key: this.#tls.key }
        : {}),
    });
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => headers[name] = value);
    if (
      request.contentLength !== undefined && request.contentLength >= 0 &&
      request.body !== undefined
    ) {
      headers["content-length"] = String(request.contentLength);
    } else if (request.body instanceof Uint8Array) {
      headers["content-length"] = String(request.body.byteLength);
    }
    return await new Promise<Response>((resolve, reject) => {
      const req = https.request(request.url, {
        method: request.method,
        headers,
        agent: this.#agent!,
        ...(request.signal !== undefined ? { signal: request.signal } : {}),
      });
      req.on("error", reject);
      req.on("response", (res) => {
        const responseHeaders = new Headers();
        const raw = res.rawHeaders;
        for (let i = 0; i + 1 < raw.length; i += 2) {
          responseHeaders.append(raw[i]!, raw[i + 1]!);
        }
        const status = res.statusCode ?? 0;
        const bodyless = request.method === "HEAD" || status === 204 ||
          status === 304;
        if (bodyless) res.resume();
        resolve(
          new Response(
            bodyless
              ? null
              : Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>,
            {
              status,
              statusText: res.statusMessage ?? "",
              headers: responseHeaders,
            },
          ),
        );
      });
      const body = request.body;
      if (body === undefined) {
        req.end();
      } else if (body instanceof Uint8Array) {
        req.end(body);
      } else {
        pump(body, req).catch((error) => req.destroy(error));
      }
    });
  }

  close(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
  }
}

/** Writes a web stream into a node request, honouring back-pressure. */
async function pump(
  body: ReadableStream<Uint8Array>,
  req: import("node:http").ClientRequest,
): Promise<void> {
  const reader = body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!req.write(value)) {
        await new Promise<void>((resolve, reject) => {
          const onDrain = (): void => {
            req.off("error", onError);
            resolve();
          };
          const onError = (error: Error): void => {
            req.off("drain", onDrain);
            reject(error);
          };
          req.once("drain", onDrain);
          req.once("error", onError);
        });
      }
    }
    req.end();
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  }
}

/** Options of {@linkcode answersPlainHttp}. */
export interface PlainHttpProbeOptions {
  /** Environment lookup for the proxy variables; default `Deno.env.get`. */
  getEnv?: ((name: string) => string | undefined) | undefined;
  /** Gives up (answering `false`) after this many ms; default 300. */
  timeoutMs?: number | undefined;
  /** Aborts the probe (answering `false`). */
  signal?: AbortSignal | undefined;
}

/**
 * A TLS record holding a ClientHello too short to parse, ending in CRLF: a
 * TLS server answers it with an alert at once; a plain HTTP server reads it
 * as a malformed request line and answers `HTTP/1.x 400`.
 */
const BROKEN_CLIENT_HELLO = new Uint8Array([
  0x16,
  0x03,
  0x01,
  0x00,
  0x06,
  0x01,
  0x00,
  0x00,
  0x02,
  0x0d,
  0x0a,
]);

/**
 * Whether `host` (as `name[:port]`, port 443 by default) speaks plain HTTP
 * where HTTPS was asked for. With TLS verification off, the HTTPS ping of
 * such a host can only fail ("server gave HTTP response to HTTPS client");
 * knowing it from one TCP round trip spares the TLS stack's start-up
 * (50–150 ms here) before the plain-HTTP ping. `false` means "not known
 * to be plain": proxied hosts (the probe would bypass the proxy), refused
 * connections, TLS answers, silence and timeouts all take the normal path.
 *
 * @param host The registry host, with an optional port.
 * @param options Proxy environment, time limit, cancellation.
 * @returns `true` only when the host answered in plain HTTP.
 */
export async function answersPlainHttp(
  host: string,
  options: PlainHttpProbeOptions = {},
): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(`https://${host}/`);
  } catch {
    return false;
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isProxied(hostname, url.port || "443", options.getEnv)) return false;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 300);
  const signal = options.signal
    ? AbortSignal.any([options.signal, timeout])
    : timeout;
  let conn: Deno.TcpConn | undefined;
  const aborted = new Promise<null>((resolve) => {
    if (signal.aborted) resolve(null);
    signal.addEventListener("abort", () => resolve(null), { once: true });
  });
  try {
    const connecting = Deno.connect({
      hostname,
      port: Number(url.port || "443"),
    });
    conn = await Promise.race([connecting, aborted]) ?? undefined;
    if (conn === undefined) {
      // Too late: close the connection if it still comes.
      connecting.then((late) => late.close(), () => {});
      return false;
    }
    await conn.write(BROKEN_CLIENT_HELLO);
    const head = new Uint8Array(5);
    let filled = 0;
    while (filled < head.length) {
      const n = await Promise.race([conn.read(head.subarray(filled)), aborted]);
      if (n === null) break;
      filled += n;
    }
    return new TextDecoder().decode(head.subarray(0, filled)) === "HTTP/";
  } catch {
    return false;
  } finally {
    try {
      conn?.close();
    } catch {
      // already closed
    }
  }
}

/**
 * Whether fetch would send an `https` request for `hostname:port` through
 * a proxy (`HTTPS_PROXY`/`ALL_PROXY`, either case, unless `NO_PROXY`
 * names the host). Unsure answers (CIDR entries) count as proxied.
 */
function isProxied(
  hostname: string,
  port: string,
  getEnv: ((name: string) => string | undefined) | undefined,
): boolean {
  const env = (name: string): string => {
    try {
      return (getEnv ?? Deno.env.get)(name) ??
        (getEnv ?? Deno.env.get)(name.toLowerCase()) ?? "";
    } catch {
      return "";
    }
  };
  if (!env("HTTPS_PROXY") && !env("ALL_PROXY")) return false;
  const name = hostname.toLowerCase();
  for (const raw of env("NO_PROXY").split(",")) {
    let entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return false;
    const withPort = /^(.*[^:\]]):(\d+)$/.exec(entry);
    if (withPort && !entry.includes("::")) {
      if (withPort[2] !== port) continue;
      entry = withPort[1]!;
    }
    entry = entry.replace(/^\[(.*)\]$/, "$1");
    if (entry.startsWith(".")) {
      if (name.endsWith(entry)) return false;
    } else if (name === entry || name.endsWith(`.${entry}`)) {
      return false;
    }
  }
  return true;
}
