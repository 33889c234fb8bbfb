/**
 * Writes an image into an OCI layout. Blobs and manifests land under their
 * digests (temporary file + rename); `index.json` is rewritten at commit,
 * last, so an interrupted copy never adds an entry. The writing itself is
 * `transports/_oci_layout/destination.ts`, shared with `oci-archive:`.
 *
 * @module
 */
import type { CommitOptions, OpenOptions } from "../../core/transport.ts";
import { pathExists } from "../_fs/atomic.ts";
import { goFsError } from "../_fs/go_error.ts";
import { OciLayoutDestination } from "../_oci_layout/destination.ts";
import { type OciIndexFile, readIndexFile } from "./layout.ts";
import { type OciReference, ociSettings } from "./reference.ts";

/** Opens (creating when needed) an OCI layout for writing. */
export async function openOciDestination(
  reference: OciReference,
  options: OpenOptions,
): Promise<OciDestination> {
  const root = reference.path;
  const shared = ociSettings(options).sharedBlobDir;
  try {
    await Deno.mkdir(shared ?? `${root}/blobs`, { recursive: true });
    if (!shared) await Deno.mkdir(`${root}/blobs/sha256`, { recursive: true });
    else await Deno.mkdir(root, { recursive: true });
  } catch (error) {
    throw goFsError("mkdir", root, error);
  }
  const index: OciIndexFile = await pathExists(`${root}/index.json`)
    ? await readIndexFile(root)
    : { schemaVersion: 2, manifests: [] };
  const acceptUncompressed =
    options.context?.settings?.["oci"]?.["acceptUncompressedLayers"] === true;
  return new OciDestination(reference, index, shared, acceptUncompressed);
}

/**
 * Commits into one layout run one at a time in this process, each on the
 * `index.json` it re-reads, so images written concurrently (sync) all stay
 * listed.
 */
const commits = new Map<string, Promise<void>>();

/** Writes one image (or list) into an OCI layout. */
export class OciDestination extends OciLayoutDestination<OciReference> {
  readonly #index: OciIndexFile;

  /**
   * @param reference The layout and name.
   * @param index The current `index.json` (or an empty one).
   * @param sharedBlobDir Where blobs go when shared between layouts.
   * @param acceptUncompressedLayers Keep uncompressed layers as they are
   *   (`--dest-oci-accept-uncompressed-layers`) instead of compressing them.
   */
  constructor(
    reference: OciReference,
    index: OciIndexFile,
    sharedBlobDir?: string,
    acceptUncompressedLayers = false,
  ) {
    super(reference, {
      root: reference.path,
      image: reference.image,
      index,
      sharedBlobDir,
      acceptUncompressedLayers,
    });
    this.#index = index;
  }

  /** Writes `index.json` last, merged with entries committed meanwhile. */
  override async commit(options: CommitOptions): Promise<void> {
    const root = this.reference.path;
    const previous = commits.get(root) ?? Promise.resolve();
    const mine = previous.then(async () => {
      if (await pathExists(`${root}/index.json`)) {
        // The base class adds this image to the same object it was given.
        Object.assign(this.#index, await readIndexFile(root));
      }
      await super.commit(options);
    });
    const settled = mine.catch(() => {});
    commits.set(root, settled);
    try {
      await mine;
    } finally {
      if (commits.get(root) === settled) commits.delete(root);
    }
  }
}
