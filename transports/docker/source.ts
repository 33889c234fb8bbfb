/**
 * Reading an image from a registry: manifests by tag or digest (with the
 * full `Accept` list, digest-verified when fetched by digest) and blobs as
 * streams (redirects followed by the client, size from `Content-Length`).
 *
 * @module
 */
import { verifyBytes } from "../../core/digest.ts";
import { BlobNotFoundError, ImageNotFoundError } from "../../core/errors.ts";
import {
  ALL_MANIFEST_MEDIA_TYPES,
  guessMediaType,
  isManifestMediaType,
  normalizeMediaType,
} from "../../core/manifest/mod.ts";
import type {
  BlobStream,
  ImageSource,
  InstanceOptions,
  SignalOptions,
  SourceCapabilities,
} from "../../core/transport.ts";
import type { BlobInfo, Digest, ManifestBlob } from "../../core/types.ts";
import type { RegistryClient } from "./client.ts";
import { formatName, formatReference } from "./reference.ts";
import type { DockerName } from "./reference.ts";
import {
  RegistryError,
  registryErrorFromResponse,
  statusErrorFromResponse,
} from "./registry_error.ts";
import type { DockerImageReference } from "./transport.ts";

/** Largest manifest accepted, as containers/image's `MaxManifestBodySize`. */
export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;

/** The `Accept` header for manifest requests. */
export const MANIFEST_ACCEPT: string = ALL_MANIFEST_MEDIA_TYPES.join(", ");

/** Options of {@linkcode fetchManifest}. */
export interface FetchManifestOptions extends SignalOptions {
  /** The image reference text for not-found errors. */
  imageName: string;
}

/**
 * GETs a manifest by tag or digest, verifying it when fetched by digest.
 *
 * @param client A client of the repository.
 * @param tagOrDigest The tag or digest.
 * @param options Signal and image name.
 * @returns The manifest bytes, media type and digest header.
 * @throws {ImageNotFoundError} On 404, with skopeo's message.
 * @throws {RegistryError} On other failures.
 * @throws {DigestMismatchError} When fetched by digest and the bytes differ.
 */
export async function fetchManifest(
  client: RegistryClient,
  tagOrDigest: string,
  options: FetchManifestOptions,
): Promise<ManifestBlob> {
  const path = `/v2/${client.repository}/manifests/${tagOrDigest}`;
  const response = await client.request("GET", path, {
    headers: { Accept: MANIFEST_ACCEPT },
    signal: options.signal,
  });
  const context =
    `reading manifest ${tagOrDigest} in ${client.domain}/${client.repository}`;
  if (response.status !== 200) {
    const error = await registryErrorFromResponse(response, {
      method: "GET",
      url: client.url(path),
      context,
    });
    if (error.status === 404) {
      throw withMessage(
        new ImageNotFoundError(options.imageName, undefined, { cause: error }),
        error.message,
      );
    }
    throw error;
  }
  const bytes = await readLimited(response, MAX_MANIFEST_SIZE, context);
  if (tagOrDigest.includes(":")) {
    verifyBytes(bytes, tagOrDigest as Digest, `manifest ${tagOrDigest}`);
  }
  let mediaType = normalizeMediaType(
    response.headers.get("content-type") ?? "",
  );
  if (!isManifestMediaType(mediaType)) {
    mediaType = guessMediaType(bytes) || mediaType;
  }
  return { bytes, mediaType };
}

/**
 * Replaces an error's message, keeping its class (so callers can branch on
 * it) while the text stays skopeo's.
 *
 * @param error The error.
 * @param message The new message.
 * @returns The same error.
 */
export function withMessage<E extends Error>(error: E, message: string): E {
  error.message = message;
  return error;
}

/** Reads a whole response body, failing past `limit` bytes. */
export async function readLimited(
  response: Response,
  limit: number,
  context: string,
): Promise<Uint8Array> {
  const length = Number(response.headers.get("content-length") ?? "-1");
  if (length > limit) {
    await response.body?.cancel();
    throw new RegistryError({
      status: response.status,
      method: "GET",
      url: response.url,
      message:
        `${context}: body of ${length} bytes exceeds the ${limit}-byte limit`,
    });
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > limit) {
    throw new RegistryError({
      status: response.status,
      method: "GET",
      url: response.url,
      message: `${context}: body exceeds the ${limit}-byte limit`,
    });
  }
  return bytes;
}

