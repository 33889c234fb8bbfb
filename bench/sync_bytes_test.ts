import assert from "node:assert/strict";
import { startByteCounter } from "./sync_bytes.ts";

Deno.test("startByteCounter() counts both bodies and keeps uploads on the proxy", async () => {
  let port = 0;
  const upstream: Deno.HttpServer<Deno.NetAddr> = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request): Promise<Response> => {
      const body = new Uint8Array(await request.arrayBuffer());
      const headers = new Headers({
        location: `http://127.0.0.1:${port}/v2/next?x=1`,
      });
      return new Response(new Uint8Array(body.length * 2), {
        status: 202,
        headers,
      });
    },
  );
  port = upstream.addr.port;
  try {
    await using proxy = startByteCounter(
      `http://127.0.0.1:${upstream.addr.port}`,
    );
    const response = await fetch(`http://${proxy.host}/v2/upload`, {
      method: "POST",
      body: new Uint8Array(1000),
    });
    assert.equal(response.status, 202);
    assert.equal((await response.arrayBuffer()).byteLength, 2000);
    assert.equal(
      response.headers.get("location"),
      `http://${proxy.host}/v2/next?x=1`,
    );
    assert.deepEqual([proxy.sent, proxy.received, proxy.requests], [
      1000,
      2000,
      1,
    ]);
  } finally {
    await upstream.shutdown();
  }
});
