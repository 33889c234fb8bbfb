/**
 * A loopback HTTP proxy in front of a real registry that injects faults by
 * rule (method + path pattern + which occurrence), for reliability tests:
 * error statuses, resets and truncation mid-body, slow answers, a wrong
 * `Content-Length`, corrupted bytes and redirects to a second loopback
 * listener (another origin). Everything else passes through unchanged.
 * Every request is recorded for assertions.
 *
 * Bodies are buffered: test images are small, and buffering lets a fault
 * cut or flip bytes at an exact offset. The main listener is a TCP relay in
 * front of an HTTP server, so that a `drop` fault can close a connection
 * before any response byte (Deno.serve always sends a status first).
 *
 * @example Fail the first blob GET once with 503
 * ```ts ignore
 * await using proxy = startFaultProxy({ upstream: registry.url });
 * proxy.addRule({ method: "GET", path: /\/blobs\//, fault: { kind: "status", status: 503 } });
 * ```
 *
 * @module
 */

/** Longest delay a `slow` fault may add, so a test cannot hang on it. */
export const MAX_SLOW_DELAY_MS = 5_000;

/** What a rule does to the matched request. */
export type Fault =
  /** Answers with this status (no upstream request); `Retry-After` in seconds. */
  | { kind: "status"; status: number; retryAfter?: number }
  /** Sends `afterBytes` of the real body, then breaks the connection. */
  | { kind: "reset"; afterBytes?: number }
  /** Declares the full `Content-Length`, sends `afterBytes`, then closes. */
  | { kind: "truncate"; afterBytes?: number }
  /** Waits `delayMs` (at most {@linkcode MAX_SLOW_DELAY_MS}) before answering. */
  | { kind: "slow"; delayMs: number }
  /** Declares and sends `delta` fewer bytes than the real body: a short but clean response. */
  | { kind: "wrong-length"; delta?: number }
  /** Flips one byte (default the middle one) of the real body; same length. */
  | { kind: "corrupt"; offset?: number }
  /** Answers 307 to the same path on the second listener (another origin). */
  | { kind: "redirect" }
  /**
   * Pads the real body with spaces to `bytes` in all (JSON stays valid),
   * with a `Content-Length`, or `chunked` without one.
   */
  | { kind: "oversize"; bytes: number; chunked?: boolean }
  /** Drops the `Range` request header, as a registry without range support. */
  | { kind: "ignore-range" }
  /**
   * Closes the client's connection without any answer: before the request
   * reaches the registry, or with `forwarded` after the registry handled
   * it (the answer is lost).
   */
  | { kind: "drop"; forwarded?: boolean }
  /**
   * Sets one header of the real answer (e.g. a wrong
   * `Docker-Content-Digest`), status and body unchanged.
   */
  | { kind: "header"; name: string; value: string };

/** When a fault applies. */
export interface FaultRule {
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Pattern matched against the path with query. */
  path: RegExp;
  /** First matching occurrence (1-based) that gets the fault; default 1. */
  nth?: number;
  /** How many consecutive occurrences get it; default 1 (`Infinity`: persistent). */
  times?: number;
  /** The fault. */
  fault: Fault;
}

/** One request the proxy answered. */
export interface RecordedRequest {
  /** `main` or `redirect` (the second listener). */
  listener: "main" | "redirect";
  /** HTTP method. */
  method: string;
  /** Path with query. */
  path: string;
  /** Status sent. */
  status: number;
  /** The fault applied, if any. */
  fault: Fault["kind"] | undefined;
  /** The `Range` request header. */
  range: string | null;
  /** Whether an `Authorization` header was sent. */
  authorization: boolean;
}

/** Options of {@linkcode startFaultProxy}. */
export interface FaultProxyOptions {
  /** The registry's base URL: `http://127.0.0.1:PORT`. */
  upstream: string;
}

/** A running proxy. */
export interface FaultProxy extends AsyncDisposable {
  /** `127.0.0.1:PORT`, for image references. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The second listener's base URL, target of `redirect` faults. */
  redirectUrl: string;
  /** Requests answered so far, in order. */
  requests: RecordedRequest[];
  /** Adds a rule; each counts its own matches, and the earliest-added rule due wins. */
  addRule(rule: FaultRule): void;
  /** Removes every rule and forgets recorded requests. */
  reset(): void;
  /** Stops both listeners. */
  stop(): Promise<void>;
}

