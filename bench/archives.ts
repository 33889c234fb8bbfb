/**
 * The archive scenarios' sources and checks: the bench image saved once by
 * skopeo as a `docker-archive:` and an `oci-archive:` file (cached next to
 * the image), and readers of what a copy wrote into an archive.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { Digester, digestOf } from "../core/digest.ts";
import type { BenchImage } from "./image.ts";
import { collect, readTarFile, scanTar } from "./tar_members.ts";
import { timedRun, type Tool } from "./tools.ts";

/** The bench image as archives. */
export interface SourceArchives {
  /** A `docker save`-style tar with one image tagged {@linkcode ARCHIVE_TAG}. */
  dockerArchive: string;
  /** A tar of the OCI layout, the image named by the bench's ref. */
  ociArchive: string;
}

/** The tag stored in docker archives (source and destination). */
export const ARCHIVE_TAG = "bench/archive:latest";

/**
 * Returns the image's archives, making them with skopeo (untimed, so
 * neither tool is favoured) when they are not cached yet.
 *
 * @param image The bench image.
 * @param skopeo The tool that writes them.
 * @param log Progress messages.
 * @returns The archive paths.
 * @throws {Error} When skopeo fails.
 */
export async function ensureSourceArchives(
  image: BenchImage,
  skopeo: Tool,
  log: (message: string) => void = () => {},
): Promise<SourceArchives> {
  const root = dirname(image.ociDir);
  const archives: SourceArchives = {
    dockerArchive: join(root, "docker-archive.tar"),
    ociArchive: join(root, "oci-archive.tar"),
  };
  const source = `oci:${image.ociDir}:${image.ref}`;
  const targets: [string, string][] = [
    [archives.dockerArchive, `docker-archive:%s:${ARCHIVE_TAG}`],
    [archives.ociArchive, `oci-archive:%s:${image.ref}`],
  ];
  for (const [path, pattern] of targets) {
    if (await exists(path)) continue;
    log(`saving ${path} (skopeo)`);
    const temp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
    try {
      const run = await timedRun(
        skopeo,
        ["copy", "-q", source, pattern.replace("%s", temp)],
        { timeoutMs: 900_000 },
      );
      if (run.code !== 0) {
        throw new Error(`skopeo could not write ${path}: ${run.stderr}`);
      }
      await Deno.rename(temp, path);
    } finally {
      await Deno.remove(temp).catch(() => {});
    }
  }
  return archives;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

interface DockerManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

async function dockerManifest(path: string): Promise<DockerManifestEntry> {
  const bytes = await readTarFile(path, "manifest.json");
  if (!bytes) throw new Error(`${path}: no manifest.json`);
  const entries = JSON.parse(
    new TextDecoder().decode(bytes),
  ) as DockerManifestEntry[];
  if (entries.length !== 1) {
    throw new Error(`${path}: ${entries.length} images, expected 1`);
  }
  return entries[0]!;
}

/** `<hex>.json` / `<hex>.tar` / `<hex>/layer.tar` → `sha256:<hex>`. */
function digestOfName(name: string): string {
  const hex = /^([0-9a-f]{64})(?:\.json|\.tar|\/layer\.tar)$/.exec(name)?.[1];
  if (!hex) throw new Error(`unexpected archive member name "${name}"`);
  return `sha256:${hex}`;
}

/**
 * What a docker archive holds, by digest: its config, its layers (diffIDs)
 * and its tags, in one line both tools must agree on.
 *
 * @param path A docker-archive tar.
 * @returns E.g. `config sha256:…; layers sha256:…,…; tags …`.
 */
export async function dockerArchiveSummary(path: string): Promise<string> {
  const entry = await dockerManifest(path);
  return summaryLine(
    digestOfName(entry.Config),
    entry.Layers.map(digestOfName),
    entry.RepoTags ?? [],
  );
}

/**
 * The summary {@linkcode dockerArchiveSummary} gives for the bench image
 * saved with {@linkcode ARCHIVE_TAG}.
 *
 * @param image The bench image.
 * @returns The expected summary.
 */
export function expectedDockerArchiveSummary(image: BenchImage): string {
  const manifest = JSON.parse(Deno.readTextFileSync(image.manifestPath)) as {
    config: { digest: string };
  };
  return summaryLine(
    manifest.config.digest,
    image.layers.map((l) => l.diffId),
    [`docker.io/${ARCHIVE_TAG}`],
  );
}

function summaryLine(
  config: string,
  layers: readonly string[],
  tags: readonly string[],
): string {
  return `config ${config}; layers ${layers.join(",")}; tags ${tags.join(",")}`;
}

/**
 * Hashes every regular member of an archive (one pass, streamed).
 *
 * @returns Member name → digest and size; symlink name → target.
 */
async function hashMembers(path: string): Promise<{
  files: Map<string, { digest: string; size: number; bytes?: Uint8Array }>;
  links: Map<string, string>;
}> {
  const files = new Map<
    string,
    { digest: string; size: number; bytes?: Uint8Array }
  >();
  const links = new Map<string, string>();
  await scanTar(path, async (member, read) => {
    if (member.type === "2") links.set(member.name, member.linkName);
    if (member.type !== "0") return;
    // Small files (manifests, configs, index) are kept for parsing.
    if (member.size < 1_000_000) {
      const bytes = await collect(read());
      files.set(member.name, {
        digest: digestOf(bytes),
        size: bytes.length,
        bytes,
      });
      return;
    }
    const digester = new Digester();
    for await (const chunk of read()) digester.update(chunk);
    files.set(member.name, { digest: digester.digest(), size: digester.size });
  });
  return { files, links };
}

/**
 * Checks a docker archive: the config hashes to its name and every layer tar
 * hashes to the config's diffID at its position.
 *
 * @param path A docker-archive tar.
 * @throws {Error} Naming the first mismatch.
 */
export async function verifyDockerArchive(path: string): Promise<void> {
  const entry = await dockerManifest(path);
  const { files } = await hashMembers(path);
  const config = files.get(entry.Config);
  if (!config?.bytes || config.digest !== digestOfName(entry.Config)) {
    throw new Error(`${path}: config ${entry.Config} missing or wrong`);
  }
  const diffIds = (JSON.parse(new TextDecoder().decode(config.bytes)) as {
    rootfs: { diff_ids: string[] };
  }).rootfs.diff_ids;
  if (diffIds.length !== entry.Layers.length) {
    throw new Error(
      `${path}: ${entry.Layers.length} layers, config lists ${diffIds.length}`,
    );
  }
  for (const [i, name] of entry.Layers.entries()) {
    const layer = files.get(name);
    if (!layer || layer.digest !== diffIds[i]) {
      throw new Error(
        `${path}: layer ${name} is ${layer?.digest ?? "missing"}, expected ${
          diffIds[i]
        }`,
      );
    }
  }
}

const REF_NAME = "org.opencontainers.image.ref.name";

/**
 * The manifest digest an OCI archive's index names for `ref`, plus its
 * number of index entries (like {@linkcode storedManifestDigest}).
 *
 * @param path An oci-archive tar.
 * @param ref The reference name.
 * @returns E.g. `sha256:… (1 index entry)`.
 */
export async function ociArchiveManifestDigest(
  path: string,
  ref: string,
): Promise<string> {
  const bytes = await readTarFile(path, "index.json");
  if (!bytes) throw new Error(`${path}: no index.json`);
  return indexEntry(path, bytes, ref).summary;
}

function indexEntry(
  path: string,
  bytes: Uint8Array,
  ref: string,
): { digest: string; summary: string } {
  const index = JSON.parse(new TextDecoder().decode(bytes)) as {
    manifests?: { digest: string; annotations?: Record<string, string> }[];
  };
  const entries = index.manifests ?? [];
  const named = entries.filter((m) => m.annotations?.[REF_NAME] === ref);
  if (named.length !== 1) {
    throw new Error(`${path}: index.json has ${named.length} entries "${ref}"`);
  }
  const n = entries.length;
  const digest = named[0]!.digest;
  return {
    digest,
    summary: `${digest} (${n} index entr${n === 1 ? "y" : "ies"})`,
  };
}

/**
 * Checks an OCI archive: every blob hashes to its name, and the manifest the
 * index names, its config and its layers are all there with their sizes.
 *
 * @param path An oci-archive tar.
 * @param ref The reference name.
 * @throws {Error} Naming the first problem.
 */
export async function verifyOciArchive(
  path: string,
  ref: string,
): Promise<void> {
  const { files } = await hashMembers(path);
  const blob = (digest: string) =>
    files.get(`blobs/${digest.replace(":", "/")}`);
  for (const [name, file] of files) {
    const match = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(name);
    if (match && file.digest !== `sha256:${match[1]}`) {
      throw new Error(`${path}: ${name} hashes to ${file.digest}`);
    }
  }
  const index = files.get("index.json");
  if (!index?.bytes) throw new Error(`${path}: no index.json`);
  const { digest } = indexEntry(path, index.bytes, ref);
  const manifest = blob(digest);
  if (!manifest?.bytes) throw new Error(`${path}: manifest ${digest} missing`);
  const parsed = JSON.parse(new TextDecoder().decode(manifest.bytes)) as {
    config: { digest: string; size: number };
    layers: { digest: string; size: number }[];
  };
  for (const want of [parsed.config, ...parsed.layers]) {
    if (blob(want.digest)?.size !== want.size) {
      throw new Error(`${path}: blob ${want.digest} missing or wrong size`);
    }
  }
}
