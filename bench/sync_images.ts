/**
 * The sync scenarios' source: 4 repositories × 10 tags that share the bench
 * image's big layers, each tag adding one small layer and its own config
 * (as a real repository's releases do). The 40 images are built once into an
 * OCI layout cached next to the bench image, then pushed by skopeo (untimed)
 * to the loopback registry once per bench run, and described by a YAML file
 * both tools sync from.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { digestOf } from "../core/digest.ts";
import type { Digest } from "../core/types.ts";
import type { RunningRegistry } from "../tests/support/registry.ts";
import type { BenchImage } from "./image.ts";
import { timedRun, type Tool } from "./tools.ts";

/** Repositories in the sync source. */
export const SYNC_REPOSITORIES = 4;
/** Tags per repository. */
export const SYNC_TAGS = 10;
/** Where the repositories live on the source registry: `syncsrc/app0`…. */
export const SYNC_NAMESPACE = "syncsrc";

/** One of the 40 images. */
export interface SyncImage {
  /** Last path component of the repository (`app0`): the sync destination name. */
  name: string;
  /** The tag (`v1.0`…). */
  tag: string;
  /** Its name in the OCI layout's index. */
  ref: string;
  /** Digest of its manifest. */
  manifestDigest: Digest;
}

/** The images built into an OCI layout. */
export interface SyncImages {
  /** The OCI layout holding all of them. */
  ociDir: string;
  /** The images, repository by repository. */
  images: SyncImage[];
}

/** The images pushed to a registry, with the YAML file naming them. */
export interface SyncSource extends SyncImages {
  /** The registry holding `syncsrc/app<i>:<tag>`. */
  registry: RunningRegistry;
  /** A `--src yaml` file listing every repository with all its tags. */
  yamlFile: string;
}

const MARKER = "sync-images.json";
/** Bump when the way images are built changes, to invalidate caches. */
const FORMAT = 1;
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

/** `syncsrc/app<i>` of an image. */
export function syncRepository(image: Pick<SyncImage, "name">): string {
  return `${SYNC_NAMESPACE}/${image.name}`;
}

/**
 * Returns the cached 40-image layout built on `base`, building it when
 * missing (seconds: the big layers are hard links to the base's blobs).
 *
 * @param base The bench image whose layers every tag shares.
 * @returns The layout and its images.
 */
