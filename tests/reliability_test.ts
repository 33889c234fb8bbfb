/**
 * Fault × operation table against the real registry behind the fault
 * proxy: each transient fault is retried and the result is byte-identical
 * to a fault-free run, or the operation ends in a one-line error within
 * bounded time; after every failed copy the destination holds no image
 * that looks complete. With `REPORT=path` the observed outcomes are written
 * there as JSON (rendered into docs/reliability.md by
 * `deno task reliability-report`).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  copyImage,
  deleteImage,
  inspectImage,
  listTags,
  login,
  parseImageName,
} from "../mod.ts";
import { componentTest } from "./support/components.ts";
import {
  type Fault,
  type FaultProxy,
  startFaultProxy,
} from "./support/fault_proxy.ts";
import { type RunningRegistry, startRegistry } from "./support/registry.ts";
import { runOurs, runSkopeo } from "./support/skopeo.ts";
import { makeTempDir } from "./support/temp_dir.ts";

/** What an operation did under a fault. */
export type Outcome = "succeeded" | "error";

/** One cell of the table, as written to the report. */
export interface ReliabilityResult {
  fault: string;
  operation: string;
  outcome: Outcome;
  /** The one-line error, when the operation failed. */
  error?: string;
  /** How many requests the fault hit. */
  faultsInjected: number;
  ms: number;
}

/** Most time an operation may take under any fault. */
const MAX_OPERATION_MS = 15_000;

interface FaultCase {
  name: string;
  fault: Fault;
  /** Persistent: every matching request, not only the first. */
  persistent?: boolean;
}

const FAULTS: readonly FaultCase[] = [
  {
    name: "429 + Retry-After",
    fault: { kind: "status", status: 429, retryAfter: 0 },
  },
  { name: "500", fault: { kind: "status", status: 500 } },
  { name: "502", fault: { kind: "status", status: 502 } },
  { name: "503", fault: { kind: "status", status: 503 } },
  { name: "reset mid-body", fault: { kind: "reset" } },
  { name: "truncated body", fault: { kind: "truncate" } },
  { name: "slow (300 ms)", fault: { kind: "slow", delayMs: 300 } },
  { name: "short Content-Length", fault: { kind: "wrong-length" } },
  { name: "corrupted bytes", fault: { kind: "corrupt" } },
  { name: "redirect to another host", fault: { kind: "redirect" } },
  {
    name: "503 (persistent)",
    fault: { kind: "status", status: 503 },
    persistent: true,
  },
  { name: "reset (persistent)", fault: { kind: "reset" }, persistent: true },
];

const S = "succeeded";
const E = "error";
/**
 * Expected outcome per operation, one per FAULTS entry in order (429, 500,
 * 502, 503, reset, truncated, slow, short length, corrupt, redirect,
 * persistent 503, persistent reset); `-` = not applicable (no body, or not
 * content-addressed). delete does not retry 5xx unless
 * `--retry-times` is given (skopeo's default); copy, inspect and the `/v2/`
 * ping (all login needs) and list-tags do.
 */
const EXPECTED: Record<string, readonly (Outcome | "-")[]> = {
  "copy → dir:": [S, S, S, S, S, S, S, S, E, S, E, E],
  "copy → oci:": [S, S, S, S, S, S, S, S, E, S, E, E],
  "inspect (by digest)": [S, S, S, S, S, S, S, E, E, S, E, E],
  "list-tags": [S, S, S, S, S, S, S, S, "-", S, E, E],
  "delete": [S, E, E, E, "-", "-", S, "-", "-", S, E, "-"],
  "login": [S, S, S, S, S, S, S, S, "-", S, E, S],
};

function context(extra: Record<string, unknown> = {}): {
  settings: { docker: Record<string, unknown> };
} {
  return { settings: { docker: { tlsVerify: false, ...extra } } };
}

/** Every file under a directory, relative path → bytes. */
async function snapshot(root: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path, `${prefix}${entry.name}/`);
      else files.set(prefix + entry.name, await Deno.readFile(path));
    }
  };
  await walk(root, "");
  return files;
}

