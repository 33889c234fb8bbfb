/**
 * The format-independent view of a manifest that `parseManifest()` returns.
 *
 * @module
 */
import type { Descriptor } from "../types.ts";
import type { Schema1Details } from "./docker_schema1.ts";

/** A single-image manifest: OCI, Docker schema2 or Docker schema1. */
export interface ParsedImageManifest {
  /** Discriminant. */
  readonly kind: "image";
  /** The manifest's MIME type (normalized). */
  readonly mediaType: string;
  /** The `schemaVersion` field: 2, or 1 for Docker schema1. */
  readonly schemaVersion: number;
  /** The config blob; `undefined` for Docker schema1, which has none. */
  readonly config: Descriptor | undefined;
  /**
   * The layers, base layer first. May contain duplicates, which matter.
   * Schema1 layers have size -1 and the Docker gzip layer type.
   */
  readonly layers: Descriptor[];
  /** OCI manifest annotations. */
  readonly annotations?: Record<string, string>;
  /** OCI `subject` (the manifest this one refers to). */
  readonly subject?: Descriptor;
  /** OCI `artifactType`. */
  readonly artifactType?: string;
  /** Docker schema1 only: name, tag and the parsed history. */
  readonly schema1?: Schema1Details;
}

/** A multi-platform list: OCI index or Docker manifest list. */
export interface ParsedManifestList {
  /** Discriminant. */
  readonly kind: "list";
  /** The list's MIME type (normalized). */
  readonly mediaType: string;
  /** The `schemaVersion` field (2). */
  readonly schemaVersion: number;
  /** The instances, each with its `platform` when the list gives one. */
  readonly manifests: Descriptor[];
  /** OCI index annotations. */
  readonly annotations?: Record<string, string>;
  /** OCI `subject`. */
  readonly subject?: Descriptor;
  /** OCI `artifactType`. */
  readonly artifactType?: string;
}

/** What `parseManifest()` returns: an image or a list. */
export type ParsedManifest = ParsedImageManifest | ParsedManifestList;
