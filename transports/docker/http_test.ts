import assert from "node:assert/strict";
import { componentTest } from "../../tests/support/components.ts";
import { startRegistry } from "../../tests/support/registry.ts";
import { answersPlainHttp } from "./http.ts";

const noProxy = (): undefined => undefined;

componentTest({
  name: "answersPlainHttp() tells a plain-HTTP registry from a TLS one",
  components: ["docker-registry", "openssl"],
  async fn() {
    await using plain = await startRegistry();
    await using tls = await startRegistry({ tls: true });
    assert.equal(await answersPlainHttp(plain.host, { getEnv: noProxy }), true);
    assert.equal(await answersPlainHttp(tls.host, { getEnv: noProxy }), false);
  },
});

componentTest({
  name: "answersPlainHttp() does not probe a host that fetch would proxy",
  components: ["docker-registry"],
  async fn() {
    await using plain = await startRegistry();
    const env = (values: Record<string, string>) => (name: string) =>
      values[name];
    const proxy = "http://127.0.0.1:9";
    assert.equal(
      await answersPlainHttp(plain.host, {
        getEnv: env({ HTTPS_PROXY: proxy }),
      }),
      false,
    );
    assert.equal(
      await answersPlainHttp(plain.host, {
        getEnv: env({ https_proxy: proxy, NO_PROXY: "example.com,127.0.0.1" }),
      }),
      true,
    );
    assert.equal(
      await answersPlainHttp(plain.host, {
        getEnv: env({ ALL_PROXY: proxy, no_proxy: "*" }),
      }),
      true,
    );
  },
});

Deno.test("answersPlainHttp() answers false when nothing listens", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  assert.equal(
    await answersPlainHttp(`127.0.0.1:${port}`, { getEnv: noProxy }),
    false,
  );
});

Deno.test("answersPlainHttp() gives up on a server that stays silent", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) accepted.push(conn);
  })();
  const started = performance.now();
  const answer = await answersPlainHttp(
    `127.0.0.1:${listener.addr.port}`,
    { getEnv: noProxy, timeoutMs: 100 },
  );
  assert.equal(answer, false);
  assert.ok(performance.now() - started < 2000);
  listener.close();
  await accepting.catch(() => {});
  for (const conn of accepted) conn.close();
});