/** True when a destination holds something that looks like a finished image. */
async function looksComplete(
  kind: "dir" | "oci",
  path: string,
): Promise<boolean> {
  try {
    if (kind === "dir") {
      await Deno.stat(`${path}/manifest.json`);
      return true;
    }
    const index = JSON.parse(await Deno.readTextFile(`${path}/index.json`));
    return (index.manifests ?? []).length > 0;
  } catch {
    return false;
  }
}

interface Operation {
  name: string;
  /** The request the fault targets. */
  method: string;
  path: RegExp;
  /** Runs against the proxy; throws on failure; checks a success itself. */
  run(proxy: FaultProxy, n: number): Promise<void>;
  /** After a failure: asserts nothing complete-looking was left. */
  afterFailure?(n: number): Promise<void>;
}

componentTest({
  name:
    "every fault × operation is retried to an identical result or fails in one line",
  components: ["docker-registry"],
  async fn(t) {
    await using registry: RunningRegistry = await startRegistry();
    await using proxy = startFaultProxy({ upstream: registry.url });
    await using tmp = await makeTempDir("skopeo-ts-reliability-");
    const direct = (
      name: string,
    ): Promise<import("../mod.ts").ImageReference> =>
      parseImageName(`docker://${registry.host}/${name}`);
    const viaProxy = (
      name: string,
    ): Promise<import("../mod.ts").ImageReference> =>
      parseImageName(`docker://${proxy.host}/${name}`);
    const seeded = await copyImage(
      await parseImageName("oci:tests/fixtures/oci:demo"),
      await direct("app:1"),
      { destinationContext: context() },
    );
    const digest = seeded.digest;
    // Fault-free baselines.
    await copyImage(
      await direct("app:1"),
      await parseImageName(`dir:${tmp.path}/base-dir`),
      {
        sourceContext: context(),
      },
    );
    await copyImage(
      await direct("app:1"),
      await parseImageName(`oci:${tmp.path}/base-oci:x`),
      {
        sourceContext: context(),
      },
    );
    const baseDir = await snapshot(`${tmp.path}/base-dir`);
    const baseOci = await snapshot(`${tmp.path}/base-oci`);
    const baseInspect = await inspectImage(await direct(`app@${digest}`), {
      context: context(),
    });

    const copyTo = (
      kind: "dir" | "oci",
      base: Map<string, Uint8Array>,
    ): Operation => ({
      name: `copy → ${kind}:`,
      method: "GET",
      path: /\/blobs\/sha256:/,
      async run(p, n) {
        const dest = `${tmp.path}/${kind}-${n}`;
        await copyImage(
          await viaProxy("app:1"),
          await parseImageName(
            kind === "dir" ? `dir:${dest}` : `oci:${dest}:x`,
          ),
          { sourceContext: context() },
        );
        assert.deepEqual(await snapshot(dest), base);
        void p;
      },
      async afterFailure(n) {
        assert.equal(
          await looksComplete(kind, `${tmp.path}/${kind}-${n}`),
          false,
        );
      },
    });
    const operations: Operation[] = [
      copyTo("dir", baseDir),
      copyTo("oci", baseOci),
      {
        name: "inspect (by digest)",
        method: "GET",
        path: /\/manifests\//,
        async run() {
          const info = await inspectImage(await viaProxy(`app@${digest}`), {
            context: context(),
          });
          assert.deepEqual(
            { ...info, Name: baseInspect.Name },
            baseInspect,
          );
        },
      },
      {
        name: "list-tags",
        method: "GET",
        path: /\/tags\/list/,
        async run() {
          assert.deepEqual(
            await listTags(await viaProxy("app"), { context: context() }),
            ["1"],
          );
        },
      },
      {
        name: "delete",
        method: "DELETE",
        path: /\/manifests\//,
        async run(_, n) {
          await deleteImage(await viaProxy(`del${n}:x`), {
            context: context(),
          });
          await assert.rejects(
            inspectImage(await direct(`del${n}:x`), { context: context() }),
          );
        },
      },
      {
        name: "login",
        method: "GET",
        path: /^\/v2\/$/,
        async run(_, n) {
          const authFile = `${tmp.path}/auth-${n}.json`;
          await login(proxy.host, {
            username: "u",
            password: "p",
            authFile,
            tlsVerify: false,
          });
          const auths = JSON.parse(await Deno.readTextFile(authFile)).auths;
          assert.ok(auths[proxy.host], "credentials stored");
        },
      },
    ];

    const results: ReliabilityResult[] = [];
    let n = 0;
    for (const operation of operations) {
      await t.step(operation.name, async (t) => {
        for (const [i, fault] of FAULTS.entries()) {
          const expected = EXPECTED[operation.name]![i]!;
          if (expected === "-") continue;
          n++;
          if (operation.name === "delete") {
            await copyImage(await direct("app:1"), await direct(`del${n}:x`), {
              sourceContext: context(),
              destinationContext: context(),
            });
          }
          proxy.reset();
          proxy.addRule({
            method: operation.method,
            path: operation.path,
            fault: fault.fault,
            times: fault.persistent ? Infinity : 1,
          });
          const started = Date.now();
          let outcome: Outcome = "succeeded";
          let error: string | undefined;
          try {
            await operation.run(proxy, n);
          } catch (e) {
            if (e instanceof assert.AssertionError) throw e;
            outcome = "error";
            error = e instanceof Error ? e.message : String(e);
          }
          const ms = Date.now() - started;
          const faultsInjected = proxy.requests.filter((r) => r.fault).length;
          results.push({
            fault: fault.name,
            operation: operation.name,
            outcome,
            ...(error === undefined ? {} : { error }),
            faultsInjected,
            ms,
          });
          await t.step(`${fault.name} → ${expected}`, async () => {
            assert.ok(faultsInjected > 0, "the fault was injected");
            assert.equal(outcome, expected, error);
            assert.ok(ms < MAX_OPERATION_MS, `took ${ms} ms`);
            if (outcome === "error") {
              assert.ok(error && !error.includes("\n"), `one line: ${error}`);
              await operation.afterFailure?.(n);
            }
          });
        }
      });
    }
    const reportPath = Deno.env.get("REPORT");
    if (reportPath) {
      await Deno.writeTextFile(reportPath, JSON.stringify(results, null, 2));
    }
  },
});

