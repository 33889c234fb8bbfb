/**
 * Bytes moved by a sync: a loopback proxy in front of a registry that
 * counts every request and response body byte (streamed, not buffered).
 * Registries answer uploads with absolute `Location`s built from the Host
 * they saw; the proxy points those back at itself so every byte passes it.
 *
 * @module
 */

/** A running counting proxy. */
export interface ByteCounter extends AsyncDisposable {
  /** `127.0.0.1:PORT`, for image references. */
  host: string;
  /** Body bytes sent by clients (uploads). */
  readonly sent: number;
  /** Body bytes received by clients (downloads). */
  readonly received: number;
  /** Requests answered. */
  readonly requests: number;
}

function counting(
  add: (n: number) => void,
): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, controller) {
      add(chunk.byteLength);
      controller.enqueue(chunk);
    },
  });
}

/**
 * Starts a counting proxy in front of `upstream` (`http://127.0.0.1:PORT`).
 *
 * @example
 * ```ts ignore
 * await using proxy = startByteCounter("http://127.0.0.1:5000");
 * // … sync through proxy.host …
 * console.log(proxy.received);
 * ```
 */
export function startByteCounter(upstream: string): ByteCounter {
  const origin = new URL(upstream).origin;
  let sent = 0;
  let received = 0;
  let requests = 0;
  let self = "";
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      requests++;
      const url = new URL(request.url);
      const headers = new Headers(request.headers);
      headers.delete("host");
      const upstreamResponse = await fetch(
        `${origin}${url.pathname}${url.search}`,
        {
          method: request.method,
          headers,
          body: request.body?.pipeThrough(counting((n) => sent += n)) ?? null,
          redirect: "manual",
        },
      );
      const out = new Headers(upstreamResponse.headers);
      const location = out.get("location");
      if (location?.startsWith(origin)) {
        out.set("location", self + location.slice(origin.length));
      }
      return new Response(
        upstreamResponse.body?.pipeThrough(counting((n) => received += n)) ??
          null,
        { status: upstreamResponse.status, headers: out },
      );
    },
  );
  const host = `127.0.0.1:${server.addr.port}`;
  self = `http://${host}`;
  return {
    host,
    get sent() {
      return sent;
    },
    get received() {
      return received;
    },
    get requests() {
      return requests;
    },
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
