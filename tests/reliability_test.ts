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
  createTransportRegistry,
  deleteImage,
  inspectImage,
  listTags,
  login,
  parseImageName,
  syncImages,
} from "../mod.ts";
import { componentTest } from "./support/components.ts";
import {
  type Fault,
  type FaultProxy,
  startFaultProxy,
} from "./support/fault_proxy.ts";
import { buildImage, writeOciLayout } from "./support/random_image.ts";
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
  { name: "connection dropped", fault: { kind: "drop" } },
  {
    name: "answer lost (handled, then dropped)",
    fault: { kind: "drop", forwarded: true },
  },
  {
    name: "503 (persistent)",
    fault: { kind: "status", status: 503 },
    persistent: true,
  },
  { name: "reset (persistent)", fault: { kind: "reset" }, persistent: true },
  {
    name: "dropped (persistent)",
    fault: { kind: "drop" },
    persistent: true,
  },
];

const S = "succeeded";
const E = "error";
const _ = "-";
/**
 * Expected outcome per operation, one per FAULTS entry in order (429, 500,
 * 502, 503, reset, truncated, slow, short length, corrupt, redirect,
 * dropped, answer lost, persistent 503, persistent reset, persistent drop);
 * `-` = not applicable (no body, or not content-addressed). Uploads
 * (`PUT`/`PATCH` with a streamed body) are restarted in a new session with
 * the blob read again from the source.
 */