componentTest({
  name:
    "a broken blob body is resumed with Range, or re-read when Range is ignored",
  components: ["docker-registry"],
  async fn(t) {
    await using registry = await startRegistry();
    await using proxy = startFaultProxy({ upstream: registry.url });
    await copyImage(
      await parseImageName("oci:tests/fixtures/oci:demo"),
      await parseImageName(`docker://${registry.host}/app:1`),
      { destinationContext: context() },
    );
    // inspect reads one blob (the config), so the nth blob GET is known;
    // its output shows the config's content (the engine verifies its digest).
    const inspect = async (): Promise<string> =>
      JSON.stringify(
        await inspectImage(
          await parseImageName(`docker://${proxy.host}/app:1`),
          { context: context() },
        ),
      );
    const expected = await inspect();
    for (const ignored of [false, true]) {
      await t.step(
        ignored ? "Range ignored: 200, re-read" : "Range: 206",
        async () => {
          proxy.reset();
          proxy.addRule({
            path: /\/blobs\//,
            fault: { kind: "truncate", afterBytes: 7 },
          });
          if (ignored) {
            proxy.addRule({
              path: /\/blobs\//,
              nth: 2,
              fault: { kind: "ignore-range" },
            });
          }
          assert.equal(await inspect(), expected);
          const blobs = proxy.requests.filter((r) =>
            r.path.includes("/blobs/")
          );
          assert.equal(blobs.length, 2);
          assert.equal(blobs[1]!.range, "bytes=7-");
          assert.equal(blobs[1]!.status, ignored ? 200 : 206);
        },
      );
    }
  },
});

