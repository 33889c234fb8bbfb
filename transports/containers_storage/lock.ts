/**
 * The store's lock files (`layers.lock`, `images.lock`). containers/storage
 * locks them with POSIX record locks (`fcntl(F_SETLKW)`), which on Linux do
 * not interact with the BSD `flock(2)` locks `Deno.FsFile.lock` takes. So:
 *
 * - with `--allow-ffi` (`deno run -A`), we call libc's `open`/`fcntl`/
 *   `pwrite`/`close` through `Deno.dlopen` and take the very same POSIX lock
 *   podman takes: each side waits for the other;
 * - without it, we take a `flock` (which excludes other skopeo-ts processes)
 *   and then look for POSIX locks on the file's inode in `/proc/locks`
 *   (Deno reads it only under `--allow-all`; with `--allow-run` we ask
 *   `cat`): while another process holds one we wait (bounded), then refuse.
 *   A podman that starts after that check is not excluded, and without
 *   either permission nothing is checked.
 *
 * After a change, {@linkcode StoreLock.touch} writes a new 64-character
 * "last writer" token into the lock file, as containers/storage does, so
 * long-running users of the store (podman system service, CRI-O) reload.
 *
 * @module
 */

/** A held lock; release it when done. */
export interface StoreLock {
  /** Whether this is podman's own (POSIX) kind of lock. */
  readonly posix: boolean;
  /** Marks the protected data as modified for other processes. */
  touch(): Promise<void>;
  /** Releases the lock. */
  release(): Promise<void>;
}

/** Options of {@linkcode acquireLock}. */
export interface AcquireLockOptions {
  /** Exclusive (write) or shared (read). */
  exclusive: boolean;
  /** How long to wait for another process's POSIX lock without FFI (ms). */
  timeoutMs?: number | undefined;
}

/** Thrown when the store stays locked by another process. */
export class StoreLockedError extends Error {
  /**
   * @param path The lock file.
   * @param pid The holder.
   */
  constructor(path: string, pid: string) {
    super(
      `${path} is locked by process ${pid} (podman, buildah or CRI-O using the store); run with --allow-ffi to wait for it, or retry later`,
    );
    this.name = "StoreLockedError";
  }
}

const O_RDWR = 0o2;
const O_CREAT = 0o100;
const O_CLOEXEC = 0o2000000;
const F_SETLKW = 7;
const F_RDLCK = 0;
const F_WRLCK = 1;

const LIBC_SYMBOLS = {
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  fcntl: {
    parameters: ["i32", "i32", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  pwrite: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
} as const;

type Libc = Deno.DynamicLibrary<typeof LIBC_SYMBOLS>;
let libc: Libc | null | undefined;

function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  libc = null;
  try {
    if (
      Deno.build.os === "linux" && Deno.build.arch === "x86_64" &&
      Deno.permissions.querySync({ name: "ffi" }).state === "granted"
    ) {
      libc = Deno.dlopen("libc.so.6", LIBC_SYMBOLS);
    }
  } catch {
    libc = null;
  }
  return libc;
}

function token(): Uint8Array<ArrayBuffer> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return new TextEncoder().encode(
    Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""),
  );
}

/**
 * Locks a store lock file, creating it when missing.
 *
 * @example
 * ```ts ignore
 * const lock = await acquireLock("/tmp/s/vfs-layers/layers.lock", { exclusive: true });
 * try { … } finally { await lock.release(); }
 * ```
 *
 * @param path The lock file.
 * @param options Exclusive or shared; the fallback's patience.
 * @returns The held lock.
 * @throws {StoreLockedError} Without FFI, when another process keeps a
 * POSIX lock on the file past the timeout.
 */
export async function acquireLock(
  path: string,
  options: AcquireLockOptions,
): Promise<StoreLock> {
  const lib = loadLibc();
  return lib
    ? await posixLock(lib, path, options.exclusive)
    : await flockWithProbe(path, options);
}

async function posixLock(
  lib: Libc,
  path: string,
  exclusive: boolean,
): Promise<StoreLock> {
  const fd = lib.symbols.open(
    new TextEncoder().encode(`${path}\0`),
    O_RDWR | O_CREAT | O_CLOEXEC,
    0o600,
  );
  if (fd < 0) throw new Error(`opening lock file ${path} failed`);
  // struct flock (x86_64): l_type, l_whence (int16), l_start, l_len (int64),
  // l_pid (int32); zero length = the whole file.
  const request = new Uint8Array(32);
  new DataView(request.buffer).setInt16(0, exclusive ? F_WRLCK : F_RDLCK, true);
  if (await lib.symbols.fcntl(fd, F_SETLKW, request) !== 0) {
    lib.symbols.close(fd);
    throw new Error(`locking ${path} failed`);
  }
  let held = true;
  return {
    posix: true,
    touch() {
      // Through the locked descriptor: closing any other descriptor of
      // this file would drop the POSIX lock.
      const data = token();
      lib.symbols.pwrite(fd, data, BigInt(data.length), 0n);
      return Promise.resolve();
    },
    release() {
      if (held) lib.symbols.close(fd);
      held = false;
      return Promise.resolve();
    },
  };
}

async function flockWithProbe(
  path: string,
  options: AcquireLockOptions,
): Promise<StoreLock> {
  const file = await Deno.open(path, {
    read: true,
    write: true,
    create: true,
    mode: 0o600,
  });
  try {
    await file.lock(options.exclusive);
    const { ino, dev } = await file.stat();
    await waitForPosixHolders(path, ino, dev, options);
  } catch (error) {
    file.close();
    throw error;
  }
  let held = true;
  return {
    posix: false,
    async touch() {
      const data = token();
      await file.seek(0, Deno.SeekMode.Start);
      await file.write(data);
    },
    release() {
      if (held) file.close();
      held = false;
      return Promise.resolve();
    },
  };
}

/**
 * `/proc/locks`. Deno lets only `--allow-all` read it; with `--allow-run`,
 * `cat` reads it for us. `undefined` when neither works (or not Linux).
 */
async function readLockTable(): Promise<string | undefined> {
  try {
    return await Deno.readTextFile("/proc/locks");
  } catch (error) {
    if (!(error instanceof Deno.errors.NotCapable)) return undefined;
  }
  if (Deno.permissions.querySync({ name: "run" }).state !== "granted") {
    return undefined;
  }
  try {
    const { code, stdout } = await new Deno.Command("cat", {
      args: ["/proc/locks"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    return code === 0 ? new TextDecoder().decode(stdout) : undefined;
  } catch {
    return undefined;
  }
}

/** Waits while another process holds a conflicting POSIX lock on the inode. */
async function waitForPosixHolders(
  path: string,
  ino: number | null,
  dev: number | null,
  options: AcquireLockOptions,
): Promise<void> {
  if (ino === null || dev === null) return;
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const major = ((dev >> 8) & 0xfff).toString(16).padStart(2, "0");
  const minor = ((dev & 0xff) | ((dev >> 12) & 0xfff00)).toString(16)
    .padStart(2, "0");
  const id = `${major}:${minor}:${ino}`;
  while (true) {
    const table = await readLockTable();
    if (table === undefined) return; // nothing more we can tell
    const holder = table.split("\n").map((line) => line.split(/\s+/))
      .find((f) =>
        f[1] === "POSIX" && f[5] === id && String(f[4]) !== String(Deno.pid) &&
        (options.exclusive || f[3] === "WRITE")
      );
    if (!holder) return;
    if (Date.now() > deadline) throw new StoreLockedError(path, holder[4]!);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
