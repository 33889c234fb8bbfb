/**
 * Writing an image to a registry: blobs skip when they exist (HEAD), are
 * mounted from another repository of the same registry when possible, and
 * are otherwise uploaded (POST, then one streaming PUT `?digest=` when the
 * digest is known, or PATCH + PUT when it must be computed); manifests are
 * PUT last, by tag or digest.
 *
 * @module
 */
import { Digester } from "../../core/digest.ts";
import { disposeChunk } from "../../core/fs_stream.ts";
import {
  DigestMismatchError,
  ManifestTypeRejectedError,
} from "../../core/errors.ts";
import { manifestDigest } from "../../core/manifest/mod.ts";
import type {
  CommitOptions,
  DestinationCapabilities,
  ImageDestination,
  InstanceOptions,
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
import { DEFAULT_TRANSIENT_RETRIES, type RegistryClient } from "./client.ts";
import { formatName } from "../../core/docker_name.ts";
import {
  isManifestRejection,
  RegistryError,
  registryErrorFromResponse,
} from "./registry_error.ts";
import {
  knownRepositories,
  landOnce,
  recentlyAbsent,
  recentlyConfirmedSize,
  rememberBlob,
} from "./known_blobs.ts";
import type { SignatureOptions } from "./source.ts";
import type { DockerImageReference } from "./transport.ts";

/** Mount attempts per blob before uploading it. */
const MAX_MOUNT_ATTEMPTS = 3;

/** Writes one image to a registry repository. */
export class DockerImageDestination implements ImageDestination {
  /** The reference this destination was opened from. */
  readonly reference: DockerImageReference;
  /** What a registry accepts. */
  readonly capabilities: DestinationCapabilities = {
    supportedManifestTypes: undefined,
    // containers/image compresses uncompressed layers for registries.
    desiredLayerCompression: "compress",
    acceptsForeignLayerUrls: true,
    mustMatchRuntimeOs: false,
    concurrentBlobWrites: true,
    // Lookaside storage always has a location (a built-in default).
    storesSignatures: true,
    storesManifestLists: true,
  };
  #client: RegistryClient;
  #signatureOptions: SignatureOptions;
  /** Digests of the manifests written, by instance ("" = top level). */
  #written = new Map<string, Digest>();

  /**
   * @param reference The reference.
   * @param client A client with `pull,push` scope for its repository.
   * @param signatureOptions Settings for signature storage (registries.d).
   */
  constructor(
    reference: DockerImageReference,
    client: RegistryClient,
    signatureOptions: SignatureOptions = {},
  ) {
    this.reference = reference;
    this.#client = client;
    this.#signatureOptions = signatureOptions;
  }

  get #repositoryName(): string {
    return formatName(this.reference.name);
  }

  #blobPath(digest: string): string {
    return `/v2/${this.#client.repository}/blobs/${digest}`;
  }

  /**
   * Uploads a blob. With a known digest: POST then one streaming PUT
   * `?digest=`; the registry verifies the digest and exposes nothing on a
   * mismatch or an aborted stream. Without: PATCH the stream (hashing it
   * here), then PUT `?digest=` with the computed digest.
   *
   * @throws {DigestMismatchError} When the registry reports a digest or size mismatch.
   * @throws {RegistryError} When the registry refuses the upload.
   */
  async putBlob(
    stream: ReadableStream<Uint8Array>,
    info: BlobInfo,
    options: PutBlobOptions,
  ): Promise<UploadedBlob> {
    const signal = options.signal;
    const release = await this.#client.acquireTransferSlot("write", signal);
    try {
      const known = info.size !== undefined && info.size >= 0
        ? info.size
        : undefined;
      // A small blob (a config, a thin layer) is read first, so fetch finds
      // the whole body ready and writes it in one segment with the headers.
      // Streamed as it is read, the body's end goes out apart and waits
      // behind Nagle's algorithm for the registry's delayed ACK: ~40 ms per
      // upload (measured; fetch sets no TCP_NODELAY).
      const small = info.digest !== undefined && known !== undefined &&
          known <= SMALL_UPLOAD_BYTES
        ? await readWhole(stream, known, info.digest)
        : undefined;
      const { domain, path: ownPath } = this.reference.name;
      if (info.digest !== undefined && known !== undefined) {
        // Another copy in this process may be putting the same blob here
        // (a sync of tags sharing layers): wait for it rather than commit
        // the blob twice at once (see `landOnce`).
        const uploaded = await landOnce(
          domain,
          ownPath,
          info.digest,
          () => this.#upload(stream, info, known, small, signal),
        );
        if (uploaded) return uploaded;
        await stream.cancel().catch(() => {});
        return { digest: info.digest, size: known };
      }
      return await this.#upload(stream, info, known, small, signal);
    } finally {
      release();
    }
  }

  /** One upload session: POST, then the body and the commit. */
  async #upload(
    stream: ReadableStream<Uint8Array>,
    info: BlobInfo,
    known: number | undefined,
    small: Uint8Array | undefined,
    signal: AbortSignal | undefined,
  ): Promise<UploadedBlob> {
    const { domain, path: ownPath } = this.reference.name;
    let location = await this.#startUpload(signal);
    let size = small?.byteLength ?? 0;
    // Hash here only when the digest is unknown; otherwise the registry
    // verifies it (and refuses to expose mismatching data).
    const digester = info.digest === undefined ? new Digester() : undefined;
    let streamError: unknown;
    const tracked = small ? wholeStream(small) : observe(stream, {
      onChunk: (chunk) => {
        size += chunk.byteLength;
        digester?.update(chunk);
      },
      onError: (error) => streamError = error,
      // Plain HTTP always goes through Deno's fetch, whose body sender
      // holds its own reference to each chunk's memory (node:https, used
      // for unverified HTTPS, may still hold the chunk itself).
      dispose: location.startsWith("http:"),
    });
    let digest: Digest;
    try {
      if (info.digest !== undefined) {
        digest = info.digest;
        const response = await this.#client.request(
          "PUT",
          withQuery(location, "digest", digest),
          {
            headers: { "Content-Type": "application/octet-stream" },
            body: tracked,
            contentLength: known,
            signal,
          },
        );
        await this.#expectCreated(response, location, digest);
      } else {
        const patch = await this.#client.request("PATCH", location, {
          headers: { "Content-Type": "application/octet-stream" },
          body: tracked,
          contentLength: known,
          signal,
        });
        if (patch.status < 200 || patch.status >= 300) {
          throw await registryErrorFromResponse(patch, {
            method: "PATCH",
            url: location,
            context: "uploading layer chunked",
          });
        }
        await patch.body?.cancel();
        location = resolveLocation(patch, location);
        digest = digester!.digest();
        const committing = location;
        const committed = await landOnce(
          domain,
          ownPath,
          digest,
          async () => {
            const put = await this.#client.request(
              "PUT",
              withQuery(committing, "digest", digest),
              {
                headers: { "Content-Type": "application/octet-stream" },
                signal,
              },
            );
            await this.#expectCreated(put, committing, digest);
            rememberBlob(domain, ownPath, digest, size);
            return true;
          },
        );
        // Another copy put the same bytes here meanwhile: ours is dropped.
        if (!committed) await this.#cancelUpload(committing);
      }
    } catch (error) {
      // Best effort: the session is garbage either way.
      await this.#cancelUpload(location);
      if (streamError !== undefined) throw streamError;
      throw transientUploadError(error);
    }
    if (known !== undefined && known !== size) {
      throw new DigestMismatchError(String(known), String(size), {
        kind: "size",
        subject: `blob ${digest}`,
      });
    }
    rememberBlob(domain, ownPath, digest, size);
    return { digest, size };
  }

  async #startUpload(signal: AbortSignal | undefined): Promise<string> {
    const path = `/v2/${this.#client.repository}/blobs/uploads/`;
    const response = await this.#client.request("POST", path, {
      body: new Uint8Array(),
      // An abandoned session is purged by the registry: safe to retry.
      transientRetries: DEFAULT_TRANSIENT_RETRIES,
      signal,
    });
    if (response.status !== 202) {
      throw await registryErrorFromResponse(response, {
        method: "POST",
        url: this.#client.url(path),
        context: `initiating layer upload to ${path} in ${this.#client.domain}`,
      });
    }
    await response.body?.cancel();
    return resolveLocation(response, this.#client.url(path));
  }

  async #expectCreated(
    response: Response,
    location: string,
    digest: Digest,
  ): Promise<void> {
    if (response.status === 201) {
      await response.body?.cancel();
      return;
    }
    const error = await registryErrorFromResponse(response, {
      method: "PUT",
      url: location,
      context: `uploading layer to ${location.replace(/\?.*$/, "")}`,
    });
    const code = error.diagnostics[0]?.code;
    if (code === "DIGEST_INVALID" || code === "SIZE_INVALID") {
      throw new DigestMismatchError(digest, "(rejected by the registry)", {
        subject: `blob ${digest}`,
        cause: error,
      });
    }
    throw error;
  }

  async #cancelUpload(location: string): Promise<void> {
    try {
      const response = await this.#client.request("DELETE", location);
      await response.body?.cancel();
    } catch {
      // ignored: the registry purges abandoned uploads
    }
  }

  /**
   * Reuses a blob the repository has (HEAD), or mounts it from the source
   * repository when that is on the same registry, or from a repository
   * this process pushed it to. A blob this process confirmed here moments
   * ago is reused without asking again (see `known_blobs.ts`).
   */
  async tryReusingBlob(
    info: BlobInfo,
    options: ReuseBlobOptions,
  ): Promise<ReusedBlob | undefined> {
    const digest = info.digest;
    if (digest === undefined) return undefined;
    const { domain, path: ownPath } = this.reference.name;
    const confirmed = recentlyConfirmedSize(domain, ownPath, digest);
    if (confirmed !== undefined) return { digest, size: confirmed };
    const source = options.sourceReference;
    const sourceName = (source as Partial<DockerImageReference> | undefined)
      ?.name;
    // Mount candidates: the source repository when it is on this registry,
    // then repositories of this registry that received the blob earlier in
    // this process (a sync pushing one layer into many repositories).
    const candidates = new Set<string>();
    if (
      source?.transport.name === "docker" && sourceName !== undefined &&
      sourceName.domain === domain
    ) {
      candidates.add(sourceName.path);
    }
    for (const repository of knownRepositories(domain, digest)) {
      candidates.add(repository);
    }
    candidates.delete(ownPath);
    // Without a candidate, ask first. With one, mount straight away: a
    // mount of a blob the repository already has succeeds too, and saves
    // the HEAD that would answer 404 in the usual case.
    if (candidates.size === 0) {
      // A small blob in a repository found missing is simply uploaded:
      // asking would cost as much. (Large ones are asked for: a repository
      // without tags may hold an interrupted push's layers.)
      const small = info.size !== undefined && info.size >= 0 &&
        info.size <= SMALL_UPLOAD_BYTES;
      if (small && recentlyAbsent(domain, ownPath)) return undefined;
      return await this.#reuseExisting(digest, options.signal);
    }
    for (const repository of [...candidates].slice(0, MAX_MOUNT_ATTEMPTS)) {
      let mountedHere: boolean;
      try {
        const mounted = await landOnce(
          domain,
          ownPath,
          digest,
          () => this.#mount(digest, repository, options.signal),
        );
        // Skipped: another copy just put the blob here.
        if (mounted === undefined) {
          return {
            digest,
            size: recentlyConfirmedSize(domain, ownPath, digest)!,
          };
        }
        mountedHere = mounted;
      } catch (error) {
        // A repository we may not read (or a registry refusing mounts) is
        // no reason to fail: the blob is uploaded instead.
        if (options.signal?.aborted) throw error;
        continue;
      }
      if (mountedHere) {
        const mounted = info.size !== undefined && info.size >= 0
          ? info.size
          : await this.#blobSize(digest, options.signal);
        if (mounted !== undefined) {
          rememberBlob(domain, ownPath, digest, mounted);
          return { digest, size: mounted };
        }
      }
    }
    return await this.#reuseExisting(digest, options.signal);
  }

  /** Reuses the blob when the repository already has it (HEAD). */
  async #reuseExisting(
    digest: Digest,
    signal: AbortSignal | undefined,
  ): Promise<ReusedBlob | undefined> {
    const size = await this.#blobSize(digest, signal);
    if (size === undefined) return undefined;
    const { domain, path } = this.reference.name;
    rememberBlob(domain, path, digest, size);
    return { digest, size };
  }

  async #blobSize(
    digest: Digest,
    signal: AbortSignal | undefined,
  ): Promise<number | undefined> {
    const path = this.#blobPath(digest);
    const response = await this.#client.request("HEAD", path, {
      transientRetries: DEFAULT_TRANSIENT_RETRIES,
      signal,
    });
    await response.body?.cancel();
    if (response.status === 200) {
      const length = Number(response.headers.get("content-length") ?? "-1");
      return Number.isInteger(length) && length >= 0 ? length : -1;
    }
    if (response.status === 404) return undefined;
    throw await registryErrorFromResponse(response, {
      method: "HEAD",
      url: this.#client.url(path),
      context:
        `checking whether a blob ${digest} exists in ${this.#repositoryName}`,
    });
  }

  async #mount(
    digest: Digest,
    fromRepository: string,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    const path = `/v2/${this.#client.repository}/blobs/uploads/?mount=${
      encodeURIComponent(digest)
    }&from=${encodeURIComponent(fromRepository)}`;
    const response = await this.#client.request("POST", path, {
      body: new Uint8Array(),
      extraScopes: [`repository:${fromRepository}:pull`],
      signal,
    });
    if (response.status === 201) {
      await response.body?.cancel();
      return true;
    }
    if (response.status === 202) {
      // The registry started an ordinary upload instead: abandon it.
      await response.body?.cancel();
      await this.#cancelUpload(
        resolveLocation(response, this.#client.url(path)),
      );
      return false;
    }
    await response.body?.cancel();
    return false;
  }

  /**
   * PUTs a manifest: instances by digest, the top level by the reference's
   * tag (or digest, which must match).
   *
   * @throws {ManifestTypeRejectedError} When the registry refuses the type.
   * @throws {DigestMismatchError} When a digest reference does not match.
   */
  async putManifest(
    manifest: ManifestBlob,
    options: InstanceOptions = {},
  ): Promise<void> {
    const name = this.reference.name;
    let refTail: string;
    if (options.instance !== undefined) {
      refTail = options.instance;
    } else if (name.tag !== undefined) {
      refTail = name.tag;
    } else {
      const actual = manifestDigest(manifest.bytes);
      if (actual !== name.digest) {
        throw new DigestMismatchError(name.digest!, actual, {
          subject: "manifest",
        });
      }
      refTail = actual;
    }
    const path = `/v2/${this.#client.repository}/manifests/${refTail}`;
    const response = await this.#client.request("PUT", path, {
      headers: { "Content-Type": manifest.mediaType },
      body: manifest.bytes,
      // Same bytes, same result: idempotent.
      transientRetries: DEFAULT_TRANSIENT_RETRIES,
      signal: options.signal,
    });
    if (response.status >= 200 && response.status < 300) {
      await response.body?.cancel();
      this.#written.set(
        options.instance ?? "",
        options.instance ?? manifestDigest(manifest.bytes),
      );
      return;
    }
    const error = await registryErrorFromResponse(response, {
      method: "PUT",
      url: this.#client.url(path),
      context: `uploading manifest ${refTail} to ${this.#repositoryName}`,
    });
    if (isManifestRejection(error)) {
      const rejected = new ManifestTypeRejectedError(manifest.mediaType, {
        cause: error,
      });
      rejected.message = `${rejected.message}: ${error.message}`;
      throw rejected;
    }
    throw error;
  }

  /**
   * Stores signatures of the manifest written last (or of `instance`):
   * sigstore ones as registry attachments, others in lookaside storage.
   */
  async putSignatures(
    signatures: readonly Signature[],
    options: InstanceOptions = {},
  ): Promise<void> {
    if (signatures.length === 0) return;
    const digest = this.#written.get(options.instance ?? "");
    if (digest === undefined) {
      throw new Error("Unknown manifest digest, can't add signatures");
    }
    const { putDockerSignatures } = await import("./signatures.ts");
    await putDockerSignatures(
      {
        client: this.#client,
        name: this.reference.name,
        settings: this.#signatureOptions.settings ?? {},
        logger: this.#signatureOptions.logger,
        signal: options.signal,
      },
      digest,
      signatures,
      async (bytes, blobDigest) => {
        await this.putBlob(
          ReadableStream.from([bytes]),
          { digest: blobDigest, size: bytes.length },
          { isConfig: false, signal: options.signal },
        );
      },
    );
  }

  /** Nothing to do: the registry stored everything as it came. */
  commit(_options: CommitOptions): Promise<void> {
    return Promise.resolve();
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

/**
 * Marks a 500 during an upload as transient, so the copy engine uploads
 * again (distribution answers 500 to concurrent pushes of one layer, and
 * proxies to a busy backend).
 */
function transientUploadError(error: unknown): unknown {
  if (!(error instanceof RegistryError) || error.status !== 500) return error;
  if (error.temporary || error.constructor !== RegistryError) return error;
  return new RegistryError({
    status: error.status,
    method: error.method,
    url: error.url,
    diagnostics: error.diagnostics,
    message: error.message,
    temporary: true,
    cause: error.cause,
  });
}

function resolveLocation(response: Response, base: string): string {
  const location = response.headers.get("location");
  if (location === null) {
    throw new RegistryError({
      status: response.status,
      method: "POST",
      url: base,
      message: "determining upload URL: the registry sent no Location",
    });
  }
  return new URL(location, base).toString();
}

function withQuery(url: string, key: string, value: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set(key, value);
  return parsed.toString();
}

/** Blobs up to this size are uploaded from one buffer (see `putBlob`). */
const SMALL_UPLOAD_BYTES = 1 << 20;

/**
 * Reads a stream of a known small size into one buffer.
 *
 * @throws {DigestMismatchError} When the stream is longer or shorter.
 */
async function readWhole(
  stream: ReadableStream<Uint8Array>,
  size: number,
  digest: Digest,
): Promise<Uint8Array> {
  const whole = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of stream) {
    if (filled + chunk.byteLength > size) {
      throw new DigestMismatchError(String(size), `more than ${size}`, {
        kind: "size",
        subject: `blob ${digest}`,
      });
    }
    whole.set(chunk, filled);
    filled += chunk.byteLength;
    disposeChunk(chunk);
  }
  if (filled !== size) {
    throw new DigestMismatchError(String(size), String(filled), {
      kind: "size",
      subject: `blob ${digest}`,
    });
  }
  return whole;
}

