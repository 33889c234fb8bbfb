/**
 * One benchmark layer: list part of a real system tree in `tar --sort=name`
 * order, then `tar | gzip -6 -n` it (mtime 0, owner 0) while hashing both the
 * tar (diff_id) and the compressed blob (digest).
 *
 * @module
 */
import { Digester } from "../core/digest.ts";
import type { Digest } from "../core/types.ts";

/**
 * Lists `tree` the way `tar --sort=name` walks it (each directory before its
 * entries, entries by byte order), with `tree`'s ancestors first, stopping
 * once the listed files hold `budget` bytes. Paths are relative to `/`.
 *
 * @param tree An absolute directory.
 * @param budget Bytes of regular-file content to stop at.
 * @returns Paths for `tar -C / --no-recursion -T`.
 */
export async function listTree(
  tree: string,
  budget: number,
): Promise<string[]> {
  const parts = tree.split("/").filter((p) => p !== "");
  const paths = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
  let total = 0;
  // tar stores a second hard link to an inode as a link entry: no content.
  const inodes = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try {
      names = [];
      for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    } catch {
      return; // unreadable: leave it out
    }
    names.sort(byteOrder);
    for (const name of names) {
      if (total >= budget * 0.995) return;
      const path = `${dir}/${name}`;
      let info: Deno.FileInfo;
      try {
        info = await Deno.lstat(path);
      } catch {
        continue;
      }
      if (info.isDirectory) {
        paths.push(path.slice(1));
        await walk(path);
      } else if (info.isSymlink) {
        paths.push(path.slice(1));
      } else if (info.isFile) {
        const inode = `${info.dev}:${info.ino}`;
        const size = inodes.has(inode) ? 0 : info.size;
        // Files that would overshoot are skipped, so a few large ones at the
        // budget's edge do not blow the layer's size.
        if (total + size > budget || !(await readable(path))) continue;
        inodes.add(inode);
        paths.push(path.slice(1));
        total += size;
      }
    }
  };
  await walk(tree);
  return paths;
}

function byteOrder(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! - y[i]!;
  }
  return x.length - y.length;
}

async function readable(path: string): Promise<boolean> {
  try {
    (await Deno.open(path, { read: true })).close();
    return true;
  } catch {
    return false;
  }
}

/** A compressed layer written to a file. */
export interface TarGzipResult {
  /** The file. */
  path: string;
  /** Digest of the compressed bytes. */
  digest: Digest;
  /** Size of the compressed bytes. */
  size: number;
  /** Digest of the tar. */
  diffId: Digest;
  /** Size of the tar. */
  rawSize: number;
}

/**
 * `tar | gzip -6 -n` into `path`, hashing both sides on the way. Two
 * processes so the two cores share the work.
 *
 * @param paths Entries relative to `/`, in order (see {@linkcode listTree}).
 * @param path The file to create.
 * @returns The blob's and the tar's digests and sizes.
 * @throws {Error} When tar or gzip fails.
 */
export async function tarGzip(
  paths: readonly string[],
  path: string,
): Promise<TarGzipResult> {
  const list = `${path}.list`;
  await Deno.writeTextFile(list, paths.map((p) => p + "\0").join(""));
  try {
    const tar = new Deno.Command("tar", {
      args: [
        "--null",
        "--no-recursion",
        "--sort=name",
        "--mtime=@0",
        "--owner=0",
        "--group=0",
        "--numeric-owner",
        "-C",
        "/",
        "-T",
        list,
        "-cf",
        "-",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const gzip = new Deno.Command("gzip", {
      args: ["-6", "-n", "-c"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const raw = new Digester();
    const compressed = new Digester();
    const file = await Deno.open(path, { write: true, createNew: true });
    const [, , tarErr, gzipErr, tarStatus, gzipStatus] = await Promise.all([
      tar.stdout.pipeThrough(hashing(raw)).pipeTo(gzip.stdin),
      gzip.stdout.pipeThrough(hashing(compressed)).pipeTo(file.writable),
      new Response(tar.stderr).text(),
      new Response(gzip.stderr).text(),
      tar.status,
      gzip.status,
    ]);
    if (!tarStatus.success) {
      throw new Error(`tar failed (${tarStatus.code}): ${tarErr}`);
    }
    if (!gzipStatus.success) {
      throw new Error(`gzip failed (${gzipStatus.code}): ${gzipErr}`);
    }
    return {
      path,
      digest: compressed.digest(),
      size: compressed.size,
      diffId: raw.digest(),
      rawSize: raw.size,
    };
  } finally {
    await Deno.remove(list).catch(() => {});
  }
}

function hashing(digester: Digester): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, controller) {
      digester.update(chunk);
      controller.enqueue(chunk);
    },
  });
}
