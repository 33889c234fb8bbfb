/**
 * The `docker://` transport: images in container registries through the
 * Registry HTTP API V2 / OCI distribution API. Per-operation settings
 * (credentials, TLS, retries) go in `context.settings.docker`; see
 * {@linkcode DockerSettings}.
 *
 * @example Read a manifest from a local registry
 * ```ts ignore
 * import { transport } from "./mod.ts";
 * const ref = transport.parseReference("//127.0.0.1:5000/app:1");
 * await using src = await ref.openSource({
 *   context: { settings: { docker: { tlsVerify: false } } },
 * });
 * const manifest = await src.getManifest();
 * ```
 *
 * @module
 */
export {
  DockerImageReference,
  parseDockerReference,
  repositoryName,
  transport,
} from "./transport.ts";
export { DockerImageSource } from "./source.ts";
export { DockerImageDestination } from "./destination.ts";
export {
  DEFAULT_MAX_CONCURRENT_PER_HOST,
  type DockerSettings,
  DockerSettingsError,
  readDockerSettings,
} from "./settings.ts";
export {
  type DockerName,
  familiarName,
  familiarString,
  formatName,
  formatReference,
  parseNormalizedNamed,
} from "../../core/docker_name.ts";
export {
  type AuthFileOptions,
  lookupCredentials,
  primaryAuthFilePath,
  removeAllCredentials,
  removeCredentials,
  storeCredentials,
  type StoredCredentials,
} from "./auth_file.ts";
export {
  RegistryError,
  TooManyRequestsError,
  UnauthorizedError,
} from "./registry_error.ts";
export { RegistryClient } from "./client.ts";
