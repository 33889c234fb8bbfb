/**
 * Builds the benchmark's realistic image: layers made by tar-ing real system
 * trees (sorted names, mtime 0, owner 0) and `gzip -6 -n`, assembled into an
 * OCI layout plus an equivalent `dir:` copy. Random bytes would hide
 * compression costs, so the content is what real images hold. The result is
 * cached, keyed by the layer plan, so re-runs reuse it.
 *
 * @module
 */
import { join } from "node:path";
import { digestOf } from "../core/digest.ts";
import type { Digest } from "../core/types.ts";
import { listTree, tarGzip } from "./layer.ts";

/** The image sizes the bench knows. */
export type BenchSize = "small" | "full" | "huge";

/** One layer: the first `rawBudget` bytes of files found under `roots`. */
export interface LayerSpec {
  /** Names the layer in the config's history. */
  label: string;
  /** Absolute directories, walked in sorted order; the first existing one is used. */
  roots: readonly string[];
  /** Stop adding files once this many bytes of file content are listed. */
  rawBudget: number;
}

/** One layer as built. */
export interface BuiltLayer {
  /** Digest of the compressed blob. */
  digest: Digest;
  /** Size of the compressed blob. */
  size: number;
  /** Digest of the uncompressed tar (the config's diff_id). */
  diffId: Digest;
  /** Size of the uncompressed tar. */
  rawSize: number;
  /** The tree it was made from. */
  root: string;
  /** Entries in the tar. */
  entries: number;
}

/** A built (or cached) benchmark image. */
export interface BenchImage {
  /** The OCI layout directory. */
  ociDir: string;
  /** The layout's reference name (`oci:<ociDir>:<ref>`). */
  ref: string;
  /** The same image as a `dir:` directory. */
  dirDir: string;
  /** Digest of the manifest. */
  manifestDigest: Digest;
  /** Path of the manifest blob (for `manifest-digest`). */
  manifestPath: string;
  /** The layers, in order. */
  layers: BuiltLayer[];
  /** Sum of the compressed layer sizes. */
  compressedBytes: number;
  /** Sum of the uncompressed layer sizes. */
  rawBytes: number;
}

const MB = 1_000_000;
const REF = "bench";
const MARKER = "bench-image.json";
/** Bump when the way layers are built changes, to invalidate caches. */
const FORMAT = 1;

/**
 * Layer plans by size. `full` mirrors PERFORMANCE.md (five layers, ~228 MB
 * raw, ~86 MB gzip); `small` keeps the same mix at about a quarter; `huge`
 * is about 1 GiB raw (1.13 GB), for the archive rows' peak-memory check
 * (issue 4: a 1 GiB docker-archive copy must stay well under 200 MB RSS).
 */
export const LAYER_PLANS: Readonly<Record<BenchSize, readonly LayerSpec[]>> = {
  full: plan(1),
  small: plan(0.24),
  huge: hugePlan(),
};

function plan(scale: number): LayerSpec[] {
  const layers: [string, string[], number][] = [
    ["shared libraries", ["/usr/lib/x86_64-linux-gnu", "/usr/lib64"], 95],
    ["shared data", ["/usr/share"], 20],
    ["executables", ["/usr/bin"], 85],
    ["headers", ["/usr/include", "/usr/share"], 8],
    ["python stdlib", [...pythonRoots(), "/usr/share"], 24],
  ];
  return layers.map(([label, roots, mb]) => ({
    label,
    roots,
    rawBudget: Math.round(mb * scale * MB),
  }));
}

/**
 * Bigger slices of the same trees (a Debian machine with the bench's tools
 * holds ~1.8 GB of distinct files in them); a tree that runs short just
 * makes its layer smaller.
 */
function hugePlan(): LayerSpec[] {
  const layers: [string, string[], number][] = [
    ["shared libraries", ["/usr/lib/x86_64-linux-gnu", "/usr/lib64"], 420],
    ["shared data", ["/usr/share"], 330],
    ["executables", ["/usr/bin"], 240],
    ["headers", ["/usr/include", "/usr/share"], 100],
    ["python stdlib", [...pythonRoots(), "/usr/share"], 40],
  ];
  return layers.map(([label, roots, mb]) => ({
    label,
    roots,
    rawBudget: mb * MB,
  }));
}

/** `/usr/lib/python3.X` directories, newest first. */
function pythonRoots(): string[] {
  try {
    return [...Deno.readDirSync("/usr/lib")]
      .filter((e) => e.isDirectory && /^python3\.\d+$/.test(e.name))
      .map((e) => e.name)
      .sort((a, b) => Number(b.slice(8)) - Number(a.slice(8)))
      .map((name) => `/usr/lib/${name}`);
  } catch {
    return [];
  }
}

/** The cache directory: `$BENCH_CACHE_DIR`, else XDG cache, else `/tmp`. */
export function defaultCacheDir(): string {
  const explicit = Deno.env.get("BENCH_CACHE_DIR");
  if (explicit) return explicit;
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  if (xdg) return join(xdg, "skopeo-ts-bench");
  const home = Deno.env.get("HOME");
  return home
    ? join(home, ".cache", "skopeo-ts-bench")
    : "/tmp/skopeo-ts-bench";
}

/** Options of {@linkcode ensureBenchImage}. */
export interface EnsureImageOptions {
  /** Where built images are kept; {@linkcode defaultCacheDir} by default. */
  cacheDir?: string;
  /** Build again even when cached. */
  rebuild?: boolean;
  /** Progress messages. */
  log?: (message: string) => void;
}

/**
 * Returns the cached image for `layers`, building it first when missing.
 *
 * @param name A readable prefix of the cache entry (e.g. the size).
 * @param layers The layer plan.
 * @param options Cache location, forced rebuild, progress.
 * @returns The image's paths and digests.
 */
