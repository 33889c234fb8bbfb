/**
 * Docker references as signatures and policies name them: parsed and
 * normalized (`busybox` → `docker.io/library/busybox`) so two spellings of
 * one image compare equal. Core cannot use the docker transport's parser,
 * so this is the small subset signature checks need.
 *
 * @module
 */
import { InvalidReferenceError } from "../errors.ts";

/** A parsed, normalized Docker reference. */
export interface NamedReference {
  /** `domain/path`, e.g. `docker.io/library/busybox`. */
  readonly name: string;
  /** The tag, when present. */
  readonly tag?: string | undefined;
  /** The digest, when present. */
  readonly digest?: string | undefined;
}

const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*";
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST =
  "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}";
const REFERENCE = new RegExp(
  `^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);
const DEFAULT_DOMAIN = "docker.io";
const NAME_MAX = 255;

function splitDomain(text: string): [string, string] {
  const slash = text.indexOf("/");
  const first = text.slice(0, slash);
  if (
    slash < 0 ||
    (!/[.:]/.test(first) && first !== "localhost" &&
      first.toLowerCase() === first)
  ) {
    return [DEFAULT_DOMAIN, text];
  }
  return [
    first === "index.docker.io" ? DEFAULT_DOMAIN : first,
    text.slice(slash + 1),
  ];
}

/**
 * Parses a reference as containers/image's `reference.ParseNormalizedNamed`.
 *
 * @throws {InvalidReferenceError} With skopeo's wording.
 */
export function parseNormalizedReference(text: string): NamedReference {
  if (/^[a-f0-9]{64}$/.test(text)) {
    throw new InvalidReferenceError(
      text,
      `invalid repository name (${text}), cannot specify 64-byte hexadecimal strings`,
    );
  }
  let [domain, remainder] = splitDomain(text);
  if (domain === DEFAULT_DOMAIN && !remainder.includes("/")) {
    remainder = `library/${remainder}`;
  }
  const colon = remainder.indexOf(":");
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    throw new InvalidReferenceError(
      text,
      "invalid reference format: repository name must be lowercase",
    );
  }
  const match = REFERENCE.exec(`${domain}/${remainder}`);
  if (!match) {
    throw new InvalidReferenceError(text, "invalid reference format");
  }
  const name = match[1]!;
  if (name.length > NAME_MAX) {
    throw new InvalidReferenceError(
      text,
      `invalid reference format: repository name must not be more than ${NAME_MAX} characters`,
    );
  }
  return { name, tag: match[2], digest: match[3] };
}

/** `name[:tag][@digest]`, the canonical string form. */
export function formatNamedReference(reference: NamedReference): string {
  return `${reference.name}${reference.tag ? `:${reference.tag}` : ""}${
    reference.digest ? `@${reference.digest}` : ""
  }`;
}

/** Whether the reference has neither tag nor digest. */
export function isNameOnly(reference: NamedReference): boolean {
  return !reference.tag && !reference.digest;
}
