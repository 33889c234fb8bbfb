import assert from "node:assert/strict";
import { componentTest } from "../../tests/support/components.ts";
import { startRegistry } from "../../tests/support/registry.ts";
import { RegistryClient } from "./client.ts";
import { RegistryError, UnauthorizedError } from "./registry_error.ts";
import type { DockerSettings } from "./settings.ts";

const NO_FILES: DockerSettings = {
  // Keep the machine's auth files and certs.d out of these tests.
  getEnv: (name) => name === "HOME" ? "/nonexistent" : undefined,
  certsRoots: [],
};

async function client(
  domain: string,
  settings: DockerSettings,
  actions = "pull",
  debug?: string[],
): Promise<RegistryClient> {
  return await RegistryClient.create({
    domain,
    repository: "test/repo",
    actions,
    settings: { ...NO_FILES, ...settings },
    logger: debug
      ? { debug: (m) => debug.push(m), warn: (m) => debug.push(m) }
      : undefined,
  });
}

async function tagsStatus(c: RegistryClient): Promise<number> {
  const res = await c.request("GET", `/v2/${c.repository}/tags/list`);
  await res.body?.cancel();
  return res.status;
}

componentTest({
  name: "RegistryClient pings a plain-HTTP registry only with tlsVerify false",
  components: ["docker-registry"],
  async fn() {
    await using registry = await startRegistry();
    const strict = await client(registry.host, {});
    await assert.rejects(
      strict.ping(),
      (e) =>
        e instanceof RegistryError &&
        e.message.startsWith(
          `pinging container registry ${registry.host}: Get "https://${registry.host}/v2/": `,
        ),
    );
    strict.close();
    const lax = await client(registry.host, { tlsVerify: false });
    assert.equal(await tagsStatus(lax), 404);
    assert.equal(lax.scheme, "http");
    lax.close();
  },
});

componentTest({
  name: "RegistryClient authenticates with Basic and reports wrong passwords",
  components: ["docker-registry", "htpasswd"],
  async fn() {
    await using registry = await startRegistry({ auth: "htpasswd" });
    const good = await client(registry.host, {
      tlsVerify: false,
      credentials: {
        username: registry.username!,
        password: registry.password!,
      },
    });
    assert.equal(await tagsStatus(good), 404);
    good.close();
    for (
      const settings of [
        { credentials: { username: "testuser", password: "wrong" } },
        { noCreds: true },
      ]
    ) {
      const bad = await client(registry.host, {
        tlsVerify: false,
        ...settings,
      });
      assert.equal(await tagsStatus(bad), 401);
      bad.close();
    }
  },
});

componentTest({
  name:
    "RegistryClient trusts a registry through a cert dir and uses client certificates",
  components: ["docker-registry", "openssl"],
  async fn() {
    await using registry = await startRegistry({
      tls: true,
      clientCerts: true,
    });
    const withDir = await client(registry.host, { certDir: registry.certDir });
    assert.equal(await tagsStatus(withDir), 404);
    assert.equal(withDir.scheme, "https");
    withDir.close();
    // The same directory found as certs.d/HOST:PORT.
    const roots = await Deno.makeTempDir();
    await Deno.rename(registry.certDir!, `${roots}/${registry.host}`);
    const perHost = await client(registry.host, { certsRoots: [roots] });
    assert.equal(await tagsStatus(perHost), 404);
    perHost.close();
    // Without the CA, verification fails.
    const untrusted = await client(registry.host, {});
    await assert.rejects(untrusted.ping(), /pinging container registry/);
    untrusted.close();
    await Deno.remove(roots, { recursive: true });
  },
});

componentTest({
  name: "RegistryClient skips TLS verification with tlsVerify false",
  components: ["docker-registry", "openssl"],
  async fn() {
    await using registry = await startRegistry({ tls: true });
    const lax = await client(registry.host, { tlsVerify: false });
    assert.equal(await tagsStatus(lax), 404);
    assert.equal(lax.scheme, "https");
    lax.close();
  },
});

