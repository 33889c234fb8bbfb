/**
 * The `sync --summary json` document (docs/sync.md): what a sync copied,
 * skipped and failed (with reasons), bytes moved and duration, for CI.
 *
 * @module
 */
import type { SyncImageRecord, SyncResult } from "./sync_images.ts";

/** One image in a summary list. */
export type SyncSummaryImage =
  & Partial<
    Pick<SyncImageRecord, "digest" | "bytes" | "reason">
  >
  & Pick<SyncImageRecord, "source" | "destination">;

/** The summary, version 1. */
export interface SyncSummary {
  /** Format version: 1. */
  version: 1;
  /** Whether the sync succeeded (no error, no failed image). */
  success: boolean;
  /** Why it failed, when it did. */
  error?: string | undefined;
  /** How many images each list holds. */
  counts: {
    copied: number;
    skipped: number;
    failed: number;
    planned?: number;
  };
  /** Blob bytes written to destinations. */
  bytesMoved: number;
  /** Wall time of the command. */
  durationMs: number;
  /** What sharing blobs between images saved. */
  blobs?: SyncResult["blobs"] | undefined;
  /** Images copied: source, destination, digest, bytes. */
  copied: SyncSummaryImage[];
  /** Images already present: source, destination, digest, reason. */
  skipped: SyncSummaryImage[];
  /** Images that failed: source, destination, reason. */
  failed: SyncSummaryImage[];
  /** With `--dry-run`: the images a sync would copy. */
  planned?: SyncSummaryImage[];
  /** Caller's fields (source, destination, shard…). */
  [key: string]: unknown;
}

/**
 * Builds the summary of a sync.
 *
 * @example
 * ```ts
 * import { syncSummary } from "./summary.ts";
 * const summary = syncSummary(undefined, new Error("no such repository"), {
 *   durationMs: 12.4,
 * });
 * console.assert(!summary.success && summary.counts.copied === 0);
 * ```
 *
 * @param result What the sync did (also attached to its error as
 *   `syncResult` when it stopped early); undefined when it did nothing.
 * @param error Why it failed, if it did.
 * @param extra `durationMs`, and fields to include (source, destination…).
 * @returns The summary.
 */
export function syncSummary(
  result: SyncResult | undefined,
  error: unknown,
  extra: { durationMs: number; [key: string]: unknown },
): SyncSummary {
  const records = result?.records ?? [];
  const pick = (status: SyncImageRecord["status"]) =>
    records.filter((r) => r.status === status);
  const copied = pick("copied");
  const skipped = pick("skipped");
  const failed = pick("failed");
  const planned = pick("planned");
  const { durationMs, ...fields } = extra;
  const summary: SyncSummary = {
    version: 1,
    ...fields,
    success: error === undefined && failed.length === 0,
    error: error === undefined
      ? undefined
      : error instanceof Error
      ? error.message
      : String(error),
    counts: {
      copied: copied.length,
      skipped: skipped.length,
      failed: failed.length,
    },
    bytesMoved: result?.bytes ?? 0,
    durationMs: Math.round(durationMs),
    blobs: result?.blobs,
    copied: copied.map(({ source, destination, digest, bytes }) => ({
      source,
      destination,
      digest,
      bytes,
    })),
    skipped: skipped.map(({ source, destination, digest, reason }) => ({
      source,
      destination,
      digest,
      reason,
    })),
    failed: failed.map(({ source, destination, reason }) => ({
      source,
      destination,
      reason,
    })),
  };
  if (planned.length > 0) {
    summary.counts.planned = planned.length;
    summary.planned = planned.map(({ source, destination }) => ({
      source,
      destination,
    }));
  }
  return summary;
}
