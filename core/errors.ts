/**
 * Every error class the engine throws. Callers branch on the class, never on
 * the message; only `cli.ts` maps them to exit codes.
 *
 * @module
 */

/** Text that does not parse as an image name or reference. */
export class InvalidReferenceError extends SyntaxError {
  /** The text that failed to parse. */
  readonly input: string;
  /**
   * Creates an instance.
   *
   * @param input The text that failed to parse.
   * @param message The whole one-line message, e.g. skopeo's
   *   `invalid reference format: repository name must be lowercase`; the
   *   CLI prefixes it with `Invalid source name <input>: `.
   * @param options Standard error options (`cause`).
   */
  constructor(input: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InvalidReferenceError";
    this.input = input;
  }
}

/** A transport name nobody registered. */
export class UnknownTransportError extends Error {
  /** The requested transport name. */
  readonly transportName: string;
  /**
   * Creates an instance.
   *
   * @param transportName The unknown name.
   * @param known The names that exist, for the message.
   */
  constructor(transportName: string, known: readonly string[]) {
    super(
      `unknown transport "${transportName}" (known: ${known.join(", ")})`,
    );
    this.name = "UnknownTransportError";
    this.transportName = transportName;
  }
}

/** A transport whose name is known but which this build cannot run. */
export class UnsupportedTransportError extends Error {
  /** The transport's name. */
  readonly transportName: string;
  /**
   * Creates an instance.
   *
   * @param transportName The transport's name.
   * @param reason Why it cannot run.
   */
  constructor(transportName: string, reason: string) {
    super(
      `The transport "${transportName}:" is not supported in this build (${reason})`,
    );
    this.name = "UnsupportedTransportError";
    this.transportName = transportName;
  }
}

/** An operation a transport does not offer (delete on `dir:`, writing to a read-only transport). */
export class UnsupportedOperationError extends Error {
  /** The operation, e.g. `delete`. */
  readonly operation: string;
  /** The transport's name. */
  readonly transportName: string;
  /**
   * Creates an instance.
   *
   * @param operation The operation, e.g. `delete`.
   * @param transportName The transport's name.
   */
  constructor(operation: string, transportName: string) {
    super(`Transport "${transportName}" does not support ${operation}`);
    this.name = "UnsupportedOperationError";
    this.operation = operation;
    this.transportName = transportName;
  }
}

/** A plugin module that cannot be used. */
export class PluginLoadError extends Error {
  /** The path or URL that was loaded. */
  readonly specifier: string;
  /**
   * Creates an instance.
   *
   * @param specifier The path or URL that was loaded.
   * @param reason What is wrong with it.
   * @param options Standard error options (`cause`: the import error).
   */
  constructor(specifier: string, reason: string, options?: ErrorOptions) {
    super(`Cannot load transport plugin "${specifier}": ${reason}`, options);
    this.name = "PluginLoadError";
    this.specifier = specifier;
  }
}

/** The image a reference names does not exist. */
export class ImageNotFoundError extends Error {
  /** The reference, as text. */
  readonly reference: string;
  /**
   * Creates an instance.
   *
   * @param reference The reference, as text.
   * @param detail What was looked for.
   * @param options Standard error options.
   */
  constructor(reference: string, detail?: string, options?: ErrorOptions) {
    super(
      `Image "${reference}" not found${detail ? `: ${detail}` : ""}`,
      options,
    );
    this.name = "ImageNotFoundError";
    this.reference = reference;
  }
}

/**
 * The repository a tag list was asked for does not exist (a registry's
 * `NAME_UNKNOWN`). `sync` takes it as "no tags yet"; the message stays the
 * transport's own.
 */
export class RepositoryNotFoundError extends Error {
  /**
   * Creates an instance.
   *
   * @param message The transport's message.
   * @param options Standard error options.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RepositoryNotFoundError";
  }
}

/** A blob the manifest names is missing from the source. */
export class BlobNotFoundError extends Error {
  /** The missing blob's digest. */
  readonly digest: string;
  /**
   * Creates an instance.
   *
   * @param digest The missing blob's digest.
   * @param where Where it was looked for.
   * @param options Standard error options.
   */
  constructor(digest: string, where: string, options?: ErrorOptions) {
    super(`Blob ${digest} not found in ${where}`, options);
    this.name = "BlobNotFoundError";
    this.digest = digest;
  }
}

/** A destination refused a manifest type; the copy tries the next format. */
export class ManifestTypeRejectedError extends Error {
  /** The refused MIME type. */
  readonly mediaType: string;
  /**
   * Creates an instance.
   *
   * @param mediaType The refused MIME type.
   * @param options Standard error options.
   */
  constructor(mediaType: string, options?: ErrorOptions) {
    super(`Manifest type ${mediaType} rejected by the destination`, options);
    this.name = "ManifestTypeRejectedError";
    this.mediaType = mediaType;
  }
}

/** Bytes whose digest or size is not the expected one. */
export class DigestMismatchError extends Error {
  /** What was expected. */
  readonly expected: string;
  /** What the bytes gave. */
  readonly actual: string;
  /** Whether the digest or the size differs. */
  readonly kind: "digest" | "size";
  /**
   * Creates an instance.
   *
   * @param expected What was expected.
   * @param actual What the bytes gave.
   * @param options `kind` (default `digest`) and `subject` for the message.
   */
  constructor(
    expected: string,
    actual: string,
    options: { kind?: "digest" | "size"; subject?: string } & ErrorOptions = {},
  ) {
    const kind = options.kind ?? "digest";
    const subject = options.subject ?? "blob";
    super(
      kind === "digest"
        ? `Digest mismatch for ${subject}: expected ${expected}, got ${actual}`
        : `Size mismatch for ${subject}: expected ${expected} bytes, got ${actual}`,
      options,
    );
    this.name = "DigestMismatchError";
    this.expected = expected;
    this.actual = actual;
    this.kind = kind;
  }
}

/** Content (manifest, config, index, file) that is malformed. */
export class InvalidContentError extends Error {
  /**
   * Creates an instance.
   *
   * @param message What is wrong, naming the content.
   * @param options Standard error options.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InvalidContentError";
  }
}

/** Wrong command-line use; exits with code 2 like cobra. */
export class UsageError extends Error {
  /** The process exit code for this error. */
  readonly exitCode: number = 2;
  /**
   * Creates an instance.
   *
   * @param message What was wrong with the invocation.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
