/**
 * The scenarios the bench times, one table entry each. A scenario says how to
 * call the CLI, what result both tools must agree on, and how to check the
 * copy it made. Registry scenarios get the loopback registries in
 * {@linkcode RunPaths}.
 *
 * @module
 */
import { once } from "node:events";
import { basename, join } from "node:path";
import { createGunzip, createZstdDecompress } from "node:zlib";
import { Digester } from "../core/digest.ts";
import { readFileStream } from "../core/fs_stream.ts";
import {
  ARCHIVE_TAG,
  dockerArchiveSummary,
  expectedDockerArchiveSummary,
  ociArchiveManifestDigest,
  type SourceArchives,
  verifyDockerArchive,
  verifyOciArchive,
} from "./archives.ts";
import type { BenchImage } from "./image.ts";
import type { RunningRegistry } from "../tests/support/registry.ts";
import {
  type BenchRegistries,
  registryManifestDigest,
  verifyRegistryImage,
} from "./registry.ts";
import type { SyncSource } from "./sync_images.ts";
import { SYNC_SCENARIOS } from "./sync_scenarios.ts";
import {
  type StoredImage,
  storedManifestDigest,
  textDigest,
  verifyStoredImage,
} from "./verify.ts";

/** What one run of a scenario works on. */
export interface RunPaths {
  /** The source image. */
  image: BenchImage;
  /**
   * A destination path that does not exist yet (fresh per run), or, with
   * `keepDestination`, the same path for all of one tool's runs.
   */
  dest: string;
  /** The registries, for scenarios with `registry`. */
  registries?: BenchRegistries;
  /** An empty registry started for this run only, with `freshRegistry`. */
  fresh?: RunningRegistry;
  /** The image as archives, for scenarios with `sourceArchives`. */
  archives?: SourceArchives;
  /** The 40-tag sync source, for scenarios with `syncSource`. */
  sync?: SyncSource;
}

/** One row of the bench. */
export interface Scenario {
  /** Short id for `--only`. */
  id: string;
  /** The row's label. */
  title: string;
  /** Needs {@linkcode RunPaths.registries}. */
  registry?: boolean;
  /**
   * Needs {@linkcode RunPaths.fresh}: an empty registry per run, on a new
   * port, so that nothing (not even skopeo's system-wide blob-info cache,
   * which remembers where blobs were pushed before) can skip an upload.
   */
  freshRegistry?: boolean;
  /**
   * An archive row: the only rows run by default on the `huge` image, which
   * exists to measure peak memory on a 1 GiB archive.
   */
  archive?: boolean;
  /** Needs {@linkcode RunPaths.archives}. */
  sourceArchives?: boolean;
  /** Needs {@linkcode RunPaths.sync} (and `registry`). */
  syncSource?: boolean;
  /** Reuse one destination per tool; its untimed warm-up run fills it. */
  keepDestination?: boolean;
  /** The command line after the global flags. */
  args(paths: RunPaths): string[];
  /** What the run produced; both tools and all runs must agree. */
  outcome(paths: RunPaths, stdout: string): Promise<string>;
  /** The outcome the source dictates, when known. */
  expected?(image: BenchImage): string;
  /** Full check of the produced image, once per tool (untimed). */
  verify?(paths: RunPaths): Promise<void>;
}

type Location = "oci" | "dir";

function source(kind: Location, image: BenchImage): string {
  return kind === "oci"
    ? `oci:${image.ociDir}:${image.ref}`
    : `dir:${image.dirDir}`;
}

function stored(kind: Location, paths: RunPaths): StoredImage {
  return kind === "oci"
    ? { kind, path: paths.dest, ref: paths.image.ref }
    : { kind, path: paths.dest };
}

function copy(
  id: string,
  title: string,
  from: Location,
  to: Location,
  options: { keepDestination?: boolean } = {},
): Scenario {
  return {
    id,
    title,
    ...options,
    args: (paths) => [
      "copy",
      source(from, paths.image),
      to === "oci"
        ? `oci:${paths.dest}:${paths.image.ref}`
        : `dir:${paths.dest}`,
    ],
    outcome: (paths) => storedManifestDigest(stored(to, paths)),
    expected: (image) =>
      to === "oci"
        ? `${image.manifestDigest} (1 index entry)`
        : image.manifestDigest,
    verify: (paths) => verifyStoredImage(stored(to, paths)),
  };
}

const TLS = ["--src-tls-verify=false", "--dest-tls-verify=false"];

function registriesOf(paths: RunPaths): BenchRegistries {
  if (!paths.registries) throw new Error("this scenario needs the registries");
  return paths.registries;
}

/** A repository unique to the run (the destination path's last part). */
function runRepository(id: string, paths: RunPaths): string {
  return `bench/${id}/${basename(paths.dest)}`;
}

type Side = "oci" | "primary" | "fresh";

