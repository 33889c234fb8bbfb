/**
 * The default store, from storage.conf as containers/storage finds it:
 * `$CONTAINERS_STORAGE_CONF`, else (rootless) `$XDG_CONFIG_HOME/containers/
 * storage.conf` or `~/.config/containers/storage.conf`, else
 * `/etc/containers/storage.conf`, else `/usr/share/containers/storage.conf`.
 * `STORAGE_DRIVER` and `STORAGE_OPTS` override the file, as they do for
 * podman.
 *
 * @module
 */
import { parse } from "npm:smol-toml@1.9.1";
import { InvalidContentError } from "../../core/errors.ts";

/** Where a store lives and how its layers are stored. */
export interface StoreSpec {
  /** Graph driver: `vfs` or `overlay` (empty: choose from what exists). */
  readonly driver: string;
  /** Persistent data: images, layers, big data. */
  readonly graphRoot: string;
  /** Volatile data: mount points, locks of running containers. */
  readonly runRoot: string;
  /** Driver options, `driver.key=value`. */
  readonly options: readonly string[];
}

/** Options of {@linkcode defaultStoreSpec}, for tests. */
export interface DefaultStoreOptions {
  /** Environment lookup; default `Deno.env.get`. */
  env?: ((name: string) => string | undefined) | undefined;
  /** Effective user ID; default `Deno.uid()`. */
  uid?: number | undefined;
}

/**
 * The store podman would use, from storage.conf and the environment.
 *
 * @example
 * ```ts ignore
 * const { graphRoot } = defaultStoreSpec();
 * ```
 *
 * @param options Environment and user overrides.
 * @returns The store's driver, roots and options.
 * @throws {InvalidContentError} When storage.conf is not valid TOML.
 */
export function defaultStoreSpec(options: DefaultStoreOptions = {}): StoreSpec {
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const uid = options.uid ?? Deno.uid() ?? 0;
  const home = env("HOME") ?? "/";
  const rootless = uid !== 0;
  const candidates: string[] = [];
  const explicit = env("CONTAINERS_STORAGE_CONF");
  if (explicit) candidates.push(explicit);
  else {
    if (rootless) {
      candidates.push(
        `${
          env("XDG_CONFIG_HOME") || `${home}/.config`
        }/containers/storage.conf`,
      );
    }
    candidates.push(
      "/etc/containers/storage.conf",
      "/usr/share/containers/storage.conf",
    );
  }
  let conf: Record<string, unknown> = {};
  for (const path of candidates) {
    let text: string;
    try {
      text = Deno.readTextFileSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    try {
      conf = parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new InvalidContentError(
        `parsing storage configuration ${path}: ${
          error instanceof Error ? error.message : error
        }`,
      );
    }
    break;
  }
  const storage = (conf.storage ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => typeof value === "string" ? value : "";
  let graphRoot = text(storage.graphroot);
  let runRoot = text(storage.runroot);
  if (rootless) {
    graphRoot = text(storage.rootless_storage_path) || (
      `${env("XDG_DATA_HOME") || `${home}/.local/share`}/containers/storage`
    );
    runRoot = env("XDG_RUNTIME_DIR")
      ? `${env("XDG_RUNTIME_DIR")}/containers`
      : `/tmp/containers-user-${uid}/containers`;
  }
  graphRoot ||= "/var/lib/containers/storage";
  runRoot ||= "/run/containers/storage";
  const driver = env("STORAGE_DRIVER") || text(storage.driver);
  const opts = env("STORAGE_OPTS");
  return {
    driver,
    graphRoot,
    runRoot,
    options: opts ? opts.split(",").filter((o) => o !== "") : [],
  };
}
