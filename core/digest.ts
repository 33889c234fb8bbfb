/**
 * Digest parsing, computing and streaming verification. This is the only
 * module that hashes content.
 *
 * @module
 */
import type { Hash } from "node:crypto";
import { type PureHash, pureHash } from "./_sha2.ts";
import { DigestMismatchError, InvalidContentError } from "./errors.ts";
import type { Digest } from "./types.ts";

let nodeCrypto: typeof import("node:crypto") | undefined;
let loadingNodeCrypto: Promise<void> | undefined;

/**
 * Loads `node:crypto` (1.2 GB/s SHA-256) for hashing blobs. It is not
 * imported eagerly: its start-up (~25–45 ms) would be paid by every command,
 * also those that hash only manifests and configs, which the plain
 * JavaScript hash does in microseconds. {@linkcode DigestVerifierStream}
 * waits for it; a {@linkcode Digester} starts loading it and uses it if
 * loaded by its first bytes: await this first when hashing large data.
 *
 * @returns Resolves once loaded (at once after the first time).
 */
export function loadBlobHashing(): Promise<void> {
  if (nodeCrypto) return Promise.resolve();
  return loadingNodeCrypto ??= import("node:crypto").then((module) => {
    nodeCrypto = module;
  });
}

/** The fastest hash available now. */
function newHash(algorithm: DigestAlgorithm): Hash | PureHash {
  return nodeCrypto?.createHash(algorithm) ?? pureHash(algorithm);
}

function hexOf(hash: Hash | PureHash): string {
  return "hexDigest" in hash ? hash.hexDigest() : hash.digest("hex");
}

/** Digest algorithms accepted in references and manifests. */
export type DigestAlgorithm = "sha256" | "sha512";

const HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = {
  sha256: 64,
  sha512: 128,
};

const DIGEST_PATTERN = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

/**
 * Checks the text of a digest and returns it typed.
 *
 * @example Parse a sha256 digest
 * ```ts
 * import { parseDigest } from "./digest.ts";
 * const d = parseDigest("sha256:" + "a".repeat(64));
 * console.assert(d.startsWith("sha256:"));
 * ```
 *
 * @param text The digest, `algorithm:hex`.
 * @returns The same text as a {@linkcode Digest}.
 * @throws {InvalidContentError} When the text is not a supported digest.
 */
export function parseDigest(text: string): Digest {
  const match = DIGEST_PATTERN.exec(text);
  if (!match) {
    throw new InvalidContentError(`Invalid digest "${text}"`);
  }
  const algorithm = match[1] as DigestAlgorithm;
  const length = HEX_LENGTH[algorithm];
  if (length === undefined) {
    throw new InvalidContentError(
      `Unsupported digest algorithm "${match[1]}" in "${text}"`,
    );
  }
  if (match[2]!.length !== length || !/^[a-f0-9]+$/.test(match[2]!)) {
    throw new InvalidContentError(
      `Invalid digest "${text}": expected ${length} lowercase hex characters`,
    );
  }
  return text as Digest;
}

/** Whether `text` is a valid, supported digest. */
export function isDigest(text: string): text is Digest {
  try {
    parseDigest(text);
    return true;
  } catch {
    return false;
  }
}

/** The algorithm part of a digest. */
export function digestAlgorithm(digest: Digest): DigestAlgorithm {
  return digest.slice(0, digest.indexOf(":")) as DigestAlgorithm;
}

/** The encoded (hex) part of a digest. */
export function digestHex(digest: Digest): string {
  return digest.slice(digest.indexOf(":") + 1);
}

/**
 * Computes the digest of bytes in memory.
 *
 * @example Digest of empty input
 * ```ts
 * import { digestOf } from "./digest.ts";
 * console.assert(digestOf(new Uint8Array()).endsWith("b855"));
 * ```
 *
 * @param bytes The content.
 * @param algorithm `sha256` (default) or `sha512`.
 * @returns The content's digest.
 */
export function digestOf(
  bytes: Uint8Array,
  algorithm: DigestAlgorithm = "sha256",
): Digest {
  const hash = newHash(algorithm);
  hash.update(bytes);
  return `${algorithm}:${hexOf(hash)}` as Digest;
}

