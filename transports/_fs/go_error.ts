/**
 * File-system errors worded like Go's `*PathError`, which is what skopeo
 * prints (`open /x/index.json: no such file or directory`).
 *
 * @module
 */
import { ImageNotFoundError } from "../../core/errors.ts";

const GO_TEXT: ReadonlyArray<[new (...args: never[]) => Error, string]> = [
  [Deno.errors.NotFound, "no such file or directory"],
  [Deno.errors.PermissionDenied, "permission denied"],
  [Deno.errors.AlreadyExists, "file exists"],
  [Deno.errors.IsADirectory, "is a directory"],
  [Deno.errors.NotADirectory, "not a directory"],
];

/**
 * Rewords a Deno file-system error as Go would print it. A missing file
 * becomes an {@linkcode ImageNotFoundError} so callers can tell it apart.
 *
 * @param operation Go's verb: `open`, `stat`, `mkdir`…
 * @param path The path operated on.
 * @param error The caught error.
 * @returns The error to throw.
 */
export function goFsError(
  operation: string,
  path: string,
  error: unknown,
): Error {
  for (const [type, text] of GO_TEXT) {
    if (error instanceof type) {
      const message = `${operation} ${path}: ${text}`;
      return error instanceof Deno.errors.NotFound
        ? Object.assign(
          new ImageNotFoundError(path, undefined, { cause: error }),
          {
            message,
          },
        )
        : new Error(message, { cause: error });
    }
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Reads a whole file, rewording errors like Go. */
export async function readFileGo(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    throw goFsError("open", path, error);
  }
}
