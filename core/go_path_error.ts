/**
 * File-system errors worded like Go's `*PathError`, which is what skopeo
 * prints (`open /x/policy.json: no such file or directory`).
 *
 * @module
 */

const GO_TEXT: ReadonlyArray<[new (...args: never[]) => Error, string]> = [
  [Deno.errors.NotFound, "no such file or directory"],
  [Deno.errors.PermissionDenied, "permission denied"],
  [Deno.errors.AlreadyExists, "file exists"],
  [Deno.errors.IsADirectory, "is a directory"],
  [Deno.errors.NotADirectory, "not a directory"],
];

/**
 * Go's text for a Deno file-system error (`no such file or directory`…).
 *
 * @returns The text, or undefined for an error Go words differently.
 */
export function goErrnoText(error: unknown): string | undefined {
  for (const [type, text] of GO_TEXT) {
    if (error instanceof type) return text;
  }
  return undefined;
}

/**
 * `OPERATION PATH: reason` as Go's `*PathError` prints it; an error with no
 * Go wording keeps its own message.
 *
 * @example
 * ```ts
 * import { goPathErrorText } from "./go_path_error.ts";
 * const text = goPathErrorText("open", "/x", new Deno.errors.NotFound());
 * console.assert(text === "open /x: no such file or directory");
 * ```
 */
export function goPathErrorText(
  operation: string,
  path: string,
  error: unknown,
): string {
  const reason = goErrnoText(error) ??
    (error instanceof Error ? error.message : String(error));
  return `${operation} ${path}: ${reason}`;
}
