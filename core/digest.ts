/**
 * Digest parsing, computing and streaming verification. This is the only
 * module that hashes content.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import { DigestMismatchError, InvalidContentError } from "./errors.ts";
import type { Digest } from "./types.ts";

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
  return `${algorithm}:${
    createHash(algorithm).update(bytes).digest("hex")
  }` as Digest;
}

/** An incremental hasher that yields a {@linkcode Digest}. */
export class Digester {
  readonly #hash: Hash;
  readonly #algorithm: DigestAlgorithm;
  #size = 0;

  /** @param algorithm `sha256` (default) or `sha512`. */
  constructor(algorithm: DigestAlgorithm = "sha256") {
    this.#algorithm = algorithm;
    this.#hash = createHash(algorithm);
  }

  /** Adds bytes. */
  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
    this.#size += chunk.byteLength;
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.#size;
  }

  /** The digest of everything added; call once. */
  digest(): Digest {
    return `${this.#algorithm}:${this.#hash.digest("hex")}` as Digest;
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