componentTest({
  name: "RegistryClient runs the bearer token flow and caches tokens per scope",
  components: ["docker-registry", "openssl"],
  async fn() {
    await using registry = await startRegistry({ auth: "token" });
    const debug: string[] = [];
    const c = await client(
      registry.host,
      {
        tlsVerify: false,
        credentials: {
          username: registry.username!,
          password: registry.password!,
        },
      },
      "pull,push",
      debug,
    );
    assert.equal(await tagsStatus(c), 404);
    assert.equal(await tagsStatus(c), 404);
    assert.equal(registry.tokenRequests.length, 1);
    assert.deepEqual(registry.tokenRequests[0], {
      scopes: ["repository:test/repo:pull,push"],
      service: "test-registry",
      user: "testuser",
      status: 200,
      method: "GET",
    });
    // Another scope set gets its own token.
    const res = await c.request(
      "HEAD",
      `/v2/test/repo/blobs/sha256:${"0".repeat(64)}`,
      {
        extraScopes: ["repository:other/repo:pull"],
      },
    );
    await res.body?.cancel();
    assert.equal(res.status, 404);
    assert.equal(registry.tokenRequests.length, 2);
    assert.deepEqual(registry.tokenRequests[1]!.scopes, [
      "repository:test/repo:pull,push",
      "repository:other/repo:pull",
    ]);
    // No secret reaches the debug log.
    assert.ok(debug.length > 0);
    assert.ok(!debug.join("\n").includes(registry.password!));
    c.close();

    const wrong = await client(registry.host, {
      tlsVerify: false,
      credentials: { username: "testuser", password: "wrong" },
    });
    await assert.rejects(
      wrong.request("GET", "/v2/test/repo/tags/list"),
      (e) =>
        e instanceof UnauthorizedError &&
        e.message ===
          "unable to retrieve auth token: invalid username/password: unauthorized: invalid username or password",
    );
    wrong.close();

    // An anonymous token has no access: the registry answers 401.
    const anonymous = await client(registry.host, {
      tlsVerify: false,
      noCreds: true,
    });
    assert.equal(await tagsStatus(anonymous), 401);
    anonymous.close();
  },
});

componentTest({
  name: "RegistryClient sends --registry-token as is",
  components: ["docker-registry", "openssl"],
  async fn() {
    await using registry = await startRegistry({ auth: "token" });
    const res = await fetch(
      `${registry.tokenRealm}?service=test-registry&scope=repository:test/repo:pull`,
      { headers: { authorization: `Basic ${btoa("testuser:testpassword")}` } },
    );
    const { token } = await res.json();
    const before = registry.tokenRequests.length;
    const c = await client(registry.host, {
      tlsVerify: false,
      registryToken: token,
    });
    assert.equal(await tagsStatus(c), 404);
    assert.equal(registry.tokenRequests.length, before);
    c.close();
  },
});

/** A loopback server that fails on purpose, for the retry paths. */
function faultServer(
  handler: (request: Request, count: number) => Response,
): { server: Deno.HttpServer; host: string; count: () => number } {
  let count = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      const url = new URL(request.url);
      if (url.pathname === "/v2/") return new Response("{}");
      return handler(request, ++count);
    },
  );
  return { server, host: `127.0.0.1:${server.addr.port}`, count: () => count };
}

Deno.test("RegistryClient retries 429 honouring Retry-After", async () => {
  const fault = faultServer((_, n) =>
    n < 3
      ? new Response("slow down", {
        status: 429,
        headers: { "retry-after": "0" },
      })
      : new Response("ok")
  );
  const c = await client(fault.host, { tlsVerify: false });
  const res = await c.request("GET", "/v2/test/repo/tags/list");
  assert.equal(await res.text(), "ok");
  assert.equal(fault.count(), 3);
  c.close();
  await fault.server.shutdown();
});

Deno.test("RegistryClient gives up on 429 after 5 retries", async () => {
  const fault = faultServer(() =>
    new Response("", { status: 429, headers: { "retry-after": "0" } })
  );
  const c = await client(fault.host, { tlsVerify: false });
  const res = await c.request("GET", "/v2/test/repo/tags/list");
  await res.body?.cancel();
  assert.equal(res.status, 429);
  assert.equal(fault.count(), 6);
  c.close();
  await fault.server.shutdown();
});

Deno.test("RegistryClient retries 502-504 only with retryTimes", async () => {
  const fault = faultServer((_, n) =>
    n % 2 === 1 ? new Response("", { status: 503 }) : new Response("ok")
  );
  const none = await client(fault.host, { tlsVerify: false });
  const first = await none.request("GET", "/v2/test/repo/tags/list");
  await first.body?.cancel();
  assert.equal(first.status, 503);
  none.close();
  const some = await client(fault.host, {
    tlsVerify: false,
    retryTimes: 2,
    retryDelayMs: 1,
  });
  const second = await some.request("GET", "/v2/test/repo/tags/list");
  assert.equal(await second.text(), "ok");
  some.close();
  await fault.server.shutdown();
});

Deno.test("RegistryClient follows redirects and drops credentials across hosts", async () => {
  const seen: (string | null)[] = [];
  const other = Deno.serve({
    hostname: "127.0.0.2",
    port: 0,
    onListen: () => {},
  }, (request) => {
    seen.push(request.headers.get("authorization"));
    return new Response("blob bytes");
  });
  // Basic challenge so that credentials are sent.
  const registry = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/v2/") {
      return new Response("", {
        status: 401,
        headers: { "www-authenticate": 'Basic realm="r"' },
      });
    }
    seen.push(request.headers.get("authorization"));
    if (url.pathname.endsWith("/same")) {
      return new Response(null, {
        status: 307,
        headers: { location: "/v2/test/repo/other" },
      });
    }
    return new Response(null, {
      status: 302,
      headers: { location: `http://127.0.0.2:${other.addr.port}/storage/blob` },
    });
  });
  const c = await client(`127.0.0.1:${registry.addr.port}`, {
    tlsVerify: false,
    credentials: { username: "u", password: "p" },
  });
  const res = await c.request("GET", "/v2/test/repo/same");
  assert.equal(await res.text(), "blob bytes");
  const basic = `Basic ${btoa("u:p")}`;
  assert.deepEqual(seen, [basic, basic, null]);
  c.close();
  await registry.shutdown();
  await other.shutdown();
});

