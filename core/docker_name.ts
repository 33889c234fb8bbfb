/**
 * The Docker reference grammar and its normalisation, as docker/distribution
 * 2.8 (vendored by skopeo 1.9.3) defines them: `[domain[:port]/]path[:tag][@digest]`,
 * with `docker.io` as the default domain and `library/` for one-component
 * names on it. Error texts are the ones skopeo prints.
 *
 * @module
 */
import { InvalidReferenceError } from "./errors.ts";
import type { Digest } from "./types.ts";

/** The registry used when a name has no domain. */
export const DEFAULT_DOMAIN = "docker.io";
/** The tag used when a reference has neither tag nor digest. */
export const DEFAULT_TAG = "latest";
/** Longest accepted name (domain and path), in characters. */
export const NAME_TOTAL_LENGTH_MAX = 255;

const LEGACY_DEFAULT_DOMAIN = "index.docker.io";
const OFFICIAL_REPO_NAME = "library";

// The expressions of distribution's regexp.go. Go's RE2 never backtracks; to
// stay linear in JavaScript, the separator `[-]*` (which may be empty) is
// written `-+`: an empty separator only splits an alphanumeric run, so the
// language is the same and every repetition is unambiguous.
const NAME_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN_COMPONENT = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST =
  "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const NAME = `(?:${DOMAIN}/)?${NAME_COMPONENT}(?:/${NAME_COMPONENT})*`;

