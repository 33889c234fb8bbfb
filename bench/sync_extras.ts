/**
 * The sync measurements a timing table cannot show (issue #12): bytes moved
 * by each tool for the first run, the re-run and registry → dir (one extra,
 * untimed run per tool through counting proxies), and an air-gap export of
 * 20 tags sharing layers: ours into one OCI layout (`--dest oci`) against
 * skopeo 1.9.3's only option, `--dest dir`, with wall time, disk use and
 * the unique blob bytes.
 *
 * @module
 */
import { join } from "node:path";
import { startRegistry } from "../tests/support/registry.ts";
import { type ByteCounter, startByteCounter } from "./sync_bytes.ts";
import {
  type SyncImage,
  syncRepository,
  type SyncSource,
} from "./sync_images.ts";
import { timedRun, type Tool } from "./tools.ts";

const TLS = ["--src-tls-verify=false", "--dest-tls-verify=false"];
/** Tags in the export row: the first two repositories. */
const EXPORT_TAGS = 20;

/** Bytes one tool moved in one row. */
export interface MovedBytes {
  /** Row id (`sync`, `resync`, `sync-dir`). */
  id: string;
  /** By tool: bytes sent + received through the proxies, and requests. */
  tools: Record<string, { bytes: number; requests: number }>;
}

/** The export row's figures, by tool. */
export interface ExportResult {
  /** Unique blob bytes of the 20 images (manifests, configs, layers). */
  uniqueBlobBytes: number;
  /** By tool: wall ms, bytes on disk (hard links counted once), transport. */
  tools: Record<string, { ms: number; diskBytes: number; dest: string }>;
}

/** A YAML source naming these repositories through `host`. */
async function yamlFor(
  file: string,
  host: string,
  images: readonly SyncImage[],
): Promise<string> {
  const names = [...new Set(images.map(syncRepository))];
  await Deno.writeTextFile(
    file,
    [
      `${host}:`,
      "  tls-verify: false",
      "  images:",
      ...names.map((n) => `    ${n}: []`),
      "",
    ].join("\n"),
  );
  return file;
}

async function run(tool: Tool, args: string[]): Promise<number> {
  const result = await timedRun(tool, args, { timeoutMs: 300_000 });
  if (result.code !== 0) {
    throw new Error(
      `${tool.name} ${args.join(" ")} failed: ${
        result.stderr.trim().split("\n").pop()
      }`,
    );
  }
  return result.ms;
}

function total(...counters: ByteCounter[]) {
  return {
    bytes: counters.reduce((n, c) => n + c.sent + c.received, 0),
    requests: counters.reduce((n, c) => n + c.requests, 0),
  };
}

/**
 * One untimed run per tool and row through counting proxies.
 *
 * @param tools skopeo and ours.
 * @param sync The pushed sync source.
 * @param work A scratch directory.
 * @returns Bytes moved per row and tool.
 */
export async function measureMovedBytes(
  tools: readonly Tool[],
  sync: SyncSource,
  work: string,
): Promise<MovedBytes[]> {
  const rows: MovedBytes[] = [
    { id: "sync", tools: {} },
    { id: "resync", tools: {} },
    { id: "sync-dir", tools: {} },
  ];
  for (const tool of tools) {
    await using source = startByteCounter(sync.registry.url);
    const yaml = await yamlFor(
      join(work, `${tool.name}-bytes.yaml`),
      source.host,
      sync.images,
    );
    {
      await using fresh = await startRegistry();
      await using dest = startByteCounter(fresh.url);
      const args = [
        "sync",
        ...TLS,
        "--src",
        "yaml",
        "--dest",
        "docker",
        yaml,
        `${dest.host}/mirror`,
      ];
      await run(tool, args);
      rows[0]!.tools[tool.name] = total(source, dest);
      // The re-run: same destination, nothing changed.
      const [sent, received, requests] = [
        source.sent + dest.sent,
        source.received + dest.received,
        source.requests + dest.requests,
      ];
      await run(tool, args);
      const after = total(source, dest);
      rows[1]!.tools[tool.name] = {
        bytes: after.bytes - sent - received,
        requests: after.requests - requests,
      };
    }
    const before = total(source);
    const dir = join(work, `${tool.name}-dir`);
    await run(tool, [
      "sync",
      ...TLS,
      "--src",
      "yaml",
      "--dest",
      "dir",
      yaml,
      dir,
    ]);
    const after = total(source);
    rows[2]!.tools[tool.name] = {
      bytes: after.bytes - before.bytes,
      requests: after.requests - before.requests,
    };
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return rows;
}

/** Bytes of the regular files under `root`, each inode once. */
async function diskBytes(root: string): Promise<number> {
  const seen = new Set<number>();
  let bytes = 0;
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) {
        await walk(path);
      } else if (entry.isFile) {
        const stat = await Deno.stat(path);
        if (stat.ino !== null && seen.has(stat.ino)) continue;
        if (stat.ino !== null) seen.add(stat.ino);
        bytes += stat.size;
      }
    }
  };
  await walk(root);
  return bytes;
}