const EXPECTED: Record<string, readonly (Outcome | "-")[]> = {
  "copy → dir:": [S, S, S, S, S, S, S, S, E, S, S, S, E, E, E],
  "copy → oci:": [S, S, S, S, S, S, S, S, E, S, S, S, E, E, E],
  "copy → docker-archive:": [S, S, S, S, S, S, S, S, E, S, S, S, E, E, E],
  "copy → oci-archive:": [S, S, S, S, S, S, S, S, E, S, S, S, E, E, E],
  "push: blob upload PUT": [S, S, S, S, _, _, S, _, _, _, S, S, E, _, E],
  "push: blob upload PATCH": [S, S, S, S, _, _, S, _, _, _, S, S, E, _, E],
  "push: manifest PUT": [S, S, S, S, _, _, S, _, _, S, S, S, E, _, E],
  "push: blob HEAD": [S, S, S, S, _, _, S, _, _, S, S, S, E, _, E],
  "sync registry → registry": [S, S, S, S, S, S, S, S, S, S, S, S, E, E, E],
  "sync registry → dir": [S, S, S, S, S, S, S, S, E, S, S, S, E, E, E],
  "inspect (by digest)": [S, S, S, S, S, S, S, E, E, S, S, S, E, E, E],
  "list-tags": [S, S, S, S, S, S, S, S, _, S, S, S, E, E, E],
  "delete": [S, S, S, S, _, _, S, _, _, S, S, E, E, _, E],
  "login": [S, S, S, S, S, S, S, S, _, S, S, S, E, S, E],
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

/** True when an archive file exists and lists its image index. */
async function archiveLooksComplete(
  kind: "docker-archive" | "oci-archive",
  path: string,
): Promise<boolean> {
  try {
    await Deno.stat(path);
  } catch {
    return false;
  }
  const listed = await new Deno.Command("tar", { args: ["-tf", path] })
    .output();
  const names = new TextDecoder().decode(listed.stdout).split("\n");
  return listed.success &&
    names.includes(kind === "docker-archive" ? "manifest.json" : "index.json");
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

interface Operation {
  name: string;
  /** Runs before the fault is armed (fault-free set-up of case `n`). */
  prepare?(n: number): Promise<void>;
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
    await using tmp = await makeTempDir("skopeo-ts-reliability-");
    const direct = (
      name: string,
    ): Promise<import("../mod.ts").ImageReference> =>
      parseImageName(`docker://${registry.host}/${name}`);
    const viaProxy = (
      proxy: FaultProxy,
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
          await viaProxy(p, "app:1"),
          await parseImageName(
            kind === "dir" ? `dir:${dest}` : `oci:${dest}:x`,
          ),
          { sourceContext: context() },
        );
        assert.deepEqual(await snapshot(dest), base);
      },
      async afterFailure(n) {
        assert.equal(
          await looksComplete(kind, `${tmp.path}/${kind}-${n}`),
          false,
        );
      },
    });
    /** The raw manifest of `repo:tag` read directly (no proxy), or undefined on 404. */
    const directManifest = async (
      repo: string,
      tag: string,
    ): Promise<Uint8Array | undefined> => {
      const response = await fetch(
        `${registry.url}/v2/${repo}/manifests/${tag}`,
        {
          headers: {
            accept:
              "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
          },
        },
      );
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (response.status === 404) return undefined;
      assert.equal(response.status, 200);
      return bytes;
    };
    /** Asserts every blob of a pushed manifest reads back with its digest. */
    const assertBlobsIntact = async (
      repo: string,
      manifest: Uint8Array,
    ): Promise<void> => {
      const parsed = JSON.parse(new TextDecoder().decode(manifest));
      for (const d of [parsed.config, ...parsed.layers]) {
        const response = await fetch(
          `${registry.url}/v2/${repo}/blobs/${d.digest}`,
        );
        assert.equal(
          sha256(new Uint8Array(await response.arrayBuffer())),
          d.digest,
        );
      }
    };
    const archiveBase = new Map<string, Uint8Array>();
    for (const kind of ["docker-archive", "oci-archive"] as const) {
      const file = `${tmp.path}/base-${kind}.tar`;
      await copyImage(
        await direct("app:1"),
        await parseImageName(
          kind === "docker-archive"
            ? `${kind}:${file}:app:1`
            : `${kind}:${file}:x`,
        ),
        { sourceContext: context() },
      );
      archiveBase.set(kind, await Deno.readFile(file));
    }
    const archiveOp = (kind: "docker-archive" | "oci-archive"): Operation => ({
      name: `copy → ${kind}:`,
      method: "GET",
      path: /\/blobs\/sha256:/,
      async run(p, n) {
        const file = `${tmp.path}/${kind}-${n}.tar`;
        await copyImage(
          await viaProxy(p, "app:1"),
          await parseImageName(
            kind === "docker-archive"
              ? `${kind}:${file}:app:1`
              : `${kind}:${file}:x`,
          ),
          { sourceContext: context() },
        );
        assert.deepEqual(await Deno.readFile(file), archiveBase.get(kind));
      },
      async afterFailure(n) {
        assert.equal(
          await archiveLooksComplete(kind, `${tmp.path}/${kind}-${n}.tar`),
          false,
        );
      },
    });
    /**
     * Pushes a fresh image (new blobs, so they are uploaded) through the
     * proxy; success = the registry holds the expected manifest bytes and
     * every blob reads back with its digest; failure = no manifest at all.
     * Uncompressed layers are gzipped on the way (a PATCH upload, digest
     * unknown): a fault-free push of the same image gives the expected bytes.
     */
    const pushOp = (
      name: string,
      method: string,
      path: RegExp,
      compression: "gzip" | "none",
    ): Operation => {
      const expected = new Map<number, Uint8Array>();
      const source = (n: number): string => `oci:${tmp.path}/push-src-${n}:x`;
      return {
        name,
        method,
        path,
        async prepare(n) {
          const image = buildImage({
            seed: 7000 + n,
            layers: [{ size: 4096 }, { size: 2048, kind: "text" }],
            compression,
          });
          await writeOciLayout(`${tmp.path}/push-src-${n}`, [
            { tag: "x", image },
          ]);
          if (compression === "gzip") {
            expected.set(n, image.manifest.bytes);
          } else {
            await copyImage(
              await parseImageName(source(n)),
              await direct(`pushbase:${n}`),
              { destinationContext: context() },
            );
            expected.set(n, (await directManifest("pushbase", String(n)))!);
          }
        },
        async run(p, n) {
          await copyImage(
            await parseImageName(source(n)),
            await viaProxy(p, `push:${n}`),
            { destinationContext: context() },
          );
          const got = await directManifest("push", String(n));
          assert.ok(got, "manifest pushed");
          assert.deepEqual(got, expected.get(n));
          await assertBlobsIntact("push", got);
        },
        async afterFailure(n) {
          assert.equal(
            await directManifest("push", String(n)),
            undefined,
            "no manifest after a failed push",
          );
        },
      };
    };
    const syncOp = (kind: "docker" | "dir"): Operation => ({
      name: `sync registry → ${kind === "docker" ? "registry" : "dir"}`,
      method: "GET",
      // Into the registry, blobs are mounted from the seeded repository
      // (never read): the source manifest GETs carry the fault there.
      path: kind === "docker" ? /\/manifests\// : /\/blobs\/sha256:/,
      async run(p, n) {
        const dest = kind === "docker"
          ? `${registry.host}/sync${n}`
          : `${tmp.path}/sync-${n}`;
        if (kind === "dir") await Deno.mkdir(dest);
        await syncImages(`${p.host}/app`, dest, {
          registry: createTransportRegistry(),
          sourceKind: "docker",
          destinationKind: kind,
          sourceContext: context(),
          destinationContext: context(),
        });
        if (kind === "dir") {
          assert.deepEqual(await snapshot(`${dest}/app:1`), baseDir);
        } else {
          const got = await directManifest(`sync${n}/app`, "1");
          assert.ok(got, "manifest synced");
          assert.equal(sha256(got), digest);
          await assertBlobsIntact(`sync${n}/app`, got);
        }
      },
      async afterFailure(n) {
        if (kind === "dir") {
          assert.equal(
            await looksComplete("dir", `${tmp.path}/sync-${n}/app:1`),
            false,
          );
        } else {
          assert.equal(await directManifest(`sync${n}/app`, "1"), undefined);
        }
      },
    });
    const operations: Operation[] = [
      copyTo("dir", baseDir),
      copyTo("oci", baseOci),
      {
        name: "inspect (by digest)",
        method: "GET",
        path: /\/manifests\//,
        async run(p) {
          const info = await inspectImage(await viaProxy(p, `app@${digest}`), {
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
        async run(p) {
          assert.deepEqual(
            await listTags(await viaProxy(p, "app"), { context: context() }),
            ["1"],
          );
        },
      },
      {
        name: "delete",
        method: "DELETE",
        path: /\/manifests\//,
        async run(p, n) {
          await deleteImage(await viaProxy(p, `del${n}:x`), {
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
        async run(p, n) {
          const authFile = `${tmp.path}/auth-${n}.json`;
          await login(p.host, {
            username: "u",
            password: "p",
            authFile,
            tlsVerify: false,
          });
          const auths = JSON.parse(await Deno.readTextFile(authFile)).auths;
          assert.ok(auths[p.host], "credentials stored");
        },
      },
      archiveOp("docker-archive"),
      archiveOp("oci-archive"),
      pushOp("push: blob upload PUT", "PUT", /\/blobs\/uploads\//, "gzip"),
      pushOp("push: blob upload PATCH", "PATCH", /\/blobs\/uploads\//, "none"),
      pushOp("push: manifest PUT", "PUT", /\/manifests\//, "gzip"),
      pushOp("push: blob HEAD", "HEAD", /\/blobs\/sha256:/, "gzip"),
      syncOp("docker"),
      syncOp("dir"),
    ];

    interface CaseOutcome extends ReliabilityResult {
      expected: Outcome;
      /** What `afterFailure` found wrong, if anything. */
      leftover?: unknown;
    }
    let n = 0;
    /** One operation × every fault, through its own proxy (own rules and counts). */
    const runOperation = async (
      operation: Operation,
    ): Promise<CaseOutcome[]> => {
      await using proxy = startFaultProxy({ upstream: registry.url });
      const outcomes: CaseOutcome[] = [];
      for (const [i, fault] of FAULTS.entries()) {
        const expected = EXPECTED[operation.name]![i]!;
        if (expected === "-") continue;
        const id = ++n;
        await operation.prepare?.(id);
        if (operation.name === "delete") {
          await copyImage(await direct("app:1"), await direct(`del${id}:x`), {
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
          await operation.run(proxy, id);
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          outcome = "error";
          error = e instanceof Error ? e.message : String(e);
        }
        const ms = Date.now() - started;
        let leftover: unknown;
        if (outcome === "error") {
          await operation.afterFailure?.(id).catch((e) => leftover = e);
        }
        outcomes.push({
          fault: fault.name,
          operation: operation.name,
          outcome,
          ...(error === undefined ? {} : { error }),
          faultsInjected: proxy.requests.filter((r) => r.fault).length,
          ms,
          expected,
          ...(leftover === undefined ? {} : { leftover }),
        });
      }
      return outcomes;
    };
    // Operations run side by side (most of the time is back-off sleep);
    // the faults of one operation run in order.
    const PARALLEL_OPERATIONS = 4;
    const byOperation = new Map<string, Promise<CaseOutcome[]>>();
    const pending = [...operations];
    const workers = Array.from({ length: PARALLEL_OPERATIONS }, async () => {
      for (let op = pending.shift(); op; op = pending.shift()) {
        const run = runOperation(op);
        byOperation.set(op.name, run);
        await run.catch(() => {});
      }
    });
    await Promise.all(workers);
    const results: ReliabilityResult[] = [];
    for (const operation of operations) {
      await t.step(operation.name, async (t) => {
        for (const c of await byOperation.get(operation.name)!) {
          const { expected, leftover, ...result } = c;
          results.push(result);
          await t.step(`${c.fault} → ${expected}`, () => {
            assert.ok(c.faultsInjected > 0, "the fault was injected");
            assert.equal(c.outcome, expected, c.error);
            assert.ok(c.ms < MAX_OPERATION_MS, `took ${c.ms} ms`);
            if (c.outcome === "error") {
              assert.ok(
                c.error && !c.error.includes("\n"),
                `one line: ${c.error}`,
              );
              if (leftover !== undefined) throw leftover;
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
