/**
 * Finds and reads the trust policy as skopeo does: `--policy PATH`, else
 * `$HOME/.config/containers/policy.json` when it exists, else
 * `/etc/containers/policy.json`.
 *
 * @module
 */
import { goPathErrorText } from "../go_path_error.ts";
import { InvalidContentError } from "../errors.ts";
import { parsePolicy, type Policy } from "./policy.ts";

/** The system-wide policy file. */
export const SYSTEM_POLICY_PATH = "/etc/containers/policy.json";

/** The policy path skopeo would use. */
export function defaultPolicyPath(): string {
  const home = Deno.env.get("HOME");
  if (home) {
    const user = `${home}/.config/containers/policy.json`;
    try {
      Deno.statSync(user);
      return user;
    } catch {
      // no per-user policy
    }
  }
  return SYSTEM_POLICY_PATH;
}

/**
 * Reads the policy.
 *
 * @param path `--policy`, or undefined for the default lookup.
 * @throws {InvalidContentError} When the file is missing or invalid.
 */
export async function loadPolicy(path?: string): Promise<Policy> {
  const file = path ?? defaultPolicyPath();
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    throw new InvalidContentError(goPathErrorText("open", file, error));
  }
  return parsePolicy(text, file);
}
