/**
 * The transport-agnostic copy engine.
 *
 * @module
 */
export { copyImage } from "./copy_image.ts";
export type {
  BlobTransferLimiter,
  CopyOptions,
  CopyResult,
  ImageListSelection,
  ManifestSigner,
} from "./options.ts";
export { DEFAULT_MAX_PARALLEL_BLOBS } from "./options.ts";
export type { BlobKind, CopyEvent, CopyEventHandler } from "./events.ts";
