/**
 * Streams a directory tree into a tar archive, in the lexical order Go's
 * `filepath.Walk` uses (so archives list `blobs/` before `index.json`, as
 * skopeo's do). Times and owners are not recorded (mtime 0, uid/gid 0): the
 * same tree always gives the same archive.
 *
 * @module
 */
import { readFileStream } from "../../core/fs_stream.ts";
import type { TarWriter } from "../_tar/mod.ts";

/**
 * Adds everything under `root` to `tar` (not `root` itself). Regular files
 * and directories only; anything else is refused.
 *
 * @param root The directory.
 * @param tar The archive being written; keep reading its `readable`.
 * @param options Cancellation.
 */
export async function tarDirectory(
  root: string,
  tar: TarWriter,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<void> {
  const signal = options.signal ? { signal: options.signal } : {};
  const walk = async (relative: string): Promise<void> => {
    const dir = relative ? `${root}/${relative}` : root;
    const names: string[] = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    names.sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
    for (const name of names) {
      const path = relative ? `${relative}/${name}` : name;
      const info = await Deno.lstat(`${root}/${path}`);
      if (info.isDirectory) {
        await tar.add({ name: path, type: "directory" }, signal);
        await walk(path);
      } else if (info.isFile) {
        const file = await Deno.open(`${root}/${path}`, { read: true });
        await tar.add({
          name: path,
          size: info.size,
          body: readFileStream(file, signal),
        }, signal);
      } else {
        throw new Error(`Cannot archive ${root}/${path}: not a regular file`);
      }
    }
  };
  await walk("");
}
