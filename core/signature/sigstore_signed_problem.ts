/**
 * Validation of a `sigstoreSigned` requirement's fields, as containers/image
 * does when it reads a policy. Kept apart from the verification code so
 * that reading a policy does not load the crypto modules.
 *
 * @module
 */
import { signedIdentityProblem } from "./identity.ts";

const KNOWN_FIELDS = ["type", "keyPath", "keyData", "signedIdentity"];

/**
 * Checks the requirement's fields, as containers/image does when it reads
 * the policy.
 *
 * @returns A problem, or undefined when valid.
 */
export function sigstoreSignedProblem(
  requirement: Record<string, unknown>,
): string | undefined {
  for (const key of Object.keys(requirement)) {
    if (!KNOWN_FIELDS.includes(key)) return `Unknown key "${key}"`;
  }
  const hasPath = requirement.keyPath !== undefined;
  const hasData = requirement.keyData !== undefined;
  if (hasPath && hasData) {
    return "keyPath and keyData cannot be used simultaneously";
  }
  if (!hasPath && !hasData) {
    return "At least one of keyPath and keyData must be specified";
  }
  if (hasPath && typeof requirement.keyPath !== "string") {
    return '"keyPath" is not a string';
  }
  if (hasData && typeof requirement.keyData !== "string") {
    return '"keyData" is not a base64 string';
  }
  if (requirement.signedIdentity === undefined) {
    return "signedIdentity not specified";
  }
  return signedIdentityProblem(requirement.signedIdentity);
}
