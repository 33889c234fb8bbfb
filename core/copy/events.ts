/**
 * Progress events of a copy, for renderers (the CLI's plain lines or bars)
 * and library users.
 *
 * @module
 */
import type { Digest } from "../types.ts";

/** What a blob is in the image. */
export type BlobKind = "config" | "layer";

/** Everything a copy reports while it runs. */
export type CopyEvent =
  /** Signatures are being read from the source (skopeo's first line). */
  | { type: "signatures-reading" }
  /** The destination is asked whether it stores the source's signatures. */
  | { type: "signatures-checking" }
  /** A blob transfer starts. */
  | { type: "blob-started"; digest: Digest; size: number; kind: BlobKind }
  /** Bytes moved so far (throttled). */
  | { type: "blob-progress"; digest: Digest; bytes: number; total: number }
  /** A blob needed no transfer. */
  | {
    type: "blob-skipped";
    digest: Digest;
    size: number;
    kind: BlobKind;
    reason: "exists" | "reused";
  }
  /** A blob transfer ended. */
  | { type: "blob-finished"; digest: Digest; bytes: number; kind: BlobKind }
  /** The manifest is about to be written. */
  | {
    type: "manifest-writing";
    instance: Digest | undefined;
    /** True for the manifest list / index itself. */
    list?: boolean;
  }
  /** The manifest just written is being signed (`--sign-by*`). */
  | { type: "signing"; format: "simple-signing" | "sigstore" }
  /** A manifest was written. */
  | { type: "manifest-written"; digest: Digest; mediaType: string }
  /** Signatures are about to be stored. */
  | {
    type: "signatures-storing";
    count: number;
    /** True for the list's own signatures. */
    list?: boolean;
  }
  /** Copying a list starts: its signatures are read, `count` of `total` instances follow. */
  | { type: "list-started"; count: number; total: number }
  /** An instance of a manifest list is being copied. */
  | { type: "instance-started"; index: number; count: number; digest: Digest };

/** Receives {@linkcode CopyEvent}s; must not throw. */
export type CopyEventHandler = (event: CopyEvent) => void;