/** Unique blob bytes of some images of the source layout. */
async function uniqueBlobBytes(
  ociDir: string,
  images: readonly SyncImage[],
): Promise<number> {
  const sizes = new Map<string, number>();
  const blob = (digest: string) => join(ociDir, "blobs", ...digest.split(":"));
  for (const image of images) {
    const bytes = await Deno.readFile(blob(image.manifestDigest));
    sizes.set(image.manifestDigest, bytes.byteLength);
    const manifest = JSON.parse(new TextDecoder().decode(bytes)) as {
      config: { digest: string; size: number };
      layers: { digest: string; size: number }[];
    };
    for (const d of [manifest.config, ...manifest.layers]) {
      sizes.set(d.digest, d.size);
    }
  }
  return [...sizes.values()].reduce((a, b) => a + b, 0);
}

/**
 * The export row: 20 tags (two repositories sharing their big layers),
 * ours into one OCI layout, skopeo into directories (its only way).
 *
 * @param tools skopeo and ours.
 * @param sync The pushed sync source.
 * @param work A scratch directory.
 * @returns Times, disk use and the unique blob bytes.
 */
export async function measureExport(
  tools: readonly Tool[],
  sync: SyncSource,
  work: string,
): Promise<ExportResult> {
  const repositories = [...new Set(sync.images.map(syncRepository))];
  const images = sync.images.filter((i) =>
    repositories.slice(0, 2).includes(syncRepository(i))
  ).slice(0, EXPORT_TAGS);
  const yaml = await yamlFor(
    join(work, "export.yaml"),
    sync.registry.host,
    images,
  );
  const result: ExportResult = {
    uniqueBlobBytes: await uniqueBlobBytes(sync.ociDir, images),
    tools: {},
  };
  for (const tool of tools) {
    const dest = tool.name === "skopeo" ? "dir" : "oci";
    const out = join(work, `${tool.name}-export`);
    const ms = await run(tool, [
      "sync",
      ...TLS,
      "--src",
      "yaml",
      "--dest",
      dest,
      yaml,
      out,
    ]);
    result.tools[tool.name] = { ms, diskBytes: await diskBytes(out), dest };
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
  return result;
}

/** The extra figures as markdown. */
export function syncExtrasReport(
  moved: readonly MovedBytes[],
  exported: ExportResult | undefined,
): string {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const lines = [
    "Bytes moved (request + response bodies through counting proxies, one extra untimed run per tool):",
    "",
    "| scenario | skopeo MB | ours MB | ours/skopeo | skopeo requests | ours requests |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const row of moved) {
    const s = row.tools["skopeo"];
    const o = row.tools["ours"];
    if (!s || !o) continue;
    lines.push(
      `| ${row.id} | ${mb(s.bytes)} | ${mb(o.bytes)} | ${
        s.bytes === 0 ? "–" : (o.bytes / s.bytes).toFixed(3)
      } | ${s.requests} | ${o.requests} |`,
    );
  }
  if (exported) {
    const s = exported.tools["skopeo"];
    const o = exported.tools["ours"];
    lines.push(
      "",
      `Air-gap export of ${EXPORT_TAGS} tags sharing layers (unique blob bytes ${
        mb(exported.uniqueBlobBytes)
      } MB):`,
      "",
      "| tool | destination | wall ms | disk MB | disk / unique blobs |",
      "|---|---|---:|---:|---:|",
    );
    for (const [name, t] of [["skopeo", s], ["ours", o]] as const) {
      if (!t) continue;
      lines.push(
        `| ${name} | ${t.dest} | ${t.ms.toFixed(0)} | ${mb(t.diskBytes)} | ${
          (t.diskBytes / exported.uniqueBlobBytes).toFixed(2)
        } |`,
      );
    }
    if (s && o) {
      lines.push("", `ours/skopeo wall time: ${(o.ms / s.ms).toFixed(2)}`);
    }
  }
  return lines.join("\n");
}