export async function ensureBenchImage(
  name: string,
  layers: readonly LayerSpec[],
  options: EnsureImageOptions = {},
): Promise<BenchImage> {
  const resolved = layers.map((layer) => ({
    ...layer,
    roots: [resolveRoot(layer)],
  }));
  const key = digestOf(
    new TextEncoder().encode(JSON.stringify({ FORMAT, resolved })),
  ).slice(7, 23);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const finalDir = join(cacheDir, `${name}-${key}`);
  if (!options.rebuild) {
    const cached = await readMarker(finalDir);
    if (cached) return cached;
  }
  await Deno.mkdir(cacheDir, { recursive: true });
  const temp = `${finalDir}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await buildImage(temp, resolved, options.log ?? (() => {}));
    await Deno.remove(finalDir, { recursive: true }).catch(() => {});
    await Deno.rename(temp, finalDir);
  } catch (error) {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    throw error;
  }
  const built = await readMarker(finalDir);
  if (!built) throw new Error(`Built image missing its marker: ${finalDir}`);
  return built;
}

function resolveRoot(layer: LayerSpec): string {
  for (const root of layer.roots) {
    try {
      if (Deno.statSync(root).isDirectory) return root;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    `No tree for layer "${layer.label}": none of ${
      layer.roots.join(", ")
    } exists`,
  );
}

/** Paths in the marker are relative so a cache directory can move. */
async function readMarker(dir: string): Promise<BenchImage | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, MARKER));
  } catch {
    return undefined;
  }
  const stored = JSON.parse(text) as BenchImage;
  return {
    ...stored,
    ociDir: join(dir, stored.ociDir),
    dirDir: join(dir, stored.dirDir),
    manifestPath: join(dir, stored.manifestPath),
  };
}

/**
 * Builds the OCI layout (`oci/`), the `dir:` copy (`dir/`, hard links) and
 * the marker into `root`.
 *
 * @param root A directory to create.
 * @param layers Layers whose `roots[0]` is the tree to use.
 * @param log Progress messages.
 */
export async function buildImage(
  root: string,
  layers: readonly LayerSpec[],
  log: (message: string) => void,
): Promise<void> {
  const oci = join(root, "oci");
  const blobs = join(oci, "blobs", "sha256");
  await Deno.mkdir(blobs, { recursive: true });
  const built: BuiltLayer[] = new Array(layers.length);
  const buildOne = async (i: number): Promise<void> => {
    const tree = layers[i]!.roots[0]!;
    const paths = await listTree(tree, layers[i]!.rawBudget);
    const started = performance.now();
    const result = await tarGzip(paths, join(root, `layer-${i}.tmp`));
    await Deno.rename(result.path, join(blobs, result.digest.slice(7)));
    built[i] = {
      digest: result.digest,
      size: result.size,
      diffId: result.diffId,
      rawSize: result.rawSize,
      root: tree,
      entries: paths.length,
    };
    log(
      `layer ${i + 1}/${layers.length} ${tree}: ${paths.length} entries, ${
        (result.rawSize / MB).toFixed(1)
      } MB raw → ${(result.size / MB).toFixed(1)} MB gzip in ${
        ((performance.now() - started) / 1000).toFixed(1)
      } s`,
    );
  };
  // gzip is the slow part (~20 MB/s on binaries): one layer per core.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < layers.length) await buildOne(next++);
  };
  await Promise.all([worker(), worker()]);
  const epoch = "1970-01-01T00:00:00Z";
  const config = json({
    created: epoch,
    architecture: "amd64",
    os: "linux",
    config: {
      Env: [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      ],
      Cmd: ["/bin/sh"],
    },
    rootfs: { type: "layers", diff_ids: built.map((l) => l.diffId) },
    history: layers.map((l, i) => ({
      created: epoch,
      created_by: `bench: ${l.label} from ${built[i]!.root}`,
    })),
  });
  const configDigest = await writeBlob(blobs, config);
  const manifest = json({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      digest: configDigest,
      size: config.byteLength,
    },
    layers: built.map((l) => ({
      mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
      digest: l.digest,
      size: l.size,
    })),
  });
  const manifestDigest = await writeBlob(blobs, manifest);
  await Deno.writeTextFile(
    join(oci, "oci-layout"),
    JSON.stringify({ imageLayoutVersion: "1.0.0" }),
  );
  await Deno.writeTextFile(
    join(oci, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: manifestDigest,
        size: manifest.byteLength,
        annotations: { "org.opencontainers.image.ref.name": REF },
      }],
    }),
  );
  const dir = join(root, "dir");
  await Deno.mkdir(dir);
  await Deno.writeFile(join(dir, "manifest.json"), manifest);
  await Deno.writeTextFile(
    join(dir, "version"),
    "Directory Transport Version: 1.1\n",
  );
  for (const digest of [configDigest, ...built.map((l) => l.digest)]) {
    const hex = digest.slice(7);
    await Deno.link(join(blobs, hex), join(dir, hex));
  }
  const image: BenchImage = {
    ociDir: "oci",
    ref: REF,
    dirDir: "dir",
    manifestDigest,
    manifestPath: join("oci", "blobs", "sha256", manifestDigest.slice(7)),
    layers: built,
    compressedBytes: built.reduce((n, l) => n + l.size, 0),
    rawBytes: built.reduce((n, l) => n + l.rawSize, 0),
  };
  await Deno.writeTextFile(
    join(root, MARKER),
    JSON.stringify(image, null, 2) + "\n",
  );
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

async function writeBlob(blobs: string, bytes: Uint8Array): Promise<Digest> {
  const digest = digestOf(bytes);
  await Deno.writeFile(join(blobs, digest.slice(7)), bytes);
  return digest;
}
