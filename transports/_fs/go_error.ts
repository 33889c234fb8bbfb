/**
 * File-system errors worded like Go's `*PathError`, which is what skopeo
 * prints (`open /x/index.json: no such file or directory`).
 *
 * @module
 */
import { ImageNotFoundError } from "../../core/errors.ts";
import { goErrnoText } from "../../core/go_path_error.ts";

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
  const text = goErrnoText(error);
  if (text === undefined) {
    return error instanceof Error ? error : new Error(String(error));
  }
  const message = `${operation} ${path}: ${text}`;
  return error instanceof Deno.errors.NotFound
    ? Object.assign(
      new ImageNotFoundError(path, undefined, { cause: error }),
      { message },
    )
    : new Error(message, { cause: error });
}

/** Reads a whole file, rewording errors like Go. */
export async function readFileGo(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    throw goFsError("open", path, error);
  }
}
