/**
 * The trust policy (`policy.json`, containers-policy.json(5)): which images
 * may be copied, per transport and scope: `insecureAcceptAnything`,
 * `reject`, `signedBy` (simple signing, GPG keys) and `sigstoreSigned`
 * (sigstore signatures, public key files or data).
 *
 * @module
 */
import { InvalidContentError } from "../errors.ts";
import type { PolicyImage } from "../signature/signed_by.ts";
import { sigstoreSignedProblem } from "../signature/sigstore_signed_problem.ts";
import type { ImageReference } from "../transport.ts";
import type { Signature } from "../types.ts";

/** One policy requirement. */
export interface PolicyRequirement {
  /** `insecureAcceptAnything`, `reject`, `signedBy`, `sigstoreSigned`. */
  type: string;
  /** The requirement's own fields (keyType, keyPath, signedIdentity…). */
  [key: string]: unknown;
}

/** A parsed `policy.json`. */
export interface Policy {
  /** Requirements when no transport scope matches. */
  default: PolicyRequirement[];
  /** Transport name → scope → requirements. */
  transports: Record<string, Record<string, PolicyRequirement[]>>;
}

/** An image the policy does not allow. */
export class PolicyRejectedError extends Error {
  /**
   * Creates an instance.
   *
   * @param message Why, naming the rule.
   */
  constructor(message: string) {
    super(message);
    this.name = "PolicyRejectedError";
  }
}

const KNOWN_TYPES = new Set([
  "insecureAcceptAnything",
  "reject",
  "signedBy",
  "sigstoreSigned",
]);

function requirements(value: unknown, where: string): PolicyRequirement[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidContentError(
      `invalid policy in ${where}: expected a non-empty list of requirements`,
    );
  }
  return value.map((r) => {
    const type = (r as { type?: unknown } | null)?.type;
    if (typeof type !== "string" || !KNOWN_TYPES.has(type)) {
      throw new InvalidContentError(
        `invalid policy in ${where}: Unknown policy requirement type ${
          JSON.stringify(type)
        }`,
      );
    }
    if (type === "sigstoreSigned") {
      const problem = sigstoreSignedProblem(r as Record<string, unknown>);
      if (problem) {
        throw new InvalidContentError(`invalid policy in ${where}: ${problem}`);
      }
    }
    return r as PolicyRequirement;
  });
}

/**
 * Parses the text of a `policy.json`.
 *
 * @throws {InvalidContentError} When it is not a valid policy.
 */
export function parsePolicy(text: string, path: string): Policy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidContentError(
      `invalid policy in "${path}": ${(error as Error).message}`,
    );
  }
  const object = json as { default?: unknown; transports?: unknown } | null;
  if (typeof object !== "object" || object === null || Array.isArray(object)) {
    throw new InvalidContentError(`invalid policy in "${path}": not an object`);
  }
  const transports: Policy["transports"] = {};
  const rawTransports = object.transports ?? {};
  if (typeof rawTransports !== "object" || Array.isArray(rawTransports)) {
    throw new InvalidContentError(
      `invalid policy in "${path}": "transports" is not an object`,
    );
  }
  for (
    const [name, scopes] of Object.entries(
      rawTransports as Record<string, unknown>,
    )
  ) {
    if (
      typeof scopes !== "object" || scopes === null || Array.isArray(scopes)
    ) {
      throw new InvalidContentError(
        `invalid policy in "${path}": transports.${name} is not an object`,
      );
    }
    transports[name] = {};
    for (const [scope, list] of Object.entries(scopes)) {
      transports[name]![scope] = requirements(list, `"${path}"`);
    }
  }
  return {
    default: requirements(object.default, `"${path}"`),
    transports,
  };
}