/** A copy where at least one side is a registry. */
function registryCopy(
  id: string,
  title: string,
  from: Side,
  to: Side,
  options: { keepDestination?: boolean } = {},
): Scenario {
  const target = (paths: RunPaths) => {
    const registries = registriesOf(paths);
    const fresh = paths.fresh;
    if (to === "fresh" && !fresh) throw new Error("needs a fresh registry");
    return {
      registry: to === "fresh" ? fresh! : registries.primary,
      repository: runRepository(id, paths),
      tag: paths.image.ref,
    };
  };
  const storedOci = (paths: RunPaths): StoredImage => ({
    kind: "oci",
    path: paths.dest,
    ref: paths.image.ref,
  });
  return {
    id,
    title,
    registry: true,
    freshRegistry: to === "fresh",
    ...options,
    args: (paths) => {
      const src = from === "oci"
        ? source("oci", paths.image)
        : registriesOf(paths).source;
      if (to === "oci") {
        return ["copy", ...TLS, src, `oci:${paths.dest}:${paths.image.ref}`];
      }
      const t = target(paths);
      return [
        "copy",
        ...TLS,
        src,
        `docker://${t.registry.host}/${t.repository}:${t.tag}`,
      ];
    },
    outcome: (paths) => {
      if (to === "oci") return storedManifestDigest(storedOci(paths));
      const t = target(paths);
      return registryManifestDigest(t.registry, t);
    },
    expected: (image) =>
      to === "oci"
        ? `${image.manifestDigest} (1 index entry)`
        : image.manifestDigest,
    verify: (paths) => {
      if (to === "oci") return verifyStoredImage(storedOci(paths));
      const t = target(paths);
      return verifyRegistryImage(t.registry, t);
    },
  };
}

interface OciManifest {
  config: { digest: string };
  layers: { digest: string; size: number; mediaType: string }[];
}

async function readOciImage(
  paths: RunPaths,
): Promise<{ manifest: OciManifest; blob: (d: string) => string }> {
  const stored = await storedManifestDigest({
    kind: "oci",
    path: paths.dest,
    ref: paths.image.ref,
  });
  const blob = (d: string) => join(paths.dest, "blobs", d.replace(":", "/"));
  const manifest = JSON.parse(
    await Deno.readTextFile(blob(stored.split(" ")[0]!)),
  ) as OciManifest;
  return { manifest, blob };
}

type Compression = "gzip" | "zstd";

/** Streams a compressed file, hashing it and what it decompresses to. */
async function hashCompressed(
  path: string,
  format: Compression,
): Promise<{ digest: string; diffId: string }> {
  const compressed = new Digester();
  const raw = new Digester();
  const inflate = format === "gzip" ? createGunzip() : createZstdDecompress();
  const done = new Promise<void>((resolve, reject) => {
    inflate.on("data", (chunk: Uint8Array) => raw.update(chunk));
    inflate.on("end", resolve);
    inflate.on("error", reject);
  });
  for await (const chunk of readFileStream(await Deno.open(path))) {
    compressed.update(chunk);
    if (!inflate.write(chunk)) await once(inflate, "drain");
  }
  inflate.end();
  await done;
  return { digest: compressed.digest(), diffId: raw.digest() };
}

/**
 * A copy into `oci:` that compresses layers: the compressed bytes differ
 * between encoders, so both tools must agree on the config (diffIDs
 * unchanged) and the layer types; the check decompresses every layer and
 * compares it with its diffID.
 */
function compressingCopy(
  base: Omit<Scenario, "outcome" | "verify">,
  format: Compression,
): Scenario {
  return {
    ...base,
    outcome: async (paths) => {
      const { manifest } = await readOciImage(paths);
      const types = [...new Set(manifest.layers.map((l) => l.mediaType))];
      return `config ${manifest.config.digest}, ${manifest.layers.length} layers ${
        types.join(",")
      }`;
    },
    verify: async (paths) => {
      const { manifest, blob } = await readOciImage(paths);
      const config = JSON.parse(
        await Deno.readTextFile(blob(manifest.config.digest)),
      ) as { rootfs: { diff_ids: string[] } };
      for (const [i, layer] of manifest.layers.entries()) {
        const hashed = await hashCompressed(blob(layer.digest), format);
        if (hashed.digest !== layer.digest) {
          throw new Error(`layer ${layer.digest} does not match its digest`);
        }
        if (hashed.diffId !== config.rootfs.diff_ids[i]) {
          throw new Error(`layer ${i} does not decompress to its diffID`);
        }
      }
    },
  };
}

const ZSTD: Scenario = compressingCopy({
  id: "zstd",
  title: "copy oci: → oci: recompressing gzip → zstd",
  args: (paths) => [
    "copy",
    "--dest-compress-format",
    "zstd",
    source("oci", paths.image),
    `oci:${paths.dest}:${paths.image.ref}`,
  ],
}, "zstd");