/** Deno.serve logs the error that aborts a body: keep that log one line. */
const RESET = Object.assign(
  new Error("fault_proxy: injected reset (expected)"),
  { stack: "fault_proxy: injected reset (expected)" },
);

interface ActiveRule {
  rule: FaultRule;
  seen: number;
}

const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "transfer-encoding",
  "host",
  "content-length",
];

/**
 * Starts the proxy on two free loopback ports.
 *
 * @param options The upstream registry.
 * @returns The running proxy; dispose of it (or call `stop()`).
 */
export function startFaultProxy(options: FaultProxyOptions): FaultProxy {
  const upstream = new URL(options.upstream);
  let rules: ActiveRule[] = [];
  const requests: RecordedRequest[] = [];
  const serve = (
    listener: "main" | "redirect",
  ): Deno.HttpServer<Deno.NetAddr> =>
    Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request, info) =>
        handle(request, listener, (info.remoteAddr as Deno.NetAddr).port),
    );
  const main = serve("main");
  const redirect = serve("redirect");
  const relay = startRelay(main.addr.port);
  const mainUrl = `http://127.0.0.1:${relay.port}`;
  const redirectUrl = `http://127.0.0.1:${redirect.addr.port}`;

  /** Every matching rule counts the request; the first one due fires. */
  function pick(method: string, path: string): Fault | undefined {
    let chosen: Fault | undefined;
    for (const active of rules) {
      const { rule } = active;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (!rule.path.test(path)) continue;
      active.seen++;
      const first = rule.nth ?? 1;
      const due = active.seen >= first &&
        active.seen < first + (rule.times ?? 1);
      if (due) chosen ??= rule.fault;
    }
    return chosen;
  }

  async function handle(
    request: Request,
    listener: "main" | "redirect",
    relayPort: number,
  ): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname + url.search;
    const fault = listener === "main" ? pick(request.method, path) : undefined;
    const record = (status: number): void => {
      requests.push({
        listener,
        method: request.method,
        path,
        status,
        fault: fault?.kind,
        range: request.headers.get("range"),
        authorization: request.headers.has("authorization"),
      });
    };
    if (fault?.kind === "status") {
      await request.body?.cancel();
      record(fault.status);
      const headers = new Headers();
      if (fault.retryAfter !== undefined) {
        headers.set("retry-after", String(fault.retryAfter));
      }
      return new Response(`injected ${fault.status}`, {
        status: fault.status,
        headers,
      });
    }
    if (fault?.kind === "drop") {
      if (fault.forwarded) await forward(request, path, fault);
      else await request.body?.cancel();
      record(0);
      relay.drop(relayPort);
      return new Response(null, { status: 502 });
    }
    if (fault?.kind === "redirect") {
      await request.body?.cancel();
      record(307);
      return new Response(null, {
        status: 307,
        headers: { location: redirectUrl + path },
      });
    }
    if (fault?.kind === "slow") {
      await new Promise((r) =>
        setTimeout(r, Math.min(fault.delayMs, MAX_SLOW_DELAY_MS))
      );
    }
    const answer = await forward(request, path, fault);
    record(answer.status);
    return shape(answer, fault, request.method);
  }

  async function forward(
    request: Request,
    path: string,
    fault: Fault | undefined,
  ): Promise<
    { status: number; headers: Headers; body: Uint8Array<ArrayBuffer> }
  > {
    const headers = new Headers(request.headers);
    for (const name of HOP_BY_HOP) headers.delete(name);
    if (fault?.kind === "ignore-range") headers.delete("range");
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    const response = await fetch(new URL(path, upstream), {
      method: request.method,
      headers,
      body: hasBody ? await request.arrayBuffer() : null,
      redirect: "manual",
    });
    const body = new Uint8Array(await response.arrayBuffer());
    const out = new Headers(response.headers);
    for (const name of HOP_BY_HOP) out.delete(name);
    // Keep clients on the proxy: upload locations are absolute URLs.
    const location = out.get("location");
    if (location !== null && location.startsWith(upstream.origin)) {
      out.set("location", mainUrl + location.slice(upstream.origin.length));
    }
    const length = response.headers.get("content-length");
    if (length !== null) out.set("content-length", length);
    return { status: response.status, headers: out, body };
  }

  function shape(
    answer: { status: number; headers: Headers; body: Uint8Array<ArrayBuffer> },
    fault: Fault | undefined,
    method: string,
  ): Response {
    const { status, headers, body } = answer;
    if (fault?.kind === "header") headers.set(fault.name, fault.value);
    const nullBody = method === "HEAD" || status === 204 || status === 304;
    if (nullBody) return new Response(null, { status, headers });
    switch (fault?.kind) {
      case "reset":
      case "truncate": {
        const cut = Math.min(
          fault.afterBytes ?? Math.floor(body.byteLength / 2),
          body.byteLength,
        );
        const reset = fault.kind === "reset";
        headers.set("content-length", String(body.byteLength));
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            if (cut > 0) controller.enqueue(body.slice(0, cut));
            // Erroring the stream makes the server abort the connection;
            // closing it early leaves the declared length unmet.
            if (reset) {
              controller.error(RESET);
            } else controller.close();
          },
        });
        return new Response(stream, { status, headers });
      }
      case "wrong-length": {
        const short = body.slice(
          0,
          Math.max(0, body.byteLength - (fault.delta ?? 1)),
        );
        headers.set("content-length", String(short.byteLength));
        return new Response(short, { status, headers });
      }
      case "corrupt": {
        const copy = body.slice();
        if (copy.byteLength > 0) {
          const at = Math.min(
            fault.offset ?? Math.floor(copy.byteLength / 2),
            copy.byteLength - 1,
          );
          copy[at] = copy[at]! ^ 0xff;
        }
        return new Response(copy, { status, headers });
      }
      case "oversize": {
        const padding = Math.max(0, fault.bytes - body.byteLength);
        if (!fault.chunked) {
          const big = new Uint8Array(body.byteLength + padding).fill(0x20);
          big.set(body);
          headers.set("content-length", String(big.byteLength));
          return new Response(big, { status, headers });
        }
        headers.delete("content-length");
        const chunk = new Uint8Array(64 * 1024).fill(0x20);
        let left = padding;
        let first = true;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (first) {
              first = false;
              controller.enqueue(body);
            } else if (left > 0) {
              const n = Math.min(left, chunk.byteLength);
              left -= n;
              controller.enqueue(chunk.slice(0, n));
            } else {
              controller.close();
            }
          },
        });
        return new Response(stream, { status, headers });
      }
      default:
        return new Response(body, { status, headers });
    }
  }

  const stop = async (): Promise<void> => {
    relay.close();
    await Promise.all([main.shutdown(), redirect.shutdown()]);
  };
  return {
    host: `127.0.0.1:${relay.port}`,
    url: mainUrl,
    redirectUrl,
    requests,
    addRule(rule: FaultRule): void {
      rules.push({ rule, seen: 0 });
    },
    reset(): void {
      rules = [];
      requests.length = 0;
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

interface Relay {
  port: number;
  /** Closes the client connection relayed through this local port. */
  drop(innerPort: number): void;
  close(): void;
}

/** Relays loopback TCP connections to `target`, each droppable by its port. */
function startRelay(target: number): Relay {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Map<number, [Deno.Conn, Deno.Conn]>();
  const pump = async (from: Deno.Conn, to: Deno.Conn): Promise<void> => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await from.read(buffer);
        if (n === null) break;
        let sent = 0;
        while (sent < n) sent += await to.write(buffer.subarray(sent, n));
      }
    } catch {
      // one side closed or was dropped
    }
  };
  const closeBoth = (pair: [Deno.Conn, Deno.Conn], port: number): void => {
    open.delete(port);
    for (const conn of pair) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  };
  let closed = false;
  (async () => {
    try {
      for await (const client of listener) {
        let inner: Deno.Conn;
        try {
          inner = await Deno.connect({ hostname: "127.0.0.1", port: target });
        } catch {
          client.close(); // the target is gone: nothing to relay
          continue;
        }
        const port = (inner.localAddr as Deno.NetAddr).port;
        const pair: [Deno.Conn, Deno.Conn] = [client, inner];
        // Closed while connecting: close() could not see this pair.
        if (closed) {
          closeBoth(pair, port);
          continue;
        }
        open.set(port, pair);
        Promise.race([pump(client, inner), pump(inner, client)]).then(() =>
          closeBoth(pair, port)
        );
      }
    } catch {
      // listener closed
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    drop(innerPort: number): void {
      const pair = open.get(innerPort);
      if (pair) closeBoth(pair, innerPort);
    },
    close(): void {
      closed = true;
      listener.close();
      for (const [port, pair] of [...open]) closeBoth(pair, port);
    },
  };
}