/** Scopes to try for a reference, most specific first (then ""). */
export function policyScopes(reference: ImageReference): string[] {
  const name = reference.transport.name;
  if (reference.dockerReference) {
    const full = reference.dockerReference;
    const repo = full.replace(/@.*$/, "").replace(/:[^/:]*$/, "");
    const scopes = [full, repo];
    let rest = repo;
    while (rest.includes("/")) {
      rest = rest.slice(0, rest.lastIndexOf("/"));
      scopes.push(rest);
    }
    return [...new Set(scopes)];
  }
  if (name === "dir" || name === "oci" || name.endsWith("-archive")) {
    const text = reference.toString();
    const path = text.startsWith("/") ? text : `${Deno.cwd()}/${text}`;
    const scopes = [path];
    let rest = path.replace(/:[^/]*$/, "");
    if (rest !== path) scopes.push(rest);
    while (rest.lastIndexOf("/") > 0) {
      rest = rest.slice(0, rest.lastIndexOf("/"));
      scopes.push(rest);
    }
    scopes.push("/");
    return scopes;
  }
  return [];
}

/** The requirements that apply to a reference. */
export function requirementsFor(
  policy: Policy,
  reference: ImageReference,
): PolicyRequirement[] {
  const scopes = policy.transports[reference.transport.name];
  if (scopes) {
    for (const scope of policyScopes(reference)) {
      const found = scopes[scope];
      if (found) return found;
    }
    if (scopes[""]) return scopes[""];
  }
  return policy.default;
}

/**
 * Checks the requirements that need nothing but the reference (`reject`,
 * `insecureAcceptAnything`), e.g. before deciding whether to copy at all.
 * Signature requirements throw too: only {@linkcode checkImagePolicy},
 * which sees the image, can accept them.
 *
 * @throws {PolicyRejectedError} When a requirement refuses the image, or
 *   needs the image's signatures.
 */
export function checkPolicy(policy: Policy, reference: ImageReference): void {
  const image = `${reference.transport.name}:${reference}`;
  for (const requirement of requirementsFor(policy, reference)) {
    switch (requirement.type) {
      case "insecureAcceptAnything":
        continue;
      case "reject":
        throw rejected(image);
      default:
        throw new PolicyRejectedError(
          `Source image rejected: policy requirement "${requirement.type}" for ${image} needs the image's signatures`,
        );
    }
  }
}

function rejected(image: string): PolicyRejectedError {
  return new PolicyRejectedError(
    `Source image rejected: Running image ${image} is rejected by policy.`,
  );
}

/** The image a policy is checked on. */
export interface PolicyCheckImage {
  /** The (instance) manifest that will be copied. */
  manifest: Uint8Array;
  /** Reads its signatures; called only when a requirement needs them. */
  signatures: () => Promise<readonly Signature[]>;
}

/**
 * The signature requirement's evaluator, loaded only when a policy uses it:
 * OpenPGP and the sigstore crypto cost 60–90 ms of start-up.
 */
async function loadEvaluator(
  type: "signedBy" | "sigstoreSigned",
): Promise<
  (
    requirement: Record<string, unknown>,
    image: PolicyImage,
  ) => Promise<string | undefined>
> {
  return type === "signedBy"
    ? (await import("../signature/signed_by.ts")).evaluateSignedBy
    : (await import("../signature/sigstore_signed.ts")).evaluateSigstoreSigned;
}

/**
 * Checks that the policy allows copying the image at `reference`: every
 * requirement that applies must accept it.
 *
 * @throws {PolicyRejectedError} When a requirement refuses the image, with
 *   skopeo's message ("Source image rejected: …").
 */
export async function checkImagePolicy(
  policy: Policy,
  reference: ImageReference,
  image: PolicyCheckImage,
): Promise<void> {
  const name = `${reference.transport.name}:${reference}`;
  let signatures: Promise<readonly Signature[]> | undefined;
  for (const requirement of requirementsFor(policy, reference)) {
    switch (requirement.type) {
      case "insecureAcceptAnything":
        continue;
      case "reject":
        throw rejected(name);
      case "signedBy":
      case "sigstoreSigned": {
        const evaluate = await loadEvaluator(requirement.type);
        const reason = await evaluate(requirement, {
          dockerReference: reference.dockerReference,
          manifest: image.manifest,
          signatures: await (signatures ??= image.signatures()),
        });
        if (reason !== undefined) {
          throw new PolicyRejectedError(`Source image rejected: ${reason}`);
        }
        continue;
      }
      default:
        throw new PolicyRejectedError(
          `Source image rejected: Unknown policy requirement type "${requirement.type}"`,
        );
    }
  }
}