function archivesOf(paths: RunPaths): SourceArchives {
  if (!paths.archives) throw new Error("this scenario needs the archives");
  return paths.archives;
}

const dirAt = (paths: RunPaths): StoredImage => ({
  kind: "dir",
  path: paths.dest,
});

/** Copies to and from `docker-archive:` and `oci-archive:` files. */
const ARCHIVE_SCENARIOS: readonly Scenario[] = [
  {
    id: "oci-docker-archive",
    title: "copy oci: → docker-archive: (new file)",
    archive: true,
    args: (paths) => [
      "copy",
      source("oci", paths.image),
      `docker-archive:${paths.dest}:${ARCHIVE_TAG}`,
    ],
    outcome: (paths) => dockerArchiveSummary(paths.dest),
    expected: expectedDockerArchiveSummary,
    verify: (paths) => verifyDockerArchive(paths.dest),
  },
  {
    id: "docker-archive-dir",
    title: "copy docker-archive: → dir:",
    archive: true,
    sourceArchives: true,
    args: (paths) => [
      "copy",
      `docker-archive:${archivesOf(paths).dockerArchive}`,
      `dir:${paths.dest}`,
    ],
    outcome: (paths) => storedManifestDigest(dirAt(paths)),
    verify: (paths) => verifyStoredImage(dirAt(paths)),
  },
  compressingCopy({
    id: "docker-archive-oci",
    title: "copy docker-archive: → oci: (gzip-compressing)",
    archive: true,
    sourceArchives: true,
    args: (paths) => [
      "copy",
      `docker-archive:${archivesOf(paths).dockerArchive}`,
      `oci:${paths.dest}:${paths.image.ref}`,
    ],
  }, "gzip"),
  {
    id: "oci-oci-archive",
    title: "copy oci: → oci-archive: (new file)",
    archive: true,
    args: (paths) => [
      "copy",
      source("oci", paths.image),
      `oci-archive:${paths.dest}:${paths.image.ref}`,
    ],
    outcome: (paths) => ociArchiveManifestDigest(paths.dest, paths.image.ref),
    expected: (image) => `${image.manifestDigest} (1 index entry)`,
    verify: (paths) => verifyOciArchive(paths.dest, paths.image.ref),
  },
  {
    id: "oci-archive-dir",
    title: "copy oci-archive: → dir:",
    archive: true,
    sourceArchives: true,
    args: (paths) => [
      "copy",
      `oci-archive:${archivesOf(paths).ociArchive}:${paths.image.ref}`,
      `dir:${paths.dest}`,
    ],
    outcome: (paths) => storedManifestDigest(dirAt(paths)),
    expected: (image) => image.manifestDigest,
    verify: (paths) => verifyStoredImage(dirAt(paths)),
  },
];

/** Every scenario, in table order. */
export const SCENARIOS: readonly Scenario[] = [
  {
    id: "startup",
    title: "start-up (`--version`)",
    args: () => ["--version"],
    // Ours appends its own version in parentheses.
    outcome: (_, stdout) =>
      Promise.resolve(stdout.split(/\s+/).slice(0, 3).join(" ")),
    expected: () => "skopeo version 1.9.3",
  },
  copy("oci-dir", "copy oci: → dir:", "oci", "dir"),
  copy("oci-oci", "copy oci: → oci: (empty destination)", "oci", "oci"),
  copy("dir-oci", "copy dir: → oci: (empty destination)", "dir", "oci"),
  copy("recopy", "copy oci: → oci: (all blobs present)", "oci", "oci", {
    keepDestination: true,
  }),
  registryCopy(
    "push",
    "push oci: → registry (empty registry)",
    "oci",
    "fresh",
  ),
  registryCopy(
    "pull",
    "pull registry → oci: (empty destination)",
    "primary",
    "oci",
  ),
  registryCopy(
    "registry-registry",
    "copy registry → second registry (empty)",
    "primary",
    "fresh",
  ),
  registryCopy(
    "mount",
    "copy registry → other repository, same registry",
    "primary",
    "primary",
  ),
  registryCopy(
    "push-recopy",
    "push oci: → registry (all blobs present)",
    "oci",
    "primary",
    { keepDestination: true },
  ),
  ...SYNC_SCENARIOS,
  ZSTD,
  ...ARCHIVE_SCENARIOS,
  {
    id: "inspect",
    title: "inspect oci:",
    args: (paths) => ["inspect", source("oci", paths.image)],
    // Same JSON values; the digest keeps the table's check column short.
    outcome: (_, stdout) =>
      Promise.resolve(textDigest(JSON.stringify(JSON.parse(stdout)))),
  },
  {
    id: "manifest-digest",
    title: "manifest-digest",
    args: (paths) => ["manifest-digest", paths.image.manifestPath],
    outcome: (_, stdout) => Promise.resolve(stdout.trim()),
    expected: (image) => image.manifestDigest,
  },
];