componentTest({
  name: "manifests over 4 MiB are refused before being read whole",
  components: ["docker-registry"],
  async fn(t) {
    await using registry = await startRegistry();
    await using proxy = startFaultProxy({ upstream: registry.url });
    await copyImage(
      await parseImageName("oci:tests/fixtures/oci:demo"),
      await parseImageName(`docker://${registry.host}/app:1`),
      { destinationContext: context() },
    );
    const inspect = async (): Promise<string> => {
      try {
        await inspectImage(
          await parseImageName(`docker://${proxy.host}/app:1`),
          {
            context: context(),
          },
        );
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    };
    await t.step("by Content-Length, before reading", async () => {
      proxy.reset();
      proxy.addRule({
        path: /\/manifests\//,
        fault: { kind: "oversize", bytes: 4 * 1024 * 1024 + 1 },
      });
      assert.match(
        await inspect(),
        /body of 4194305 bytes exceeds the 4194304-byte limit$/,
      );
    });
    await t.step(
      "without Content-Length, as soon as the limit passes",
      async () => {
        proxy.reset();
        proxy.addRule({
          path: /\/manifests\//,
          fault: { kind: "oversize", bytes: 64 * 1024 * 1024, chunked: true },
        });
        assert.match(await inspect(), /: body exceeds the 4194304-byte limit$/);
      },
    );
    await t.step("exactly 4 MiB is still accepted", async () => {
      proxy.reset();
      proxy.addRule({
        path: /\/manifests\//,
        fault: { kind: "oversize", bytes: 4 * 1024 * 1024, chunked: true },
      });
      assert.equal(await inspect(), "no error");
    });
  },
});

componentTest({
  name:
    "skopeo 1.9.3 fails where we retry or verify (truncated blob, corrupt manifest by digest)",
  components: ["docker-registry", "skopeo"],
  async fn(t) {
    await using registry = await startRegistry();
    await using proxy = startFaultProxy({ upstream: registry.url });
    await using tmp = await makeTempDir("skopeo-ts-reliability-");
    const pushed = await runSkopeo([
      "copy",
      "-q",
      "--dest-tls-verify=false",
      "oci:tests/fixtures/oci:demo",
      `docker://${registry.host}/app:1`,
    ]);
    assert.equal(pushed.code, 0, pushed.stderr);
    const truth = await runSkopeo([
      "inspect",
      "--raw",
      "--tls-verify=false",
      `docker://${registry.host}/app:1`,
    ]);
    const digest = `sha256:${
      createHash("sha256").update(truth.stdoutBytes).digest("hex")
    }`;

    await t.step("a truncated blob: skopeo fails, we resume", async () => {
      const copy = (dest: string): string[] => [
        "copy",
        "-q",
        "--src-tls-verify=false",
        `docker://${proxy.host}/app:1`,
        `dir:${dest}`,
      ];
      proxy.reset();
      proxy.addRule({ path: /\/blobs\//, fault: { kind: "truncate" } });
      const theirs = await runSkopeo(copy(`${tmp.path}/theirs`));
      assert.notEqual(theirs.code, 0);
      proxy.reset();
      proxy.addRule({ path: /\/blobs\//, fault: { kind: "truncate" } });
      const ours = await runOurs(copy(`${tmp.path}/ours`));
      assert.equal(ours.code, 0, ours.stderr);
      assert.ok(
        proxy.requests.some((r) => r.range !== null),
        "resumed with Range",
      );
    });

    await t.step(
      "a corrupt manifest by digest: skopeo prints it, we refuse in one line",
      async () => {
        const args = [
          "inspect",
          "--raw",
          "--tls-verify=false",
          `docker://${proxy.host}/app@${digest}`,
        ];
        proxy.reset();
        proxy.addRule({ path: /\/manifests\//, fault: { kind: "corrupt" } });
        const theirs = await runSkopeo(args);
        assert.equal(theirs.code, 0);
        assert.notDeepEqual(theirs.stdoutBytes, truth.stdoutBytes);
        proxy.reset();
        proxy.addRule({
          path: /\/manifests\//,
          fault: { kind: "corrupt" },
          times: Infinity,
        });
        const ours = await runOurs(args);
        assert.notEqual(ours.code, 0);
        assert.equal(ours.stdout, "");
        assert.equal(ours.stderr.trim().split("\n").length, 1, ours.stderr);
        assert.match(ours.stderr, /digest/i);
      },
    );
  },
});