const REFERENCE_PATTERN = new RegExp(
  `^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);
const ANCHORED_NAME_PATTERN = new RegExp(
  `^(?:(${DOMAIN})/)?(${NAME_COMPONENT}(?:/${NAME_COMPONENT})*)$`,
);
const ANCHORED_TAG_PATTERN = new RegExp(`^${TAG}$`);
const IDENTIFIER_PATTERN = /^[a-f0-9]{64}$/;
const GO_DIGEST_PATTERN = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = {
  sha256: 64,
  sha512: 128,
};

/** A parsed, normalised Docker reference. */
export interface DockerName {
  /** Registry host, with port when given: `docker.io`, `127.0.0.1:5000`. */
  readonly domain: string;
  /** Repository path within the registry: `library/busybox`. */
  readonly path: string;
  /** The tag, when given. */
  readonly tag?: string | undefined;
  /** The digest, when given. */
  readonly digest?: Digest | undefined;
}

/** Options of {@linkcode parseNormalizedNamed}. */
export interface ParseNameOptions {
  /** The text to name in error messages; default: the parsed text. */
  input?: string;
}

/**
 * Splits a name into its registry domain and the rest, as docker does: the
 * first component is a domain only if it contains `.` or `:` or is
 * `localhost`; `index.docker.io` becomes `docker.io`, and one-component names
 * on `docker.io` get `library/`.
 *
 * @example Official image
 * ```ts
 * import { splitDockerDomain } from "./docker_name.ts";
 * console.assert(splitDockerDomain("busybox").remainder === "library/busybox");
 * ```
 *
 * @param name The name, without transport.
 * @returns The domain and the remainder (path, tag and digest).
 */
export function splitDockerDomain(
  name: string,
): { domain: string; remainder: string } {
  const slash = name.indexOf("/");
  let domain: string;
  let remainder: string;
  if (slash === -1) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    const first = name.slice(0, slash);
    if (!/[.:]/.test(first) && first !== "localhost") {
      domain = DEFAULT_DOMAIN;
      remainder = name;
    } else {
      domain = first;
      remainder = name.slice(slash + 1);
    }
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes("/")) {
    remainder = `${OFFICIAL_REPO_NAME}/${remainder}`;
  }
  return { domain, remainder };
}

/**
 * Parses a familiar or fully-qualified name (`busybox`, `quay.io/a/b:1`,
 * `localhost:5000/x@sha256:…`) into its normalised parts. No default tag is
 * added; see {@linkcode withDefaultTag}.
 *
 * @example Normalise a short name
 * ```ts
 * import { formatReference, parseNormalizedNamed } from "./docker_name.ts";
 * const name = parseNormalizedNamed("busybox:1.36");
 * console.assert(formatReference(name) === "docker.io/library/busybox:1.36");
 * ```
 *
 * @param text The reference text.
 * @param options The text to name in errors.
 * @returns The parsed reference.
 * @throws {InvalidReferenceError} When the text is not a valid reference; the
 * reason is distribution's (e.g. `invalid reference format: repository name must be lowercase`).
 */
export function parseNormalizedNamed(
  text: string,
  options: ParseNameOptions = {},
): DockerName {
  const input = options.input ?? text;
  if (IDENTIFIER_PATTERN.test(text)) {
    throw new InvalidReferenceError(
      input,
      `invalid repository name (${text}), cannot specify 64-byte hexadecimal strings`,
    );
  }
  const { domain, remainder } = splitDockerDomain(text);
  const colon = remainder.indexOf(":");
  const remoteName = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remoteName.toLowerCase() !== remoteName) {
    throw new InvalidReferenceError(
      input,
      "invalid reference format: repository name must be lowercase",
    );
  }
  return parseReference(`${domain}/${remainder}`, input);
}

/** distribution's `Parse`: no normalisation, the domain is optional. */
function parseReference(text: string, input: string): DockerName {
  const match = REFERENCE_PATTERN.exec(text);
  if (match === null) {
    if (text === "") {
      throw new InvalidReferenceError(
        input,
        "repository name must have at least one component",
      );
    }
    if (REFERENCE_PATTERN.test(text.toLowerCase())) {
      throw new InvalidReferenceError(
        input,
        "repository name must be lowercase",
      );
    }
    throw new InvalidReferenceError(input, "invalid reference format");
  }
  const name = match[1]!;
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw new InvalidReferenceError(
      input,
      `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`,
    );
  }
  const nameMatch = ANCHORED_NAME_PATTERN.exec(name);
  const domain = nameMatch?.[1] ?? "";
  const path = nameMatch?.[2] ?? name;
  const digestText = match[3];
  let digest: Digest | undefined;
  if (digestText !== undefined) {
    const reason = goDigestError(digestText);
    if (reason !== undefined) throw new InvalidReferenceError(input, reason);
    digest = digestText as Digest;
  }
  return { domain, path, tag: match[2], digest };
}

/** go-digest's `Digest.Validate`, for the algorithms this build supports. */
function goDigestError(text: string): string | undefined {
  const colon = text.indexOf(":");
  if (colon <= 0 || colon + 1 === text.length) {
    return "invalid checksum digest format";
  }
  const algorithm = text.slice(0, colon);
  const encoded = text.slice(colon + 1);
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) {
    return GO_DIGEST_PATTERN.test(text)
      ? "unsupported digest algorithm"
      : "invalid checksum digest format";
  }
  if (encoded.length !== length) return "invalid checksum digest length";
  if (!/^[a-f0-9]+$/.test(encoded)) return "invalid checksum digest format";
  return undefined;
}

/**
 * Whether a text is a valid tag.
 *
 * @param tag The candidate tag.
 * @returns True when `tag` matches `[\w][\w.-]{0,127}`.
 */
export function isValidTag(tag: string): boolean {
  return ANCHORED_TAG_PATTERN.test(tag);
}

/**
 * Adds the tag `latest` to a reference that has neither tag nor digest.
 *
 * @param name A parsed reference.
 * @returns The same reference, tagged when it was name-only.
 */
export function withDefaultTag(name: DockerName): DockerName {
  return name.tag === undefined && name.digest === undefined
    ? { ...name, tag: DEFAULT_TAG }
    : name;
}

/**
 * The repository name, `domain/path`.
 *
 * @param name A parsed reference.
 * @returns `docker.io/library/busybox` and the like.
 */
export function formatName(name: DockerName): string {
  return name.domain === "" ? name.path : `${name.domain}/${name.path}`;
}

/**
 * The fully-qualified reference: `domain/path[:tag][@digest]`.
 *
 * @param name A parsed reference.
 * @returns The canonical text.
 */
export function formatReference(name: DockerName): string {
  return formatName(name) + suffix(name);
}

/**
 * The short form docker prints: no `docker.io/`, no `library/` for official
 * images (`busybox:latest`).
 *
 * @param name A parsed reference.
 * @returns The familiar text.
 */
export function familiarString(name: DockerName): string {
  return familiarName(name) + suffix(name);
}

/**
 * The familiar repository name, without tag or digest.
 *
 * @param name A parsed reference.
 * @returns `busybox`, `quay.io/a/b`…
 */
export function familiarName(name: DockerName): string {
  if (name.domain !== DEFAULT_DOMAIN) return formatName(name);
  const parts = name.path.split("/");
  return parts.length === 2 && parts[0] === OFFICIAL_REPO_NAME
    ? parts[1]!
    : name.path;
}

function suffix(name: DockerName): string {
  return (name.tag !== undefined ? `:${name.tag}` : "") +
    (name.digest !== undefined ? `@${name.digest}` : "");
}