/**
 * A stream of one ready chunk. Not the bytes themselves as the body: fetch
 * would then silently send them again on a new connection when the first
 * one breaks, and a second PUT to a consumed upload session fails.
 */
function wholeStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/**
 * Passes a stream through, reporting each chunk and the stream's own error
 * (e.g. the source failing), which fetch would otherwise hide. With
 * `dispose`, a chunk marked disposable is freed when the next is asked for:
 * its consumer has passed it on by then.
 */
function observe(
  stream: ReadableStream<Uint8Array>,
  options: {
    onChunk: (chunk: Uint8Array) => void;
    onError: (error: unknown) => void;
    dispose: boolean;
  },
): ReadableStream<Uint8Array> {
  const { onChunk, onError } = options;
  const reader = stream.getReader();
  // One chunk of lookahead: the last chunk is handed over together with the
  // end of the stream, so fetch writes it and the chunked-encoding
  // terminator in one segment. Sent apart, the terminator waits behind
  // Nagle's algorithm for the registry's delayed ACK (~40 ms per upload).
  let ahead: Uint8Array | undefined;
  let sent: Uint8Array | undefined;
  const next = async (): Promise<Uint8Array | undefined> => {
    const { done, value } = await reader.read();
    if (done) return undefined;
    onChunk(value);
    return value;
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent) disposeChunk(sent);
      sent = undefined;
      try {
        const chunk = ahead ?? await next();
        if (chunk === undefined) {
          controller.close();
          return;
        }
        ahead = await next();
        controller.enqueue(chunk);
        if (ahead === undefined) controller.close();
        if (options.dispose) sent = chunk;
      } catch (error) {
        onError(error);
        controller.error(error);
      }
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
