/**
 * Temporary directories that remove themselves: `await using dir = await
 * makeTempDir()`.
 *
 * @module
 */
import { join } from "node:path";

/** A temporary directory, removed recursively on dispose. */
export interface TempDir extends AsyncDisposable {
  /** The directory's absolute path. */
  readonly path: string;
  /** Joins path segments onto the directory's path. */
  join(...segments: string[]): string;
}

/**
 * Creates a temporary directory that `await using` removes with everything
 * inside it.
 *
 * @example Use and remove a directory
 * ```ts
 * import { makeTempDir } from "./temp_dir.ts";
 * {
 *   await using dir = await makeTempDir("example-");
 *   await Deno.writeTextFile(dir.join("a.txt"), "a");
 * }
 * ```
 *
 * @param prefix Start of the directory's name; `skopeo-ts-` by default.
 * @returns The directory.
 */
export async function makeTempDir(prefix = "skopeo-ts-"): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    join: (...segments: string[]): string => join(path, ...segments),
    async [Symbol.asyncDispose](): Promise<void> {
      try {
        await Deno.remove(path, { recursive: true });
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    },
  };
}
