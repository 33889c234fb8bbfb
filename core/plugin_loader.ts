/**
 * Loads external transport plugins: a module with a named `transport` export
 * implementing `core/transport.ts`, given by path (or, under `deno run`, by
 * URL), validated and added to a {@linkcode TransportRegistry}.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { PluginLoadError } from "./errors.ts";
import { type TransportRegistry, validateTransportModule } from "./registry.ts";
import type { Transport } from "./transport.ts";

/** Options of {@linkcode loadTransportPlugin}. */
export interface LoadTransportPluginOptions {
  /** The registry the transport is added to. */
  registry: TransportRegistry;
  /** Base of relative paths; `Deno.cwd()` by default. */
  cwd?: string | undefined;
  /**
   * Whether this process is a `deno compile` binary, which refuses remote
   * modules; `Deno.build.standalone` by default.
   */
  standalone?: boolean | undefined;
}

/** Plugins each registry got from this loader: name → where it came from. */
const loadedPlugins = new WeakMap<TransportRegistry, Map<string, string>>();
/** Modules each registry already imported (so a path given twice is fine). */
const loadedModules = new WeakMap<TransportRegistry, Map<string, Transport>>();

// A scheme needs two letters or more, so `C:\x` stays a Windows path.
const URL_SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/** Whether this process runs as a `deno compile` binary. */
function isStandalone(): boolean {
  return (Deno.build as { standalone?: boolean }).standalone === true;
}

/**
 * The first line of an error's message, plus the source position of a parse
 * error when there is one: plugin errors print on one line.
 */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split("\n").map((line) => line.trim()).filter(Boolean);
  const first = lines[0] ?? "unknown error";
  const position = lines.find((line) => /^at \S+:\d+:\d+$/.test(line));
  return position ? `${first} (${position})` : first;
}

/** The URL to import: a file URL of the real path, or a remote URL. */
async function moduleUrl(
  specifier: string,
  options: LoadTransportPluginOptions,
): Promise<string> {
  let path = specifier;
  if (URL_SCHEME.test(specifier)) {
    const url = new URL(specifier);
    if (url.protocol !== "file:") {
      if (options.standalone ?? isStandalone()) {
        throw new PluginLoadError(
          specifier,
          "a compiled skopeo-ts binary loads plugins only from local files (it cannot fetch or cache remote modules); download the plugin and pass its path",
        );
      }
      return url.href;
    }
    path = decodeURIComponent(url.pathname);
  }
  const absolute = isAbsolute(path)
    ? path
    : resolve(options.cwd ?? Deno.cwd(), path);
  let real: string;
  try {
    real = await Deno.realPath(absolute);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? `no such file ${absolute}`
      : firstLine(error);
    throw new PluginLoadError(specifier, reason, { cause: error });
  }
  return pathToFileURL(real).href;
}

/**
 * Imports a plugin module, checks it and adds its transport to the registry.
 * Relative paths resolve against the working directory, then to the real
 * path (so symlinks and `..` load one module once). Loading the same module
 * twice into one registry returns the transport loaded first.
 *
 * @example Load the example key-value transport
 * ```ts ignore
 * import { loadTransportPlugin } from "./plugin_loader.ts";
 * import { TransportRegistry } from "./registry.ts";
 * const registry = new TransportRegistry();
 * const transport = await loadTransportPlugin(
 *   "plugins/examples/kv_dir/mod.ts",
 *   { registry },
 * );
 * console.log(transport.name); // "kvdir"
 * ```
 *
 * @param specifier A file path, a `file:` URL, or (not in compiled
 *   binaries) a remote URL.
 * @param options The registry, and the base of relative paths.
 * @returns The transport added.
 * @throws {PluginLoadError} With a one-line message when the file is
 *   missing, does not import, has no `transport` export, declares another
 *   API version, or its name is already taken.
 */
export async function loadTransportPlugin(
  specifier: string,
  options: LoadTransportPluginOptions,
): Promise<Transport> {
  const { registry } = options;
  const url = await moduleUrl(specifier, options);
  let modules = loadedModules.get(registry);
  if (!modules) loadedModules.set(registry, modules = new Map());
  const known = modules.get(url);
  if (known) return known;

  let module: unknown;
  try {
    module = await import(url);
  } catch (error) {
    throw new PluginLoadError(specifier, firstLine(error), { cause: error });
  }
  const transport = validateTransportModule(module, specifier);
  let plugins = loadedPlugins.get(registry);
  if (!plugins) loadedPlugins.set(registry, plugins = new Map());
  if (registry.has(transport.name)) {
    const earlier = plugins.get(transport.name);
    throw new PluginLoadError(
      specifier,
      earlier === undefined
        ? `transport name "${transport.name}" clashes with a built-in transport`
        : `transport name "${transport.name}" is already used by plugin "${earlier}"`,
    );
  }
  registry.add(transport);
  plugins.set(transport.name, specifier);
  modules.set(url, transport);
  return transport;
}

/**
 * Splits a plugin path list such as `SKOPEO_TS_PLUGINS`: entries separated
 * by the OS path delimiter (`:`; `;` on Windows), empty entries ignored.
 *
 * @param list The list.
 * @returns The paths, in order.
 */
export function splitPluginList(list: string | undefined): string[] {
  if (!list) return [];
  const delimiter = Deno.build.os === "windows" ? ";" : ":";
  return list.split(delimiter).filter((entry) => entry !== "");
}
