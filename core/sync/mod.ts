/**
 * `skopeo sync`: planning (sources, YAML files, tag filters, naming) and
 * execution.
 *
 * @module
 */
export {
  DEFAULT_PARALLEL_IMAGES,
  DEFAULT_SYNC_BLOB_TRANSFERS,
  type SyncDestinationKind,
  type SyncFailure,
  type SyncImageRecord,
  syncImages,
  type SyncImagesOptions,
  type SyncResult,
} from "./sync_images.ts";
export {
  filterTagNames,
  hasTagFilters,
  imageCreated,
  parseSyncDuration,
  parseTagFilters,
  type TagFilters,
} from "./filters.ts";
export { parseShard, type Shard, shardOf } from "./shard.ts";
export {
  type SyncSummary,
  syncSummary,
  type SyncSummaryImage,
} from "./summary.ts";
export { SharedBlobs, type SharedBlobStats } from "./shared_blobs.ts";
export type { SyncEvent, SyncEventHandler, SyncLogLevel } from "./events.ts";
export {
  expandSource,
  type ExpandSourceOptions,
  findDirImages,
  hasTagOrDigest,
  type SyncRepository,
  type SyncSourceKind,
} from "./plan.ts";
export {
  destinationName,
  type DestinationNameOptions,
  goBase,
  goClean,
  goJoin,
} from "./naming.ts";
export {
  type FilterEntry,
  type ImagesEntry,
  parseSourceConfig,
  type RegistrySyncConfig,
  SyncConfigError,
} from "./source_config.ts";
export {
  compareSemVer,
  filterTagsBySemVer,
  parseSemVer,
  parseSemVerRange,
  type SemVer,
  type SemVerRange,
} from "./semver.ts";