/** Passes a stream through and calls `release` once it ends, errors or is cancelled. */
function releasing(
  stream: ReadableStream<Uint8Array>,
  release: () => void,
): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    async cancel(reason) {
      release();
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** Reads one image of a registry repository. */
export class DockerImageSource implements ImageSource {
  /** The reference this source was opened from. */
  readonly reference: DockerImageReference;
  /** Blobs may be read in parallel. */
  readonly capabilities: SourceCapabilities = { concurrentBlobReads: true };
  #client: RegistryClient;
  #name: DockerName;
  #topManifest: ManifestBlob | undefined;

  /**
   * @param reference The reference.
   * @param client A client with `pull` scope for its repository.
   * @param physicalName Where the image is actually read (a registries.conf
   * mirror or location); default the reference's own name.
   */
  constructor(
    reference: DockerImageReference,
    client: RegistryClient,
    physicalName?: DockerName,
  ) {
    this.reference = reference;
    this.#client = client;
    this.#name = physicalName ?? reference.name;
  }

  /**
   * Fetches and caches the top-level manifest, so that a missing image fails
   * when the source is opened (as containers/image does).
   *
   * @param options Cancellation.
   */
  async load(options: SignalOptions = {}): Promise<void> {
    this.#topManifest ??= await fetchManifest(
      this.#client,
      this.#name.digest ?? this.#name.tag!,
      { signal: options.signal, imageName: formatReference(this.#name) },
    );
  }

  /** The top-level manifest, or an instance of a list by digest. */
  async getManifest(options: InstanceOptions = {}): Promise<ManifestBlob> {
    if (options.instance !== undefined) {
      return await fetchManifest(this.#client, options.instance, {
        signal: options.signal,
        imageName: `${formatName(this.#name)}@${options.instance}`,
      });
    }
    await this.load(options);
    return this.#topManifest!;
  }

  /**
   * Opens a blob. Foreign layers are read from their URLs (without
   * credentials) first; the registry is the fallback.
   *
   * @throws {BlobNotFoundError} When the registry has no such blob.
   */
  async getBlob(
    info: BlobInfo,
    options: SignalOptions = {},
  ): Promise<BlobStream> {
    if (info.digest === undefined) {
      throw new BlobNotFoundError("(no digest)", formatName(this.#name));
    }
    for (const url of info.urls ?? []) {
      const external = await this.#tryExternal(url, options.signal);
      if (external !== undefined) return external;
    }
    const release = await this.#client.acquireTransferSlot(
      "read",
      options.signal,
    );
    try {
      const path = `/v2/${this.#client.repository}/blobs/${info.digest}`;
      const response = await this.#client.request("GET", path, {
        signal: options.signal,
      });
      if (response.status !== 200 || response.body === null) {
        const error = await statusErrorFromResponse(response, {
          method: "GET",
          url: this.#client.url(path),
          context: "Error fetching blob",
        });
        if (error.status === 404) {
          throw new BlobNotFoundError(info.digest, formatName(this.#name), {
            cause: error,
          });
        }
        throw error;
      }
      const length = response.headers.get("content-length");
      const size = length !== null && /^\d+$/.test(length)
        ? Number(length)
        : info.size !== undefined && info.size >= 0
        ? info.size
        : undefined;
      return { stream: releasing(response.body, release), size };
    } catch (error) {
      release();
      throw error;
    }
  }

  async #tryExternal(
    url: string,
    signal: AbortSignal | undefined,
  ): Promise<BlobStream | undefined> {
    if (!/^https?:\/\//.test(url)) return undefined;
    try {
      const response = await fetch(url, signal ? { signal } : {});
      if (response.status !== 200 || response.body === null) {
        await response.body?.cancel();
        return undefined;
      }
      const length = response.headers.get("content-length");
      return {
        stream: response.body,
        size: length !== null ? Number(length) : undefined,
      };
    } catch {
      return undefined;
    }
  }

  /** No signatures are read from registries yet. */
  getSignatures(): Promise<never[]> {
    return Promise.resolve([]);
  }

  /** Releases connections. */
  close(): Promise<void> {
    this.#client.close();
    return Promise.resolve();
  }

  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
