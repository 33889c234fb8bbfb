/**
 * The sync rows: 40 tags (4 repositories × 10 tags sharing their big layers)
 * synced from a YAML source on the loopback registry, into an empty registry,
 * into an already-populated registry (the re-sync), and into a fresh
 * directory. Every row checks that every destination tag holds the source's
 * manifest digest.
 *
 * @module
 */
import { basename, join } from "node:path";
import { digestOf } from "../core/digest.ts";
import type { RunningRegistry } from "../tests/support/registry.ts";
import { registryManifestDigest, verifyRegistryImage } from "./registry.ts";
import type { RunPaths, Scenario } from "./scenarios.ts";
import type { SyncImage, SyncSource } from "./sync_images.ts";
import { textDigest, verifyStoredImage } from "./verify.ts";

const TLS = ["--src-tls-verify=false", "--dest-tls-verify=false"];

function syncOf(paths: RunPaths): SyncSource {
  if (!paths.sync) throw new Error("this scenario needs the sync source");
  return paths.sync;
}

/** One line per tag, `name:tag digest`, in a stable order. */
function summary(lines: string[]): string {
  return `${lines.length} tags, digests ${
    textDigest([...lines].sort().join("\n")).slice(7, 23)
  }`;
}

/**
 * Reads every tag at the destination; throws on the first whose digest is
 * not the source's, so a row fails with the tag that is wrong.
 */
async function checkAll(
  paths: RunPaths,
  digestAt: (image: SyncImage) => Promise<string>,
): Promise<string> {
  const lines: string[] = [];
  for (const image of syncOf(paths).images) {
    const actual = await digestAt(image);
    if (actual !== image.manifestDigest) {
      throw new Error(
        `${image.name}:${image.tag} has ${actual}, source ${image.manifestDigest}`,
      );
    }
    lines.push(`${image.name}:${image.tag} ${actual}`);
  }
  return summary(lines);
}

/** A registry destination: which registry and under what prefix. */
interface RegistryTarget {
  registry: RunningRegistry;
  prefix: string;
}

function registrySync(
  base: Pick<Scenario, "id" | "title" | "keepDestination" | "freshRegistry">,
  target: (paths: RunPaths) => RegistryTarget,
): Scenario {
  const at = (paths: RunPaths, image: SyncImage) => {
    const t = target(paths);
    // Without --scoped, sync names the copy after the repository's last part.
    return { repository: `${t.prefix}/${image.name}`, tag: image.tag };
  };
  return {
    ...base,
    registry: true,
    syncSource: true,
    args: (paths) => {
      const t = target(paths);
      return [
        "sync",
        ...TLS,
        "--src",
        "yaml",
        "--dest",
        "docker",
        syncOf(paths).yamlFile,
        `${t.registry.host}/${t.prefix}`,
      ];
    },
    outcome: (paths) =>
      checkAll(
        paths,
        (image) =>
          registryManifestDigest(target(paths).registry, at(paths, image)),
      ),
    // One full blob check per repository: each holds the shared layers.
    verify: async (paths) => {
      const images = syncOf(paths).images;
      for (const image of images.filter((i) => i.tag === images[0]!.tag)) {
        await verifyRegistryImage(target(paths).registry, at(paths, image));
      }
    },
  };
}

/** The sync scenarios, in table order. */
export const SYNC_SCENARIOS: readonly Scenario[] = [
  registrySync({
    id: "sync",
    title: "sync 4 repos × 10 tags registry → registry (empty)",
    freshRegistry: true,
  }, (paths) => {
    if (!paths.fresh) throw new Error("needs a fresh registry");
    return { registry: paths.fresh, prefix: "mirror" };
  }),
  registrySync({
    id: "resync",
    title: "sync 4 repos × 10 tags registry → registry (unchanged re-run)",
    keepDestination: true,
  }, (paths) => {
    if (!paths.registries) throw new Error("needs the registries");
    // The source registry, under a prefix kept per tool across its runs.
    return {
      registry: paths.registries.primary,
      prefix: `resync/${basename(paths.dest)}`,
    };
  }),
  {
    id: "sync-dir",
    title: "sync 4 repos × 10 tags registry → dir (fresh directory)",
    registry: true,
    syncSource: true,
    args: (paths) => [
      "sync",
      ...TLS,
      "--src",
      "yaml",
      "--dest",
      "dir",
      syncOf(paths).yamlFile,
      paths.dest,
    ],
    outcome: (paths) =>
      checkAll(
        paths,
        async (image) =>
          digestOf(
            await Deno.readFile(
              join(paths.dest, `${image.name}:${image.tag}`, "manifest.json"),
            ),
          ),
      ),
    verify: async (paths) => {
      for (const image of syncOf(paths).images) {
        await verifyStoredImage({
          kind: "dir",
          path: join(paths.dest, `${image.name}:${image.tag}`),
        });
      }
    },
  },
];
