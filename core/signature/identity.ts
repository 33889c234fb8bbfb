/**
 * A policy's `signedIdentity`: which Docker reference a signature may name
 * for a given image (containers-policy.json(5), "signedIdentity").
 *
 * @module
 */
import {
  formatNamedReference,
  isNameOnly,
  type NamedReference,
  parseNormalizedReference,
} from "./docker_reference.ts";

/** A `signedIdentity` object from policy.json. */
export interface SignedIdentity {
  /** `matchExact`, `matchRepoDigestOrExact`, `matchRepository`, `exactReference`, `exactRepository`, `remapIdentity`. */
  type: string;
  /** exactReference: the reference the signature must name. */
  dockerReference?: string;
  /** exactRepository: the repository the signature must name. */
  dockerRepository?: string;
  /** remapIdentity: the prefix of the image's name to replace… */
  prefix?: string;
  /** …and what replaces it before matching. */
  signedPrefix?: string;
}

const TYPES = [
  "matchExact",
  "matchRepoDigestOrExact",
  "matchRepository",
  "exactReference",
  "exactRepository",
  "remapIdentity",
];

/**
 * Checks a `signedIdentity` object's shape.
 *
 * @returns A problem, or undefined when valid.
 */
export function signedIdentityProblem(value: unknown): string | undefined {
  const identity = value as Partial<SignedIdentity> | null;
  if (typeof identity !== "object" || identity === null) {
    return '"signedIdentity" is not an object';
  }
  if (typeof identity.type !== "string" || !TYPES.includes(identity.type)) {
    return `Unknown policy reference match type ${
      JSON.stringify(identity.type)
    }`;
  }
  const needs: Record<string, string[]> = {
    exactReference: ["dockerReference"],
    exactRepository: ["dockerRepository"],
    remapIdentity: ["prefix", "signedPrefix"],
  };
  for (const field of needs[identity.type] ?? []) {
    if (typeof (identity as Record<string, unknown>)[field] !== "string") {
      return `${identity.type}: "${field}" is missing or not a string`;
    }
  }
  return undefined;
}

function tryParse(text: string): NamedReference | undefined {
  try {
    return parseNormalizedReference(text);
  } catch {
    return undefined;
  }
}

/** matchRepoDigestOrExact on parsed values. */
function repoDigestOrExact(
  intended: NamedReference,
  signature: NamedReference,
): boolean {
  if (intended.digest) return signature.name === intended.name;
  if (intended.tag) {
    return formatNamedReference(signature) === formatNamedReference(intended);
  }
  return false;
}

/** Whether `name` is `prefix` or lies under it (`prefix/…`). */
function nameMatchesPrefix(name: string, prefix: string): boolean {
  return name === prefix ||
    (name.startsWith(prefix) && name[prefix.length] === "/");
}

function remap(
  intended: NamedReference,
  identity: SignedIdentity,
): NamedReference | undefined {
  if (!nameMatchesPrefix(intended.name, identity.prefix!)) return intended;
  const text = formatNamedReference(intended).replace(
    identity.prefix!,
    identity.signedPrefix!,
  );
  const remapped = tryParse(text);
  // Must already be normalized: remapping to "busybox" is not "docker.io/…".
  return remapped && formatNamedReference(remapped) === text
    ? remapped
    : undefined;
}

/**
 * Whether a signature naming `signedReference` is acceptable for an image
 * whose own Docker reference is `imageReference` (undefined when the
 * transport has none, e.g. `dir:`; only exact* matchers can accept then).
 */
export function matchesSignedIdentity(
  identity: SignedIdentity,
  imageReference: string | undefined,
  signedReference: string,
): boolean {
  const signature = tryParse(signedReference);
  if (!signature) return false;
  switch (identity.type) {
    case "exactReference": {
      const intended = tryParse(identity.dockerReference ?? "");
      return !!intended && !isNameOnly(intended) &&
        formatNamedReference(signature) === formatNamedReference(intended);
    }
    case "exactRepository": {
      const intended = tryParse(identity.dockerRepository ?? "");
      return !!intended && signature.name === intended.name;
    }
  }
  const intended = imageReference === undefined
    ? undefined
    : tryParse(imageReference);
  if (!intended) return false;
  switch (identity.type) {
    case "matchExact":
      return !isNameOnly(intended) &&
        formatNamedReference(signature) === formatNamedReference(intended);
    case "matchRepoDigestOrExact":
      return repoDigestOrExact(intended, signature);
    case "matchRepository":
      return signature.name === intended.name;
    case "remapIdentity": {
      const remapped = remap(intended, identity);
      return !!remapped && repoDigestOrExact(remapped, signature);
    }
    default:
      return false;
  }
}