/** An incremental hasher that yields a {@linkcode Digest}. */
export class Digester {
  #hash: Hash | PureHash | undefined;
  readonly #algorithm: DigestAlgorithm;
  #size = 0;

  /**
   * Starts loading `node:crypto` (see {@linkcode loadBlobHashing}); the
   * hash is chosen at the first bytes: `node:crypto` when loaded by then,
   * else plain JavaScript (fine for kilobytes, slow for blobs).
   *
   * @param algorithm `sha256` (default) or `sha512`.
   */
  constructor(algorithm: DigestAlgorithm = "sha256") {
    this.#algorithm = algorithm;
    if (!nodeCrypto) loadBlobHashing().catch(() => {});
  }

  /** Adds bytes. */
  update(chunk: Uint8Array): void {
    (this.#hash ??= newHash(this.#algorithm)).update(chunk);
    this.#size += chunk.byteLength;
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.#size;
  }

  /** The digest of everything added; call once. */
  digest(): Digest {
    const hash = this.#hash ??= newHash(this.#algorithm);
    return `${this.#algorithm}:${hexOf(hash)}` as Digest;
  }
}

/** Options of {@linkcode DigestVerifierStream}. */
export interface DigestVerifierOptions {
  /** The expected size; -1 or absent when unknown. */
  size?: number | undefined;
  /** Names the content in error messages, e.g. `blob sha256:…`. */
  subject?: string;
}

/**
 * Passes bytes through unchanged and errors at the end if their digest (or
 * size, when given) is not the expected one. Too many bytes error at once.
 *
 * @example Verify a stream
 * ```ts
 * import { DigestVerifierStream, digestOf } from "./digest.ts";
 * const bytes = new TextEncoder().encode("hi");
 * const out = ReadableStream.from([bytes])
 *   .pipeThrough(new DigestVerifierStream(digestOf(bytes)));
 * for await (const _ of out) { /* consume *\/ }
 * ```
 */
export class DigestVerifierStream
  extends TransformStream<Uint8Array, Uint8Array> {
  /**
   * Creates an instance.
   *
   * @param expected The digest the bytes must have.
   * @param options Expected size and a name for messages.
   */
  constructor(expected: Digest, options: DigestVerifierOptions = {}) {
    const digester = new Digester(digestAlgorithm(expected));
    const size = options.size ?? -1;
    const subject = options.subject ?? expected;
    super({
      // Streams carry blobs: hash them with node:crypto.
      start: () => loadBlobHashing(),
      transform(chunk, controller) {
        digester.update(chunk);
        if (size >= 0 && digester.size > size) {
          controller.error(
            new DigestMismatchError(String(size), `more than ${size}`, {
              kind: "size",
              subject,
            }),
          );
          return;
        }
        controller.enqueue(chunk);
      },
      flush(controller) {
        if (size >= 0 && digester.size !== size) {
          controller.error(
            new DigestMismatchError(String(size), String(digester.size), {
              kind: "size",
              subject,
            }),
          );
          return;
        }
        const actual = digester.digest();
        if (actual !== expected) {
          controller.error(
            new DigestMismatchError(expected, actual, { subject }),
          );
        }
      },
    });
  }
}

/** Options of {@linkcode verifyingStream}. */
export interface VerifyingStreamOptions extends DigestVerifierOptions {
  /**
   * Called with each chunk before it is passed on, and the bytes passed so
   * far (e.g. progress).
   */
  onBytes?: (total: number, chunk: Uint8Array) => void;
  /** Called when reading `source` fails (not for a mismatch found here). */
  onSourceError?: (error: unknown) => void;
}

/** A stream verified as it is read; see {@linkcode verifyingStream}. */
export interface VerifyingStream {
  /** The bytes, unchanged; errors instead of ending when they do not match. */
  readonly stream: ReadableStream<Uint8Array>;
  /**
   * Reads ahead until `length` bytes (or the end) are buffered and returns
   * them, e.g. to detect a compression; `stream` still yields every byte.
   * Call before reading `stream`.
   */
  head(length: number): Promise<Uint8Array>;
}

/**
 * Like {@linkcode DigestVerifierStream}, in a single stream hop instead of a
 * pipe: the hashing, byte counting and source-error watching of a blob copy
 * happen in the one pull that moves each chunk (each pipe stage costs a few
 * promises and queue operations per chunk, which showed in profiles of
 * 85 MB copies). The stream closes only after the size and digest matched;
 * too many bytes error at once and cancel `source`.
 *
 * @example Verify a stream
 * ```ts
 * import { digestOf, verifyingStream } from "./digest.ts";
 * const bytes = new TextEncoder().encode("hi");
 * const { stream } = verifyingStream(
 *   ReadableStream.from([bytes]),
 *   digestOf(bytes),
 * );
 * console.assert((await new Response(stream).text()) === "hi");
 * ```
 *
 * @param source The bytes; read to the end or cancelled.
 * @param expected The digest they must have.
 * @param options Expected size, a name for messages and callbacks.
 * @returns The verified stream and a read-ahead for its first bytes.
 */
export function verifyingStream(
  source: ReadableStream<Uint8Array>,
  expected: Digest,
  options: VerifyingStreamOptions = {},
): VerifyingStream {
  const size = options.size ?? -1;
  const subject = options.subject ?? expected;
  const { onBytes, onSourceError } = options;
  const reader = source.getReader();
  const buffered: Uint8Array[] = [];
  let digester: Digester | undefined;
  let ended = false;

  /** The next chunk, hashed and counted; `undefined` once verified at the end. */
  const next = async (): Promise<Uint8Array | undefined> => {
    // Streams carry blobs: hash them with node:crypto.
    if (!digester) {
      await loadBlobHashing();
      digester = new Digester(digestAlgorithm(expected));
    }
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        onSourceError?.(error);
        throw error;
      }
      if (result.done) {
        ended = true;
        if (size >= 0 && digester.size !== size) {
          throw new DigestMismatchError(String(size), String(digester.size), {
            kind: "size",
            subject,
          });
        }
        const actual = digester.digest();
        if (actual !== expected) {
          throw new DigestMismatchError(expected, actual, { subject });
        }
        return undefined;
      }
      const chunk = result.value;
      if (chunk.byteLength === 0) continue;
      digester.update(chunk);
      if (size >= 0 && digester.size > size) {
        const error = new DigestMismatchError(
          String(size),
          `more than ${size}`,
          { kind: "size", subject },
        );
        ended = true;
        await reader.cancel(error).catch(() => {});
        throw error;
      }
      onBytes?.(digester.size, chunk);
      return chunk;
    }
  };

  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = buffered.shift() ??
        (ended ? undefined : await next().catch((error) => {
          ended = true;
          controller.error(error);
          return null;
        }));
      if (chunk === null) return;
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
    async cancel(reason) {
      buffered.length = 0;
      if (!ended) await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });

  const head = async (length: number): Promise<Uint8Array> => {
    let have = buffered.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    while (have < length && !ended) {
      const chunk = await next();
      if (!chunk) {
        // Verified to the end: nothing more to read, so end after the buffer.
        break;
      }
      buffered.push(chunk);
      have += chunk.byteLength;
    }
    const bytes = new Uint8Array(Math.min(have, length));
    let at = 0;
    for (const chunk of buffered) {
      if (at === bytes.length) break;
      const part = chunk.subarray(0, bytes.length - at);
      bytes.set(part, at);
      at += part.length;
    }
    return bytes;
  };

  return { stream, head };
}

/**
 * Checks bytes in memory against a digest.
 *
 * @param bytes The content.
 * @param expected The digest it must have.
 * @param subject Names the content in the error.
 * @throws {DigestMismatchError} When they differ.
 */
export function verifyBytes(
  bytes: Uint8Array,
  expected: Digest,
  subject?: string,
): void {
  const actual = digestOf(bytes, digestAlgorithm(expected));
  if (actual !== expected) {
    throw new DigestMismatchError(expected, actual, {
      subject: subject ?? expected,
    });
  }
}
