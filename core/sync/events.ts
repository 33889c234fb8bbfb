/**
 * What `syncImages` reports: skopeo's log lines (level, message, fields) and
 * each image's copy progress, delivered in image order even when images are
 * copied in parallel.
 *
 * @module
 */
import type { CopyEvent } from "../copy/events.ts";
import type { Digest } from "../types.ts";

/** A log level, as logrus names them. */
export type SyncLogLevel = "debug" | "info" | "warning" | "error";

/** Everything a sync reports. */
export type SyncEvent =
  /** A log line; `fields` as logrus prints them after the message. */
  | {
    type: "log";
    level: SyncLogLevel;
    message: string;
    fields: Readonly<Record<string, string>>;
  }
  /** An image copy starts; its copy events follow. */
  | { type: "image-started"; source: string; destination: string }
  /** A copy event of the current image. */
  | { type: "copy"; event: CopyEvent }
  /**
   * The destination already had the image: nothing was copied. `instances`
   * lists a manifest list's images when every one was selected (`--all`).
   */
  | { type: "image-skipped"; instances?: readonly Digest[] | undefined }
  /** The current image's copy ended (copied, skipped or failed). */
  | { type: "image-finished" };

/** Receives {@linkcode SyncEvent}s; must not throw. */
export type SyncEventHandler = (event: SyncEvent) => void;
