/**
 * Reading an image from a registry: manifests by tag or digest (with the
 * full `Accept` list, at most 4 MiB, digest-verified when fetched by digest)
 * and blobs as streams (redirects followed by the client). Transient faults
 * are retried a few times ({@linkcode DEFAULT_TRANSIENT_RETRIES}); a blob
 * body that breaks or ends early is resumed with `Range: bytes=N-` (or
 * re-read from the start when the registry ignores `Range`).
 *
 * @module
 */
import { verifyBytes } from "../../core/digest.ts";
import {
  BlobNotFoundError,
  DigestMismatchError,
  ImageNotFoundError,
} from "../../core/errors.ts";
import { markDisposable } from "../../core/fs_stream.ts";
import {
  ALL_MANIFEST_MEDIA_TYPES,
  guessMediaType,
  isManifestMediaType,
  manifestDigest,
  normalizeMediaType,
} from "../../core/manifest/mod.ts";
import type {
  BlobStream,
  ImageSource,
  InstanceOptions,
  Logger,
  SignalOptions,
  SourceCapabilities,
} from "../../core/transport.ts";
import type {
  BlobInfo,
  Digest,
  ManifestBlob,
  Signature,
} from "../../core/types.ts";
import { DEFAULT_TRANSIENT_RETRIES, type RegistryClient } from "./client.ts";
import { formatName, formatReference } from "../../core/docker_name.ts";
import type { DockerName } from "../../core/docker_name.ts";
import {
  RegistryError,
  registryErrorFromResponse,
  statusErrorFromResponse,
} from "./registry_error.ts";
import type { DockerSettings } from "./settings.ts";
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
  const context =
    `reading manifest ${tagOrDigest} in ${client.domain}/${client.repository}`;
  let previous: Uint8Array | undefined;
  for (let attempt = 0;; attempt++) {
    try {
      return await fetchManifestOnce(client, path, tagOrDigest, {
        ...options,
        context,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (error instanceof HeaderDigestMismatch) {
        // The same bytes twice: the header describes something else (a
        // registry quirk), not a damaged transfer. Take them, as skopeo
        // takes a manifest by tag without looking at the header.
        if (previous !== undefined && sameBytes(previous, error.blob.bytes)) {
          return error.blob;
        }
        previous = error.blob.bytes;
        if (attempt < DEFAULT_TRANSIENT_RETRIES) continue;
        throw error;
      }
      // A body cut off mid-way (reset, truncation) is worth another GET.
      if (
        !(error instanceof BodyReadError) ||
        attempt >= DEFAULT_TRANSIENT_RETRIES
      ) {
        throw error;
      }
    }
  }
}

/**
 * A manifest fetched by tag whose bytes do not hash to the registry's
 * `Docker-Content-Digest`: usually damaged on the way, so it is read again.
 */
class HeaderDigestMismatch extends DigestMismatchError {
  /** What was received. */
  readonly blob: ManifestBlob;

  constructor(claimed: Digest, blob: ManifestBlob, subject: string) {
    super(claimed, manifestDigest(blob.bytes), { subject });
    this.blob = blob;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function fetchManifestOnce(
  client: RegistryClient,
  path: string,
  tagOrDigest: string,
  options: FetchManifestOptions & { context: string },
): Promise<ManifestBlob> {
  const context = options.context;
  const response = await client.request("GET", path, {
    headers: { Accept: MANIFEST_ACCEPT },
    signal: options.signal,
    transientRetries: DEFAULT_TRANSIENT_RETRIES,
  });
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
    // Schema1 signed manifests are identified by their payload: registries
    // sign them anew on every GET, so the raw bytes differ each time.
    if (manifestDigest(bytes) !== tagOrDigest) {
      verifyBytes(bytes, tagOrDigest as Digest, `manifest ${tagOrDigest}`);
    }
  }
  let mediaType = normalizeMediaType(
    response.headers.get("content-type") ?? "",
  );
  if (!isManifestMediaType(mediaType)) {
    mediaType = guessMediaType(bytes) || mediaType;
  }
  const claimed = response.headers.get("docker-content-digest");
  if (
    !tagOrDigest.includes(":") && claimed?.startsWith("sha256:") &&
    manifestDigest(bytes) !== claimed
  ) {
    throw new HeaderDigestMismatch(
      claimed as Digest,
      { bytes, mediaType },
      `manifest ${tagOrDigest}`,
    );
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

/** A response body that broke off while being read (reset, truncation). */
class BodyReadError extends RegistryError {
  constructor(response: Response, context: string, cause: unknown) {
    super({
      status: response.status,
      method: "GET",
      url: response.url,
      message: `${context}: ${errorText(cause)}`,
      temporary: true,
      cause,
    });
  }
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[
    0
  ]!;
}

/**
 * Reads a whole response body, failing past `limit` bytes: at once when
 * `Content-Length` says so, else as soon as the bytes read pass it, so an
 * endless or huge body is never held in memory.
 *
 * @param response The response; its body is consumed or cancelled.
 * @param limit Most bytes accepted.
 * @param context Error message prefix.
 * @returns The body.
 * @throws {RegistryError} When the body is too large or breaks off
 * (`temporary` then).
 */
export async function readLimited(
  response: Response,
  limit: number,
  context: string,
): Promise<Uint8Array> {
  const tooLarge = (what: string): RegistryError =>
    new RegistryError({
      status: response.status,
      method: "GET",
      url: response.url,
      message: `${context}: ${what} exceeds the ${limit}-byte limit`,
    });
  const length = Number(response.headers.get("content-length") ?? "-1");
  if (length > limit) {
    await response.body?.cancel();
    throw tooLarge(`body of ${length} bytes`);
  }
  if (response.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  while (true) {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await reader.read();
    } catch (error) {
      throw new BodyReadError(response, context, error);
    }
    if (result.done) break;
    total += result.value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge("body");
    }
    chunks.push(result.value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

interface ResumingOptions {
  /** Bytes the whole blob holds, when known. */
  size: number | undefined;
  /** GETs the blob from an offset (with `Range` when > 0). */
  open: (offset: number) => Promise<Response>;
  signal: AbortSignal | undefined;
  /** For the error when resuming gives up. */
  digest: Digest;
  url: string;
  /**
   * Called once when the stream ends, errors or is cancelled (frees the
   * transfer slot without another stream hop).
   */
  release: () => void;
}

/**
 * Passes a blob body through; when it breaks off or ends short of `size`,
 * asks again from the first missing byte (up to
 * {@linkcode DEFAULT_TRANSIENT_RETRIES} times). A 206 continues where the
 * body stopped; a 200 (the registry ignored `Range`) is re-read from the
 * start with the bytes already passed on skipped. The copy engine verifies
 * the digest of the whole, so a resumed blob is as checked as any other.
 */
function resuming(
  first: ReadableStream<Uint8Array>,
  options: ResumingOptions,
): ReadableStream<Uint8Array> {
  // A byte stream's chunks (fetch's) are the reader's alone, so the last
  // consumer may free them; node:https bodies may share pooled buffers.
  let owned = isByteStream(first);
  let reader = readerOf(first, owned);
  let delivered = 0;
  let skip = 0;
  let resumes = 0;
  const resume = async (cause: unknown): Promise<void> => {
    if (options.signal?.aborted) throw cause;
    if (resumes >= DEFAULT_TRANSIENT_RETRIES) {
      throw new RegistryError({
        status: 0,
        method: "GET",
        url: options.url,
        message: `reading blob ${options.digest}: ${
          errorText(cause)
        } (${resumes} resumes failed)`,
        temporary: true,
        cause,
      });
    }
    resumes++;
    reader.releaseLock();
    const response = await options.open(delivered);
    if (response.status === 206) {
      const range = response.headers.get("content-range") ?? "";
      const start = /^bytes (\d+)-/.exec(range)?.[1];
      if (Number(start) !== delivered) {
        await response.body?.cancel();
        throw new RegistryError({
          status: 206,
          method: "GET",
          url: options.url,
          message:
            `reading blob ${options.digest}: resuming at byte ${delivered}, got Content-Range "${range}"`,
          cause,
        });
      }
      skip = 0;
    } else {
      skip = delivered;
    }
    owned = isByteStream(response.body!);
    reader = readerOf(response.body!, owned);
  };
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    options.release();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        while (true) {
          let result: ReadableStreamReadResult<Uint8Array>;
          try {
            result = await readChunk(reader);
          } catch (error) {
            await resume(error);
            continue;
          }
          if (result.done) {
            if (options.size !== undefined && delivered < options.size) {
              await resume(
                new Error(
                  `blob body ended after ${delivered} of ${options.size} bytes`,
                ),
              );
              continue;
            }
            release();
            controller.close();
            return;
          }
          let chunk = result.value;
          if (skip > 0) {
            const dropped = Math.min(skip, chunk.byteLength);
            skip -= dropped;
            chunk = chunk.subarray(dropped);
            if (chunk.byteLength === 0) continue;
          }
          delivered += chunk.byteLength;
          controller.enqueue(owned ? markDisposable(chunk) : chunk);
          return;
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

/**
 * Bytes asked for per read of a blob body. fetch's own reads hand over
 * 64 KiB at most; reading into bigger buffers of our own gives ~3.5× fewer
 * chunks for every later stage (digest, progress, file writes, uploads): a
 * pull of the bench image took ~15% less CPU.
 */
const BODY_READ_BYTES = 256 * 1024;

type BodyReader =
  | ReadableStreamBYOBReader
  | ReadableStreamDefaultReader<Uint8Array>;

function readerOf(
  body: ReadableStream<Uint8Array>,
  byteStream: boolean,
): BodyReader {
  return byteStream ? body.getReader({ mode: "byob" }) : body.getReader();
}

function readChunk(
  reader: BodyReader,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  return reader instanceof ReadableStreamBYOBReader
    ? reader.read(new Uint8Array(BODY_READ_BYTES))
    : reader.read();
}

/** Whether a stream is a byte stream (one that accepts BYOB readers). */
function isByteStream(stream: ReadableStream<Uint8Array>): boolean {
  try {
    stream.getReader({ mode: "byob" }).releaseLock();
    return true;
  } catch {
    return false;
  }
}

/** What signature storage needs besides the client (see signatures.ts). */
export interface SignatureOptions {
  /** The transport settings (`registriesDirPath`, `getEnv`). */
  settings?: DockerSettings | undefined;
  /** Debug output. */
  logger?: Logger | undefined;
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
  #signatureOptions: SignatureOptions;

  /**
   * @param reference The reference.
   * @param client A client with `pull` scope for its repository.
   * @param physicalName Where the image is actually read (a registries.conf
   * mirror or location); default the reference's own name.
   * @param signatureOptions Settings for signature storage (registries.d).
   */
  constructor(
    reference: DockerImageReference,
    client: RegistryClient,
    physicalName?: DockerName,
    signatureOptions: SignatureOptions = {},
  ) {
    this.reference = reference;
    this.#client = client;
    this.#name = physicalName ?? reference.name;
    this.#signatureOptions = signatureOptions;
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
      const digest = info.digest;
      const open = async (offset: number): Promise<Response> => {
        const response = await this.#client.request("GET", path, {
          signal: options.signal,
          headers: offset > 0 ? { Range: `bytes=${offset}-` } : undefined,
          transientRetries: DEFAULT_TRANSIENT_RETRIES,
        });
        const ok = response.status === 200 ||
          (offset > 0 && response.status === 206);
        if (!ok || response.body === null) {
          const error = await statusErrorFromResponse(response, {
            method: "GET",
            url: this.#client.url(path),
            context: "Error fetching blob",
          });
          if (error.status === 404) {
            throw new BlobNotFoundError(digest, formatName(this.#name), {
              cause: error,
            });
          }
          throw error;
        }
        return response;
      };
      const response = await open(0);
      const length = response.headers.get("content-length");
      const declared = length !== null && /^\d+$/.test(length)
        ? Number(length)
        : undefined;
      // The manifest's size is verified; a Content-Length is only a claim.
      const size = info.size !== undefined && info.size >= 0
        ? info.size
        : declared;
      const stream = resuming(response.body!, {
        size,
        open,
        signal: options.signal,
        digest,
        url: this.#client.url(path),
        release,
      });
      return { stream, size };
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

  /**
   * Reads the signatures of the image (or of `instance`): lookaside storage,
   * then sigstore attachments where registries.d enables them.
   */
  async getSignatures(options: InstanceOptions = {}): Promise<Signature[]> {
    let digest = options.instance ?? this.#name.digest;
    if (digest === undefined) {
      await this.load(options);
      digest = manifestDigest(this.#topManifest!.bytes);
    }
    const { getDockerSignatures } = await import("./signatures.ts");
    return await getDockerSignatures({
      client: this.#client,
      name: this.#name,
      settings: this.#signatureOptions.settings ?? {},
      logger: this.#signatureOptions.logger,
      signal: options.signal,
    }, digest);
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
