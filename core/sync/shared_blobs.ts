/**
 * One transfer per blob for a whole sync run. Every destination an image
 * copy opens is wrapped: a blob another image of the run is transferring is
 * waited for, then reused (a registry finds it in the repository or mounts
 * it from a sibling; an OCI layout finds it in its shared `blobs/`), and for
 * `dir` destinations a blob file already written by the run is hard-linked
 * (or copied) into the new image directory instead of being downloaded
 * again.
 *
 * @module
 */
import type {
  ImageDestination,
  ImageReference,
  OpenOptions,
  PutBlobOptions,
  ReuseBlobOptions,
  ReusedBlob,
  UploadedBlob,
} from "../transport.ts";
import type { BlobInfo, Digest } from "../types.ts";

/** A `dir:` image's blob file (the layout skopeo and we write). */
function dirBlobPath(dir: string, digest: Digest): string {
  const colon = digest.indexOf(":");
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  return algorithm === "sha256" ? `${dir}/${hex}` : `${dir}/${digest}`;
}

/** Counts of what the run's blob sharing did. */
export interface SharedBlobStats {
  /** Blob files hard-linked from an earlier image of the run. */
  linked: number;
  /** Blob files copied locally (when linking failed). */
  copiedLocally: number;
  /** Times an image waited for another image's transfer of the same blob. */
  waited: number;
}

/** Run-wide blob bookkeeping shared by every image of one sync. */
export class SharedBlobs {
  readonly #inFlight = new Map<Digest, Promise<void>>();
  readonly #files = new Map<Digest, { path: string; size: number }>();
  /** What was saved. */
  readonly stats: SharedBlobStats = { linked: 0, copiedLocally: 0, waited: 0 };

  /**
   * Wraps a destination reference so every destination it opens takes part.
   *
   * @param reference The destination image.
   * @param dirPath For `dir` destinations: the image directory, whose blob
   *   files may serve later images.
   * @returns A reference that behaves as `reference` otherwise.
   */
  wrap(reference: ImageReference, dirPath?: string): ImageReference {
    const open = reference.openDestination?.bind(reference);
    if (!open) return reference;
    const wrapped: ImageReference = {
      transport: reference.transport,
      dockerReference: reference.dockerReference,
      toString: () => reference.toString(),
      openSource: (options) => reference.openSource(options),
      openDestination: async (options?: OpenOptions) =>
        this.#wrapDestination(await open(options), dirPath),
    };
    if (reference.getManifestDigest) {
      const get = reference.getManifestDigest.bind(reference);
      wrapped.getManifestDigest = (options) => get(options);
    }
    return wrapped;
  }

  #wrapDestination(
    inner: ImageDestination,
    dirPath: string | undefined,
  ): ImageDestination {
    // Blobs this image announced it transfers, with their layer index: a
    // layer whose compression changes is stored under another digest, so
    // its claim is found again by index.
    const claims = new Map<
      Digest,
      { release: () => void; layerIndex: number | undefined }
    >();
    const release = (digest: Digest) => {
      claims.get(digest)?.release();
      claims.delete(digest);
    };
    const innerReuse = inner.tryReusingBlob?.bind(inner);
    const tryReusingBlob = async (
      info: BlobInfo,
      options: ReuseBlobOptions,
    ): Promise<ReusedBlob | undefined> => {
      const digest = info.digest;
      if (!digest) return await innerReuse?.(info, options);
      let waited = false;
      for (;;) {
        // Wait while another image transfers it (claims may pass on).
        let pending = this.#inFlight.get(digest);
        while (pending && !claims.has(digest)) {
          if (!waited) this.stats.waited++;
          waited = true;
          await pending;
          pending = this.#inFlight.get(digest);
        }
        const reused = await innerReuse?.(info, options);
        if (reused) return reused;
        if (dirPath !== undefined) {
          const local = await this.#fromLocalFile(
            inner,
            dirPath,
            info,
            options,
          );
          if (local) return local;
        }
        if (claims.has(digest)) return undefined;
        // Claimed by another image while we looked: wait for it, look again.
        if (this.#inFlight.has(digest)) continue;
        // This image transfers it now; others wait until putBlob ends.
        let done!: () => void;
        const promise = new Promise<void>((resolve) => done = resolve);
        this.#inFlight.set(digest, promise);
        claims.set(digest, {
          release: () => {
            if (this.#inFlight.get(digest) === promise) {
              this.#inFlight.delete(digest);
            }
            done();
          },
          layerIndex: options.layerIndex,
        });
        return undefined;
      }
    };
    const putBlob = async (
      stream: ReadableStream<Uint8Array>,
      info: BlobInfo,
      options: PutBlobOptions,
    ): Promise<UploadedBlob> => {
      try {
        const stored = await inner.putBlob(stream, info, options);
        if (dirPath !== undefined) {
          this.#files.set(stored.digest, {
            path: dirBlobPath(dirPath, stored.digest),
            size: stored.size,
          });
        }
        return stored;
      } finally {
        if (info.digest) {
          release(info.digest);
        } else if (options.layerIndex !== undefined) {
          for (const [digest, claim] of claims) {
            if (claim.layerIndex === options.layerIndex) release(digest);
          }
        }
      }
    };
    const close = async (): Promise<void> => {
      for (const digest of [...claims.keys()]) release(digest);
      await inner.close();
    };
    const wrapped: ImageDestination = {
      reference: inner.reference,
      capabilities: inner.capabilities,
      putBlob,
      tryReusingBlob,
      putManifest: (manifest, options) => inner.putManifest(manifest, options),
      commit: (options) => inner.commit(options),
      close,
      [Symbol.asyncDispose]: close,
    };
    if (inner.putSignatures) {
      const put = inner.putSignatures.bind(inner);
      wrapped.putSignatures = (signatures, options) => put(signatures, options);
    }
    return wrapped;
  }

  /**
   * Serves a blob from a file an earlier image of this run wrote: a hard
   * link (no bytes moved) or, across file systems, a local copy.
   */
  async #fromLocalFile(
    inner: ImageDestination,
    dirPath: string,
    info: BlobInfo,
    options: ReuseBlobOptions,
  ): Promise<ReusedBlob | undefined> {
    const digest = info.digest!;
    const file = this.#files.get(digest);
    const size = info.size ?? -1;
    if (!file || (size >= 0 && size !== file.size)) return undefined;
    const target = dirBlobPath(dirPath, digest);
    try {
      await Deno.link(file.path, target);
      this.stats.linked++;
      const reused = await inner.tryReusingBlob?.(info, options);
      if (reused) return reused;
    } catch {
      // different file systems, or the file is gone: copy below
    }
    try {
      const opened = await Deno.open(file.path);
      const stored = await inner.putBlob(opened.readable, info, {
        isConfig: false,
        signal: options.signal,
        layerIndex: options.layerIndex,
      });
      this.stats.copiedLocally++;
      return { digest: stored.digest, size: stored.size };
    } catch {
      return undefined; // fetch it from the source as usual
    }
  }
}
