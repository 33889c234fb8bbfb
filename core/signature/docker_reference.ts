/**
 * Docker references as signatures and policies name them: parsed and
 * normalized (`busybox` → `docker.io/library/busybox`) so two spellings of
 * one image compare equal, with the one Docker reference grammar of
 * `core/docker_name.ts`.
 *
 * @module
 */
import { parseNormalizedNamed } from "../docker_name.ts";

/** A parsed, normalized Docker reference. */
export interface NamedReference {
  /** `domain/path`, e.g. `docker.io/library/busybox`. */
  readonly name: string;
  /** The tag, when present. */
  readonly tag?: string | undefined;
  /** The digest, when present. */
  readonly digest?: string | undefined;
}

/**
 * Parses a reference as containers/image's `reference.ParseNormalizedNamed`.
 *
 * @throws {InvalidReferenceError} With skopeo's wording.
 */
export function parseNormalizedReference(text: string): NamedReference {
  const { domain, path, tag, digest } = parseNormalizedNamed(text);
  return { name: `${domain}/${path}`, tag, digest };
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
