/**
 * Writes an image as an OCI archive: the layout is built in a temporary
 * directory (by the shared OCI layout writer) and, at commit, streamed as a
 * tar into a temporary file beside the destination, which is then renamed
 * into place. An existing archive is replaced, as skopeo does.
 *
 * @module
 */
import type {
  CommitOptions,
  DestinationCapabilities,
  ImageDestination,
  InstanceOptions,
  OpenOptions,
  PutBlobOptions,
  ReuseBlobOptions,
  ReusedBlob,
  UploadedBlob,
} from "../../core/transport.ts";
import type { BlobInfo, ManifestBlob, Signature } from "../../core/types.ts";
import {
  type ArchiveOutput,
  openArchiveOutput,
} from "../_archive/output_file.ts";
import { tarDirectory } from "../_archive/tar_directory.ts";
import { goFsError } from "../_fs/go_error.ts";
import { OciLayoutDestination } from "../_oci_layout/destination.ts";
import { createTarWriter } from "../_tar/mod.ts";
import type { OciArchiveReference } from "./reference.ts";

/**
 * Opens the destination: checks the archive's directory, makes the
 * temporary layout (in `context.tmpDir`).
 */
export async function openOciArchiveDestination(
  reference: OciArchiveReference,
  options: OpenOptions = {},
): Promise<OciArchiveDestination> {
  const output = await openArchiveOutput(reference.path);
  let layout: string | undefined;
  try {
    const tmpDir = options.context?.tmpDir;
    try {
      layout = await Deno.makeTempDir({
        ...(tmpDir ? { dir: tmpDir } : {}),
        prefix: "oci",
      });
    } catch (error) {
      throw goFsError("mkdir", tmpDir ?? "temporary directory", error);
    }
    await Deno.mkdir(`${layout}/blobs/sha256`, { recursive: true });
    // skopeo's --dest-oci-accept-uncompressed-layers applies to both.
    const accept = options.context?.settings?.["oci"]
      ?.["acceptUncompressedLayers"] === true;
    const inner = new OciLayoutDestination(reference, {
      root: layout,
      image: reference.image,
      index: { schemaVersion: 2, manifests: [] },
      acceptUncompressedLayers: accept,
    });
    return new OciArchiveDestination(reference, inner, output, layout);
  } catch (error) {
    await output.discard();
    if (layout) await Deno.remove(layout, { recursive: true }).catch(() => {});
    throw error;
  }
}

/** Writes one image (or list) as an OCI archive. */
export class OciArchiveDestination implements ImageDestination {
  /** The reference opened. */
  readonly reference: OciArchiveReference;
  /** Those of an OCI layout. */
  readonly capabilities: DestinationCapabilities;
  readonly #layout: OciLayoutDestination<OciArchiveReference>;
  readonly #output: ArchiveOutput;
  readonly #dir: string;
  #committed = false;

  /**
   * @param reference The archive and name.
   * @param layout The layout writer working in `dir`.
   * @param output The archive file.
   * @param dir The temporary layout directory; removed on close.
   */
  constructor(
    reference: OciArchiveReference,
    layout: OciLayoutDestination<OciArchiveReference>,
    output: ArchiveOutput,
    dir: string,
  ) {
    this.reference = reference;
    this.#layout = layout;
    this.capabilities = layout.capabilities;
    this.#output = output;
    this.#dir = dir;
  }

  /** Stores a blob in the temporary layout. */
  putBlob(
    stream: ReadableStream<Uint8Array>,
    info: BlobInfo,
    options: PutBlobOptions,
  ): Promise<UploadedBlob> {
    return this.#layout.putBlob(stream, info, options);
  }

  /** Reuses a blob already written by this copy. */
  tryReusingBlob(
    info: BlobInfo,
    options: ReuseBlobOptions,
  ): Promise<ReusedBlob | undefined> {
    return this.#layout.tryReusingBlob(info, options);
  }

  /** Stores a manifest in the temporary layout. */
  putManifest(
    manifest: ManifestBlob,
    options: InstanceOptions = {},
  ): Promise<void> {
    return this.#layout.putManifest(manifest, options);
  }

  /** Refuses, as the OCI layout does. */
  supportsSignatures(): Promise<void> {
    return this.#layout.supportsSignatures();
  }

  /** Refuses non-empty signatures, as the OCI layout does. */
  putSignatures(signatures: readonly Signature[]): Promise<void> {
    return this.#layout.putSignatures(signatures);
  }

  /** Completes the layout, tars it and renames the archive into place. */
  async commit(options: CommitOptions): Promise<void> {
    await this.#layout.commit(options);
    const tar = createTarWriter();
    const written = tar.readable.pipeTo(this.#output.writable);
    try {
      await tarDirectory(this.#dir, tar, { signal: options.signal });
      await tar.close();
      await written;
    } catch (error) {
      tar.abort(error);
      await written.catch(() => {});
      throw error;
    }
    await this.#output.commit();
    this.#committed = true;
  }

  /** Removes the temporary layout, and the unfinished archive if any. */
  async close(): Promise<void> {
    await this.#layout.close();
    if (!this.#committed) await this.#output.discard();
    await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
