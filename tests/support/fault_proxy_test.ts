import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { componentTest } from "./components.ts";
import { startFaultProxy } from "./fault_proxy.ts";
import { startRegistry } from "./registry.ts";

const BLOB = new TextEncoder().encode("0123456789".repeat(100));
const DIGEST = `sha256:${createHash("sha256").update(BLOB).digest("hex")}`;
const BLOB_PATH = `/v2/proxy/test/blobs/${DIGEST}`;

componentTest({
  name: "startFaultProxy() passes through and injects each fault by rule",
  components: ["docker-registry"],
  async fn(t) {
    await using registry = await startRegistry();
    await using proxy = startFaultProxy({ upstream: registry.url });
    const get = (path: string): Promise<Response> => fetch(proxy.url + path);

    await t.step("an upload, a GET and a HEAD pass through", async () => {
      const start = await fetch(`${proxy.url}/v2/proxy/test/blobs/uploads/`, {
        method: "POST",
      });
      await start.body?.cancel();
      assert.equal(start.status, 202);
      const location = start.headers.get("location")!;
      // Upload locations are rewritten to keep the client on the proxy.
      assert.ok(location.startsWith(proxy.url), location);
      const up = await fetch(`${location}&digest=${DIGEST}`, {
        method: "PUT",
        body: BLOB,
      });
      await up.body?.cancel();
      assert.equal(up.status, 201);
      const res = await get(BLOB_PATH);
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), BLOB);
      const head = await fetch(proxy.url + BLOB_PATH, { method: "HEAD" });
      assert.equal(head.headers.get("content-length"), String(BLOB.length));
    });

    await t.step("status faults fire on the nth match only", async () => {
      proxy.reset();
      proxy.addRule({
        method: "GET",
        path: /\/blobs\//,
        nth: 2,
        fault: { kind: "status", status: 429, retryAfter: 1 },
      });
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        const res = await get(BLOB_PATH);
        await res.body?.cancel();
        statuses.push(res.status);
        if (res.status === 429) {
          assert.equal(res.headers.get("retry-after"), "1");
        }
      }
      assert.deepEqual(statuses, [200, 429, 200]);
      assert.deepEqual(proxy.requests.map((r) => r.fault), [
        undefined,
        "status",
        undefined,
      ]);
    });

    await t.step("reset and truncate break the body mid-way", async () => {
      for (const kind of ["reset", "truncate"] as const) {
        proxy.reset();
        proxy.addRule({ path: /\/blobs\//, fault: { kind, afterBytes: 10 } });
        const res = await get(BLOB_PATH);
        assert.equal(res.headers.get("content-length"), String(BLOB.length));
        await assert.rejects(res.arrayBuffer(), TypeError);
      }
    });

    await t.step("wrong-length and corrupt alter the bytes", async () => {
      proxy.reset();
      proxy.addRule({ path: /\/blobs\//, fault: { kind: "wrong-length" } });
      proxy.addRule({
        path: /\/blobs\//,
        nth: 2,
        fault: { kind: "corrupt", offset: 3 },
      });
      const short = new Uint8Array(await (await get(BLOB_PATH)).arrayBuffer());
      assert.equal(short.length, BLOB.length - 1);
      const bad = new Uint8Array(await (await get(BLOB_PATH)).arrayBuffer());
      assert.equal(bad.length, BLOB.length);
      assert.notEqual(bad[3], BLOB[3]);
      assert.deepEqual(bad.slice(4), BLOB.slice(4));
    });

    await t.step("slow waits; redirect goes to another origin", async () => {
      proxy.reset();
      proxy.addRule({
        path: /\/blobs\//,
        fault: { kind: "slow", delayMs: 300 },
      });
      proxy.addRule({ path: /\/blobs\//, nth: 2, fault: { kind: "redirect" } });
      const started = Date.now();
      await (await get(BLOB_PATH)).body?.cancel();
      assert.ok(Date.now() - started >= 250);
      const res = await fetch(proxy.url + BLOB_PATH, {
        headers: { authorization: "Basic eDp5" },
      });
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), BLOB);
      const last = proxy.requests.at(-1)!;
      assert.equal(last.listener, "redirect");
      // fetch drops Authorization across origins, as the product must.
      assert.equal(last.authorization, false);
      assert.equal(proxy.requests.at(-2)!.status, 307);
    });

    await t.step("drop closes the connection before any answer", async () => {
      proxy.reset();
      proxy.addRule({ path: /\/blobs\//, fault: { kind: "drop" } });
      // A fresh connection: on a pooled one, fetch re-sends by itself.
      using client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
      await assert.rejects(fetch(proxy.url + BLOB_PATH, { client }), TypeError);
      const again = await get(BLOB_PATH);
      assert.deepEqual(new Uint8Array(await again.arrayBuffer()), BLOB);
      assert.deepEqual(proxy.requests.map((r) => r.fault), ["drop", undefined]);
    });
  },
});
