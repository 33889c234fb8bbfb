/**
 * The built-in transports. Each loader's `import()` takes a literal
 * specifier so that `deno compile` embeds every transport while a command
 * still evaluates only the transports it uses. `tests/compile_graph_test.ts`
 * keeps it that way.
 *
 * @module
 */
import type {
  TransportLoader,
  TransportRegistryOptions,
} from "../core/registry.ts";

/** Built-in transport name → lazy loader. */
export const BUILTIN_TRANSPORTS: Readonly<Record<string, TransportLoader>> = {
  "containers-storage": () => import("./containers_storage/mod.ts"),
  dir: () => import("./dir/mod.ts"),
  docker: () => import("./docker/mod.ts"),
  "docker-archive": () => import("./docker_archive/mod.ts"),
  "docker-daemon": () => import("./docker_daemon/mod.ts"),
  oci: () => import("./oci/mod.ts"),
  "oci-archive": () => import("./oci_archive/mod.ts"),
};

/**
 * The docker transport's support for the `login`, `logout` and `list-tags`
 * commands, loaded only when one of them runs.
 */
export const loadRegistryCommands = (): Promise<
  typeof import("./docker/login.ts")
> => import("./docker/login.ts");

/** Transport names skopeo knows that this build cannot run yet, with why. */
export const UNSUPPORTED_TRANSPORTS: Readonly<Record<string, string>> = {
  "ostree": "needs libostree",
  "sif": "not supported by skopeo-ts",
  "tarball": "not supported by skopeo-ts",
};

/** Options for a registry holding every built-in transport. */
export const BUILTIN_REGISTRY_OPTIONS: TransportRegistryOptions = {
  loaders: BUILTIN_TRANSPORTS,
  unsupported: UNSUPPORTED_TRANSPORTS,
};