Deno.test("RegistryClient reports network errors in one line", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const c = await client(`127.0.0.1:${port}`, { tlsVerify: false });
  await assert.rejects(c.ping(), (e) => {
    assert.ok(e instanceof RegistryError);
    assert.match(
      e.message,
      new RegExp(
        `^pinging container registry 127\\.0\\.0\\.1:${port}: Get "http://127\\.0\\.0\\.1:${port}/v2/": .+`,
      ),
    );
    assert.ok(!e.message.includes("\n"));
    return true;
  });
  c.close();
});

Deno.test("RegistryClient limits concurrent transfers per host", async () => {
  const c = await client("limit-test.example", { maxConcurrentPerHost: 2 });
  const a = await c.acquireTransferSlot("read");
  const b = await c.acquireTransferSlot("read");
  // Writes have their own slots, so readers never starve writers.
  (await c.acquireTransferSlot("write"))();
  let third = false;
  const waiting = c.acquireTransferSlot("read").then((release) => {
    third = true;
    return release;
  });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(third, false);
  a();
  a(); // idempotent
  (await waiting)();
  assert.equal(third, true);
  b();
  const aborted = new AbortController();
  const x = await c.acquireTransferSlot("write");
  const y = await c.acquireTransferSlot("write");
  const pending = c.acquireTransferSlot("write", aborted.signal);
  aborted.abort(new Error("stop"));
  await assert.rejects(pending, /stop/);
  x();
  y();
  c.close();
});

componentTest({
  name: "RegistryClient.checkAuth() verifies credentials as login does",
  components: ["docker-registry", "htpasswd", "openssl"],
  async fn() {
    for (const auth of ["htpasswd", "token"] as const) {
      await using registry = await startRegistry({ auth });
      const check = async (password: string): Promise<void> => {
        const c = await RegistryClient.create({
          domain: registry.host,
          repository: "",
          actions: "",
          settings: {
            ...NO_FILES,
            tlsVerify: false,
            credentials: { username: "testuser", password },
          },
        });
        try {
          await c.checkAuth();
        } finally {
          c.close();
        }
      };
      await check("testpassword");
      await assert.rejects(
        check("wrong"),
        (e) =>
          e instanceof UnauthorizedError &&
          e.message.startsWith(
            "unable to retrieve auth token: invalid username/password: unauthorized: ",
          ),
        auth,
      );
    }
  },
});

/** A loopback registry root that answers pings slowly and counts them. */
function slowPingServer(): {
  server: Deno.HttpServer;
  host: string;
  pings: () => number;
} {
  let pings = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      if (new URL(request.url).pathname !== "/v2/") {
        return new Response("", { status: 404 });
      }
      pings++;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return new Response("{}");
    },
  );
  return {
    server,
    host: `127.0.0.1:${server.addr.port}`,
    pings: () => pings,
  };
}

Deno.test("RegistryClient.ping() is shared while in flight and by settings alike", async () => {
  const slow = slowPingServer();
  // No getEnv: pings may be shared across settings objects; no auth files read.
  const alike = (): DockerSettings => ({
    tlsVerify: false,
    noCreds: true,
    certsRoots: [],
  });
  const make = (settings: DockerSettings) =>
    RegistryClient.create({
      domain: slow.host,
      repository: "test/repo",
      actions: "pull",
      settings,
    });
  const first = alike();
  const clients = await Promise.all([make(first), make(first), make(alike())]);
  await Promise.all(clients.map((c) => c.ping()));
  assert.equal(slow.pings(), 1);
  assert.deepEqual(clients.map((c) => c.scheme), ["http", "http", "http"]);
  // Another way to the host (its own environment reader) pings again.
  const own = await make({ ...alike(), getEnv: () => undefined });
  await own.ping();
  assert.equal(slow.pings(), 2);
  own.close();
  for (const c of clients) c.close();
  // Once every client closed, a new operation pings afresh.
  const later = await make(alike());
  await later.ping();
  assert.equal(slow.pings(), 3);
  later.close();
  await slow.server.shutdown();
});

Deno.test("RegistryClient.ping() survives the abort of the client it joined", async () => {
  const slow = slowPingServer();
  const settings: DockerSettings = { ...NO_FILES, tlsVerify: false };
  const make = () =>
    RegistryClient.create({
      domain: slow.host,
      repository: "test/repo",
      actions: "pull",
      settings,
    });
  const [leader, follower] = await Promise.all([make(), make()]);
  const abort = new AbortController();
  const led = leader.ping(abort.signal);
  const followed = follower.ping();
  abort.abort(new Error("stop"));
  await assert.rejects(led, /stop/);
  await followed;
  assert.equal(follower.scheme, "http");
  assert.equal(leader.scheme, undefined);
  leader.close();
  follower.close();
  await slow.server.shutdown();
});
