/**
 * The loopback registries the registry scenarios use: real CNCF
 * distribution registries (plain HTTP), one holding the bench image (pushed
 * once by skopeo, untimed), empty ones started per run, and helpers reading
 * back what a copy stored.
 *
 * @module
 */
import { Digester, digestOf } from "../core/digest.ts";
import {
  type RunningRegistry,
  startRegistry,
} from "../tests/support/registry.ts";
import type { BenchImage } from "./image.ts";
import { timedRun, type Tool } from "./tools.ts";

/** The registry holding the source image. */
export interface BenchRegistries extends AsyncDisposable {
  /** Holds `bench/source:<ref>`; pushes and mounts go here. */
  readonly primary: RunningRegistry;
  /** `docker://…` of the source image on the primary. */
  readonly source: string;
}

/** The repository of the source image on the primary registry. */
export const SOURCE_REPOSITORY = "bench/source";

/**
 * Starts the source registry and pushes the image to it.
 *
 * @param image The bench image.
 * @param pusher The tool that pushes it (skopeo, so neither side is favoured).
 * @returns The registry; dispose of it to stop it.
 */
export async function startBenchRegistries(
  image: BenchImage,
  pusher: Tool,
): Promise<BenchRegistries> {
  const primary = await startRegistry();
  try {
    const source = `docker://${primary.host}/${SOURCE_REPOSITORY}:${image.ref}`;
    const push = await timedRun(pusher, [
      "copy",
      "--dest-tls-verify=false",
      `oci:${image.ociDir}:${image.ref}`,
      source,
    ]);
    if (push.code !== 0) {
      throw new Error(`pushing the bench image failed: ${push.stderr}`);
    }
    return {
      primary,
      source,
      [Symbol.asyncDispose]: () => primary.stop(),
    };
  } catch (error) {
    await primary.stop();
    throw error;
  }
}

/**
 * Starts an empty registry (about 70 ms, untimed) for one run.
 *
 * @returns The registry; dispose of it to stop it.
 */
export function startFreshRegistry(): Promise<RunningRegistry> {
  return startRegistry();
}

const MANIFEST_TYPES = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
].join(", ");

async function fetchManifest(
  registry: RunningRegistry,
  repository: string,
  tag: string,
): Promise<Uint8Array> {
  const res = await fetch(
    `${registry.url}/v2/${repository}/manifests/${tag}`,
    { headers: { accept: MANIFEST_TYPES } },
  );
  const body = new Uint8Array(await res.arrayBuffer());
  if (!res.ok) {
    throw new Error(
      `${registry.host}/${repository}:${tag}: HTTP ${res.status}`,
    );
  }
  return body;
}

/**
 * The digest of the manifest a copy stored in a registry.
 *
 * @param registry Where.
 * @param image `repository:tag`.
 * @returns Its digest.
 */
export async function registryManifestDigest(
  registry: RunningRegistry,
  image: { repository: string; tag: string },
): Promise<string> {
  return digestOf(await fetchManifest(registry, image.repository, image.tag));
}

/**
 * Downloads the stored manifest's config and layers and checks each digest
 * and size.
 *
 * @param registry Where.
 * @param image `repository:tag`.
 * @throws {Error} Naming the first missing or wrong blob.
 */
export async function verifyRegistryImage(
  registry: RunningRegistry,
  image: { repository: string; tag: string },
): Promise<void> {
  const manifest = JSON.parse(
    new TextDecoder().decode(
      await fetchManifest(registry, image.repository, image.tag),
    ),
  ) as {
    config: { digest: string; size: number };
    layers: { digest: string; size: number }[];
  };
  for (const blob of [manifest.config, ...manifest.layers]) {
    const res = await fetch(
      `${registry.url}/v2/${image.repository}/blobs/${blob.digest}`,
    );
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new Error(`${image.repository}@${blob.digest}: HTTP ${res.status}`);
    }
    const digester = new Digester();
    for await (const chunk of res.body) digester.update(chunk);
    const actual = digester.digest();
    if (actual !== blob.digest || digester.size !== blob.size) {
      throw new Error(
        `${image.repository}@${blob.digest}: got ${actual} (${digester.size} bytes)`,
      );
    }
  }
}
