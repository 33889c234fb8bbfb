/**
 * The persisted sync cache: which manifest each source image (at a given
 * digest, with given copy options) produced at each destination. A re-sync
 * then checks an image with one manifest `HEAD` per side, also when the
 * copy converts (`--format`), where comparing digests alone cannot tell.
 *
 * The cache is a hint, never the truth: an entry is used only when the
 * source still has the recorded digest and the destination still has the
 * recorded manifest (both asked for by manifest requests), so a stale or
 * wrong entry costs a copy, never an image. The file is replaced atomically
 * (temporary file + rename, merged with entries other processes wrote
 * meanwhile); an unreadable or corrupt file is ignored.
 *
 * @module
 */
import type { Digest } from "../types.ts";

const VERSION = 1;
/** An unchanged entry confirmed again is renewed after this long. */
const RENEW_AFTER_MS = 60 * 60_000;
/** Entries kept; the oldest go first. */
const MAX_ENTRIES = 50_000;

/** What a copy produced. */
export interface SyncCacheEntry {
  /** The source's top-level manifest digest when it was copied. */
  source: Digest;
  /** The manifest digest written at the destination. */
  destination: Digest;
  /** When it was recorded (ms since the epoch). */
  time: number;
}

interface CacheFile {
  version: number;
  entries: Record<string, SyncCacheEntry>;
}

/**
 * The cache directory: `$XDG_CACHE_HOME/skopeo-ts`, else
 * `$HOME/.cache/skopeo-ts`; undefined when neither is set.
 */
export function defaultSyncCacheDir(
  env: { get(name: string): string | undefined },
): string | undefined {
  const xdg = env.get("XDG_CACHE_HOME");
  if (xdg) return `${xdg}/skopeo-ts`;
  const home = env.get("HOME");
  return home ? `${home}/.cache/skopeo-ts` : undefined;
}

function isEntry(value: unknown): value is SyncCacheEntry {
  const v = value as SyncCacheEntry;
  return typeof v === "object" && v !== null &&
    typeof v.source === "string" && typeof v.destination === "string" &&
    typeof v.time === "number";
}

async function readEntries(
  path: string,
): Promise<Map<string, SyncCacheEntry>> {
  const text = await Deno.readTextFile(path);
  const json = JSON.parse(text) as CacheFile;
  if (json?.version !== VERSION || typeof json.entries !== "object") {
    throw new Error(`unknown format (version ${json?.version})`);
  }
  const entries = new Map<string, SyncCacheEntry>();
  for (const [key, value] of Object.entries(json.entries ?? {})) {
    if (isEntry(value)) entries.set(key, value);
  }
  return entries;
}

/** The sync cache of one run: loaded once, saved once at the end. */
export class SyncCache {
  readonly #path: string;
  readonly #entries: Map<string, SyncCacheEntry>;
  readonly #added = new Map<string, SyncCacheEntry>();

  private constructor(path: string, entries: Map<string, SyncCacheEntry>) {
    this.#path = path;
    this.#entries = entries;
  }

  /**
   * Loads the cache file in `dir`; a missing file is an empty cache, an
   * unreadable or corrupt one is reported to `onIgnored` and ignored.
   */
  static async load(
    dir: string,
    onIgnored?: (message: string) => void,
  ): Promise<SyncCache> {
    const path = `${dir}/sync-v${VERSION}.json`;
    let entries = new Map<string, SyncCacheEntry>();
    try {
      entries = await readEntries(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        onIgnored?.(
          `Ignoring sync cache ${path}: ${(error as Error).message}`,
        );
      }
    }
    return new SyncCache(path, entries);
  }

  /** The cache file. */
  get path(): string {
    return this.#path;
  }

  /** The entry for a key (see {@linkcode syncCacheKey}). */
  get(key: string): SyncCacheEntry | undefined {
    return this.#added.get(key) ?? this.#entries.get(key);
  }

  /**
   * Records what a copy produced (or found already present, confirmed at
   * the destination). An unchanged entry is renewed only when it is older
   * than {@linkcode RENEW_AFTER_MS}, so a re-sync rarely rewrites the file.
   */
  set(key: string, source: Digest, destination: Digest): void {
    const old = this.get(key);
    if (
      old?.source === source && old.destination === destination &&
      Date.now() - old.time < RENEW_AFTER_MS
    ) return;
    this.#added.set(key, { source, destination, time: Date.now() });
  }

  /**
   * Writes the file when anything was added: re-read, merged, bounded,
   * written to a temporary file and renamed over the old one.
   */
  async save(): Promise<void> {
    if (this.#added.size === 0) return;
    const dir = this.#path.slice(0, this.#path.lastIndexOf("/"));
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    let merged: Map<string, SyncCacheEntry>;
    try {
      merged = await readEntries(this.#path);
    } catch {
      merged = new Map();
    }
    for (const [key, entry] of this.#added) merged.set(key, entry);
    let list = [...merged];
    if (list.length > MAX_ENTRIES) {
      list = list.sort((a, b) => b[1].time - a[1].time).slice(0, MAX_ENTRIES);
    }
    const file: CacheFile = {
      version: VERSION,
      entries: Object.fromEntries(list),
    };
    const temp = `${this.#path}.${Deno.pid}.${
      Math.random().toString(36).slice(2)
    }.tmp`;
    try {
      await Deno.writeTextFile(temp, JSON.stringify(file), { mode: 0o600 });
      await Deno.rename(temp, this.#path);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
    this.#added.clear();
  }
}

/**
 * The cache key of one image copy: source and destination as sync names
 * them, and every copy option that changes what is written.
 */
export function syncCacheKey(
  source: string,
  destination: string,
  options: Readonly<Record<string, unknown>>,
): string {
  const fingerprint = Object.keys(options).sort().map((k) =>
    `${k}=${JSON.stringify(options[k] ?? null)}`
  ).join(",");
  return `${source}\n${destination}\n${fingerprint}`;
}
