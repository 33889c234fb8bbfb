/**
 * skopeo-ts as a library: copy, inspect, list and delete container images
 * between transports (`oci:`, `dir:`, and more as they land), with digest
 * verification, progress events and cancellation.
 *
 * @example Copy an image from an OCI layout to a directory, printing progress
 * ```ts
 * import { copyImage, parseImageName } from "./mod.ts";
 * const target = await Deno.makeTempDir();
 * const source = await parseImageName("oci:tests/fixtures/oci:demo");
 * const destination = await parseImageName(`dir:${target}/demo`);
 * const { digest } = await copyImage(source, destination, {
 *   onEvent: (e) => e.type === "blob-finished" && console.log(e.digest),
 *   signal: AbortSignal.timeout(60_000),
 * });
 * console.log(digest);
 * await Deno.remove(target, { recursive: true });
 * ```
 *
 * @example Load a transport plugin and use it
 * ```ts
 * import {
 *   copyImage,
 *   createTransportRegistry,
 *   loadTransportPlugin,
 * } from "./mod.ts";
 * const registry = createTransportRegistry();
 * await loadTransportPlugin("plugins/examples/memory/mod.ts", { registry });
 * const { digest } = await copyImage(
 *   await registry.parseImageName("oci:tests/fixtures/oci:demo"),
 *   await registry.parseImageName("memory:demo"),
 * );
 * console.log(digest);
 * ```
 *
 * @module
 */
import {
  TransportRegistry,
  type TransportRegistryOptions,
} from "./core/registry.ts";
import type { ImageReference } from "./core/transport.ts";
import { BUILTIN_REGISTRY_OPTIONS } from "./transports/builtin.ts";

export { copyImage } from "./core/copy/mod.ts";
export type {
  BlobKind,
  BlobTransferLimiter,
  CopyEvent,
  CopyEventHandler,
  CopyOptions,
  CopyResult,
  ImageListSelection,
  ManifestSigner,
} from "./core/copy/mod.ts";
export { inspectImage } from "./core/image/inspect_image.ts";
export type { InspectImageOptions } from "./core/image/inspect_image.ts";
export type { InspectInfo } from "./core/image/inspect.ts";
export { deleteImage, listTags } from "./core/image/repository_ops.ts";
export { login, logout } from "./transports/registry_auth.ts";
export type {
  LoginOptions,
  LogoutOptions,
} from "./transports/registry_auth.ts";
export { formatImageName, TransportRegistry } from "./core/registry.ts";
export { DEFAULT_PARALLEL_IMAGES, syncImages } from "./core/sync/mod.ts";
export type {
  Shard,
  SharedBlobStats,
  SyncDestinationKind,
  SyncEvent,
  SyncEventHandler,
  SyncFailure,
  SyncImageRecord,
  SyncImagesOptions,
  SyncLogLevel,
  SyncResult,
  SyncSourceKind,
  TagFilters,
} from "./core/sync/mod.ts";
export {
  defaultSyncCacheDir,
  SyncCache,
  type SyncCacheEntry,
} from "./core/cache/mod.ts";
export { loadTransportPlugin, splitPluginList } from "./core/plugin_loader.ts";
export type { LoadTransportPluginOptions } from "./core/plugin_loader.ts";
export type { Policy, PolicyRequirement } from "./core/policy/policy.ts";
export type {
  ParsedImageManifest,
  ParsedManifest,
  ParsedManifestList,
} from "./core/manifest/mod.ts";
export type {
  Schema1Details,
  Schema1V1Compatibility,
} from "./core/manifest/docker_schema1.ts";
export type { DigestAlgorithm } from "./core/digest.ts";
export type {
  TransportLoader,
  TransportRegistryOptions,
} from "./core/registry.ts";
export { manifestDigest, parseManifest } from "./core/manifest/mod.ts";
export * from "./core/errors.ts";
export * from "./core/transport.ts";
export type * from "./core/types.ts";

/**
 * Creates a transport registry holding every built-in transport, plus any
 * given loaders.
 *
 * @example Add your own transport
 * ```ts
 * import { createTransportRegistry } from "./mod.ts";
 * import { createMemoryTransport } from "./plugins/examples/memory/mod.ts";
 * const registry = createTransportRegistry();
 * registry.add(createMemoryTransport({ name: "scratch" }));
 * console.assert(registry.names().includes("scratch"));
 * ```
 *
 * @param options Extra loaders and unsupported names.
 * @returns A new registry.
 */
export function createTransportRegistry(
  options: TransportRegistryOptions = {},
): TransportRegistry {
  return new TransportRegistry({
    loaders: { ...BUILTIN_REGISTRY_OPTIONS.loaders, ...options.loaders },
    unsupported: {
      ...BUILTIN_REGISTRY_OPTIONS.unsupported,
      ...options.unsupported,
    },
  });
}

let defaultRegistry: TransportRegistry | undefined;

/**
 * Parses `transport:reference` with the built-in transports.
 *
 * @example Parse an OCI layout reference
 * ```ts
 * import { parseImageName } from "./mod.ts";
 * const ref = await parseImageName("oci:/tmp/layout:latest");
 * console.assert(ref.transport.name === "oci");
 * ```
 *
 * @param text The image name, e.g. `oci:/tmp/layout:tag`.
 * @param options `registry`: use this registry instead of the built-in one.
 * @returns The reference.
 * @throws {InvalidReferenceError} When the name does not parse.
 */
export function parseImageName(
  text: string,
  options: { registry?: TransportRegistry } = {},
): Promise<ImageReference> {
  const registry = options.registry ??
    (defaultRegistry ??= createTransportRegistry());
  return registry.parseImageName(text);
}
