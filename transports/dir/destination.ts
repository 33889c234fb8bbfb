/**
 * Writes an image into a `dir:` directory. Blobs land under their digests as
 * they arrive (temporary file + rename); signatures and `manifest.json` are
 * written at commit, the manifest last, and only then are files of a previous
 * image removed, so an interrupted copy loses nothing and never looks
 * complete.
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
import type {
  BlobInfo,
  Digest,
  ManifestBlob,
  Signature,
} from "../../core/types.ts";
import { writeFileAtomic, writeStreamAtomic } from "../_fs/atomic.ts";
import { goFsError } from "../_fs/go_error.ts";
import { reusableBlobSize } from "../_fs/verify_file.ts";
import {
  blobPath,
  DIR_VERSION,
  isFormatFile,
  KNOWN_DIR_VERSIONS,
  manifestPath,
  signaturePath,
} from "./layout.ts";
import type { DirReference } from "./reference.ts";
import { signatureToFile } from "./signature_codec.ts";

/** skopeo's refusal to overwrite a directory that is not an image. */
export const NOT_IMAGE_DIR_MESSAGE =
  "not a containers image directory, don't want to overwrite important data";

/**
 * Opens a directory for writing: creates it, or accepts it when empty or
 * holding a previous image.
 */
export async function openDirDestination(
  reference: DirReference,
  options: OpenOptions,
): Promise<DirDestination> {
  const path = reference.path;
  let entries: string[];
  try {
    entries = [];
    for await (const entry of Deno.readDir(path)) entries.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw goFsError("open", path, error);
    }
    try {
      await Deno.mkdir(path, { recursive: true, mode: 0o755 });
    } catch (mkdirError) {
      throw goFsError("mkdir", path, mkdirError);
    }
    entries = [];
  }
  if (entries.length > 0) {
    let version = "";
    try {
      version = await Deno.readTextFile(`${path}/version`);
    } catch {
      // no version file: not an image directory
    }
    if (!KNOWN_DIR_VERSIONS.includes(version)) {
      throw new Error(NOT_IMAGE_DIR_MESSAGE);
    }
  }
  const settings = options.context?.settings?.["dir"] ?? {};
  const desired = settings["forceCompress"] === true
    ? "compress"
    : settings["forceDecompress"] === true
    ? "decompress"
    : "preserve";
  return new DirDestination(reference, entries, desired);
}

/** Writes one `dir:` image. */
export class DirDestination implements ImageDestination {
  /** The reference opened. */
  readonly reference: DirReference;
  /** Takes any manifest type, lists and signatures; keeps compression. */
  readonly capabilities: DestinationCapabilities;
  readonly #previous: readonly string[];
  readonly #kept = new Set<string>(["version", "manifest.json"]);
  readonly #signatures = new Map<string, readonly Signature[]>();
  #manifest: ManifestBlob | undefined;

  /**
   * @param reference The directory.
   * @param previous File names present before this copy.
   * @param desiredLayerCompression `--dest-compress` / `--dest-decompress`.
   */
  constructor(
    reference: DirReference,
    previous: readonly string[],
    desiredLayerCompression: "preserve" | "compress" | "decompress" =
      "preserve",
  ) {
    this.reference = reference;
    this.capabilities = {
      supportedManifestTypes: undefined,
      desiredLayerCompression,
      acceptsForeignLayerUrls: false,
      mustMatchRuntimeOs: false,
      concurrentBlobWrites: true,
      storesSignatures: true,
      storesManifestLists: true,
    };
    this.#previous = previous;
  }

  #keep(path: string): void {
    this.#kept.add(path.slice(path.lastIndexOf("/") + 1));
  }

  /** Streams a blob into `<hex>` via a temporary file. */
  async putBlob(
    stream: ReadableStream<Uint8Array>,
    info: BlobInfo,
    options: PutBlobOptions,
  ): Promise<UploadedBlob> {
    const stored = await writeStreamAtomic(
      stream,
      (digest) => blobPath(this.reference.path, digest),
      {
        expectedDigest: info.digest,
        expectedSize: info.size,
        trusted: options.digestVerified,
        signal: options.signal,
      },
    );
    this.#keep(blobPath(this.reference.path, stored.digest));
    return stored;
  }

  /** Reuses a blob file left by a previous copy when its content checks out. */
  async tryReusingBlob(
    info: BlobInfo,
    _options: ReuseBlobOptions,
  ): Promise<ReusedBlob | undefined> {
    if (!info.digest) return undefined;
    const path = blobPath(this.reference.path, info.digest);
    const size = await reusableBlobSize(path, info.size);
    if (size === undefined) return undefined;
    this.#keep(path);
    return { digest: info.digest, size };
  }

  /** Writes an instance manifest now; the top-level one at commit. */
  async putManifest(
    manifest: ManifestBlob,
    options: InstanceOptions = {},
  ): Promise<void> {
    if (options.instance) {
      const path = manifestPath(this.reference.path, options.instance);
      await writeFileAtomic(path, manifest.bytes);
      this.#keep(path);
      return;
    }
    this.#manifest = manifest;
  }

  /** Keeps signatures for commit. */
  putSignatures(
    signatures: readonly Signature[],
    options: InstanceOptions = {},
  ): Promise<void> {
    this.#signatures.set(options.instance ?? "", signatures);
    return Promise.resolve();
  }

  /** Writes version, signatures, then `manifest.json`; then drops stale files. */
  async commit(options: CommitOptions): Promise<void> {
    const dir = this.reference.path;
    const manifest = this.#manifest ?? options.topLevelManifest;
    await writeFileAtomic(`${dir}/version`, DIR_VERSION);
    for (const [instance, signatures] of this.#signatures) {
      for (const [index, signature] of signatures.entries()) {
        const path = signaturePath(
          dir,
          index,
          instance ? instance as Digest : undefined,
        );
        await writeFileAtomic(path, signatureToFile(signature));
        this.#keep(path);
      }
    }
    await writeFileAtomic(manifestPath(dir), manifest.bytes);
    for (const name of this.#previous) {
      if (!this.#kept.has(name) && isFormatFile(name)) {
        await Deno.remove(`${dir}/${name}`).catch(() => {});
      }
    }
  }

  /** Nothing to release: blobs written are content-addressed and harmless. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
