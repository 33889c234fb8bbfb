/**
 * Caches persisted between runs (under the user's cache directory).
 *
 * @module
 */
export {
  defaultSyncCacheDir,
  SyncCache,
  type SyncCacheEntry,
  syncCacheKey,
} from "./sync_cache.ts";
