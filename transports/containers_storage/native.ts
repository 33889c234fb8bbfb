/**
 * File operations Deno has no API for: `mknod` (device nodes and overlay
 * whiteouts), `lsetxattr` (PAX xattrs, overlay opaque directories) and
 * `lchown` (symlink ownership). They go through libc with `Deno.dlopen`
 * when FFI is permitted (`--allow-ffi`, `-A`); otherwise device nodes fall
 * back to the `mknod` program (needs `--allow-run`), and xattrs and
 * symlink ownership are not applied.
 *
 * @module
 */

const SYMBOLS = {
  mknod: { parameters: ["buffer", "u32", "u64"], result: "i32" },
  lsetxattr: {
    parameters: ["buffer", "buffer", "buffer", "usize", "i32"],
    result: "i32",
  },
  lchown: { parameters: ["buffer", "u32", "u32"], result: "i32" },
} as const;

let lib: Deno.DynamicLibrary<typeof SYMBOLS> | null | undefined;

function libc(): Deno.DynamicLibrary<typeof SYMBOLS> | null {
  if (lib !== undefined) return lib;
  lib = null;
  try {
    if (
      Deno.build.os === "linux" &&
      Deno.permissions.querySync({ name: "ffi" }).state === "granted"
    ) {
      lib = Deno.dlopen("libc.so.6", SYMBOLS);
    }
  } catch {
    lib = null;
  }
  return lib;
}

function cString(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${text}\0`);
}

/** Whether xattrs (and so overlay opaque directories) can be written. */
export function canSetXattr(): boolean {
  return libc() !== null;
}

/**
 * Creates a device node or FIFO.
 *
 * @param path Where.
 * @param kind `c` (character), `b` (block) or `p` (FIFO).
 * @param mode Permission bits.
 * @param major Device major number.
 * @param minor Device minor number.
 * @throws {Error} When neither libc nor the `mknod` program can do it.
 */
export async function makeNode(
  path: string,
  kind: "c" | "b" | "p",
  mode: number,
  device: { major: number; minor: number },
): Promise<void> {
  const l = libc();
  if (l) {
    const type = kind === "c" ? 0o020000 : kind === "b" ? 0o060000 : 0o010000;
    const { major, minor } = device;
    const dev = (BigInt(major & 0xfff) << 8n) | BigInt(minor & 0xff) |
      (BigInt(minor & ~0xff) << 12n) | (BigInt(major & ~0xfff) << 32n);
    if (l.symbols.mknod(cString(path), type | (mode & 0o7777), dev) !== 0) {
      throw new Error(`mknod ${path} failed`);
    }
    return;
  }
  const args = ["-m", (mode & 0o7777).toString(8), path, kind];
  if (kind !== "p") args.push(String(device.major), String(device.minor));
  const { code, stderr } = await new Deno.Command("mknod", {
    args,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `mknod ${path}: ${new TextDecoder().decode(stderr).trim()}`,
    );
  }
}

/**
 * Sets an extended attribute without following a symlink; a no-op
 * returning false without FFI.
 */
export function setXattr(
  path: string,
  name: string,
  value: Uint8Array,
): boolean {
  const l = libc();
  if (!l) return false;
  const data = new Uint8Array(value);
  if (
    l.symbols.lsetxattr(
      cString(path),
      cString(name),
      data,
      BigInt(data.length),
      0,
    ) !== 0
  ) {
    throw new Error(`setting xattr ${name} on ${path} failed`);
  }
  return true;
}

/** Changes a symlink's owner; a no-op without FFI. */
export function lchown(path: string, uid: number, gid: number): void {
  libc()?.symbols.lchown(cString(path), uid, gid);
}