export async function ensureSyncImages(base: BenchImage): Promise<SyncImages> {
  const root = join(dirname(base.ociDir), `sync-v${FORMAT}`);
  try {
    const stored = JSON.parse(
      await Deno.readTextFile(join(root, MARKER)),
    ) as SyncImages;
    return { ...stored, ociDir: join(root, stored.ociDir) };
  } catch {
    // not built yet
  }
  const temp = `${root}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  try {
    const images = await buildSyncImages(base, join(temp, "oci"));
    await Deno.writeTextFile(
      join(temp, MARKER),
      JSON.stringify({ ociDir: "oci", images }, null, 2) + "\n",
    );
    await Deno.remove(root, { recursive: true }).catch(() => {});
    await Deno.rename(temp, root);
  } catch (error) {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    throw error;
  }
  return await ensureSyncImages(base);
}

async function buildSyncImages(
  base: BenchImage,
  oci: string,
): Promise<SyncImage[]> {
  const blobs = join(oci, "blobs", "sha256");
  await Deno.mkdir(blobs, { recursive: true });
  const baseBlob = (d: string): string =>
    join(base.ociDir, "blobs", "sha256", d.slice(7));
  const baseManifest = JSON.parse(
    await Deno.readTextFile(baseBlob(base.manifestDigest)),
  ) as {
    config: { digest: string };
    layers: { mediaType: string; digest: string; size: number }[];
  };
  const baseConfig = JSON.parse(
    await Deno.readTextFile(baseBlob(baseManifest.config.digest)),
  ) as {
    rootfs: { diff_ids: string[] };
    history: unknown[];
  } & Record<string, unknown>;
  for (const layer of baseManifest.layers) {
    await Deno.link(baseBlob(layer.digest), join(blobs, layer.digest.slice(7)));
  }
  const write = async (bytes: Uint8Array): Promise<Digest> => {
    const digest = digestOf(bytes);
    await Deno.writeFile(join(blobs, digest.slice(7)), bytes);
    return digest;
  };
  const images: SyncImage[] = [];
  const index = [];
  for (let r = 0; r < SYNC_REPOSITORIES; r++) {
    for (let t = 0; t < SYNC_TAGS; t++) {
      const name = `app${r}`;
      const tag = `v1.${t}`;
      const tar = singleFileTar(
        "etc/bench-release",
        `${name} ${tag}\n`.repeat(64),
      );
      const layer = gzipSync(tar, { level: 6 });
      const layerDigest = await write(layer);
      const config = json({
        ...baseConfig,
        rootfs: {
          type: "layers",
          diff_ids: [...baseConfig.rootfs.diff_ids, digestOf(tar)],
        },
        history: [
          ...baseConfig.history,
          {
            created: "1970-01-01T00:00:00Z",
            created_by: `bench: release ${name}:${tag}`,
          },
        ],
      });
      const configDigest = await write(config);
      const manifest = json({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: {
          mediaType: "application/vnd.oci.image.config.v1+json",
          digest: configDigest,
          size: config.byteLength,
        },
        layers: [
          ...baseManifest.layers,
          {
            mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
            digest: layerDigest,
            size: layer.byteLength,
          },
        ],
      });
      const manifestDigest = await write(manifest);
      const ref = `${name}-${tag}`;
      images.push({ name, tag, ref, manifestDigest });
      index.push({
        mediaType: OCI_MANIFEST,
        digest: manifestDigest,
        size: manifest.byteLength,
        annotations: { "org.opencontainers.image.ref.name": ref },
      });
    }
  }
  await Deno.writeTextFile(
    join(oci, "oci-layout"),
    JSON.stringify({ imageLayoutVersion: "1.0.0" }),
  );
  await Deno.writeTextFile(
    join(oci, "index.json"),
    JSON.stringify({ schemaVersion: 2, manifests: index }),
  );
  return images;
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** A ustar archive of one regular file (mode 0644, owner 0, mtime 0). */
function singleFileTar(name: string, text: string): Uint8Array {
  const content = new TextEncoder().encode(text);
  const header = new Uint8Array(512);
  const put = (offset: number, value: string): void => {
    header.set(new TextEncoder().encode(value), offset);
  };
  const octal = (n: number, width: number): string =>
    n.toString(8).padStart(width - 1, "0") + "\0";
  put(0, name);
  put(100, octal(0o644, 8));
  put(108, octal(0, 8));
  put(116, octal(0, 8));
  put(124, octal(content.byteLength, 12));
  put(136, octal(0, 12));
  put(148, "        ");
  put(156, "0");
  put(257, "ustar\u000000");
  const sum = header.reduce((a, b) => a + b, 0);
  put(148, sum.toString(8).padStart(6, "0") + "\0 ");
  const padded = Math.ceil(content.byteLength / 512) * 512;
  const tar = new Uint8Array(512 + padded + 1024);
  tar.set(header);
  tar.set(content, 512);
  return tar;
}

/**
 * Pushes the 40 images to `registry` with skopeo (untimed: the first push
 * uploads the shared layers, the others find them there) and writes the YAML
 * file listing the repositories with all their tags.
 *
 * @param images The built layout.
 * @param options Registry, pushing tool and the directory for the YAML file.
 * @returns The source as both tools see it.
 * @throws {Error} When a push fails.
 */
export async function pushSyncImages(
  images: SyncImages,
  options: { registry: RunningRegistry; pusher: Tool; dir: string },
): Promise<SyncSource> {
  const { registry, pusher } = options;
  const push = async (image: SyncImage): Promise<void> => {
    const run = await timedRun(pusher, [
      "copy",
      "-q",
      "--dest-tls-verify=false",
      `oci:${images.ociDir}:${image.ref}`,
      `docker://${registry.host}/${syncRepository(image)}:${image.tag}`,
    ]);
    if (run.code !== 0) {
      throw new Error(`pushing ${image.ref} failed: ${run.stderr}`);
    }
  };
  // distribution 2.8 answers 500 when two pushes bring the same layer into
  // one repository at once: seed each repository with one tag first, one
  // at a time, then push the remaining tags (which differ only in their
  // small layer and config) in parallel.
  const seeded = new Set<string>();
  const rest: SyncImage[] = [];
  for (const image of images.images) {
    const repository = syncRepository(image);
    if (seeded.has(repository)) {
      rest.push(image);
    } else {
      seeded.add(repository);
      await push(image);
    }
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rest.length) await push(rest[next++]!);
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const names = [...new Set(images.images.map(syncRepository))];
  const yaml = [
    `${registry.host}:`,
    "  tls-verify: false",
    "  images:",
    ...names.map((n) => `    ${n}: []`),
    "",
  ].join("\n");
  await Deno.mkdir(options.dir, { recursive: true });
  const yamlFile = join(options.dir, "sync-source.yaml");
  await Deno.writeTextFile(yamlFile, yaml);
  return { ...images, registry, yamlFile };
}
