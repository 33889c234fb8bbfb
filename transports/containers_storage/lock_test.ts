import assert from "node:assert/strict";
import { acquireLock } from "./lock.ts";

const LOCK_MODULE = new URL("./lock.ts", import.meta.url).href;

/** A script file running `code` with `acquireLock` in scope. */
function script(code: string, dir: string): string {
  const path = Deno.makeTempFileSync({ dir, suffix: ".ts" });
  Deno.writeTextFileSync(
    path,
    `import { acquireLock } from ${JSON.stringify(LOCK_MODULE)};\n${code}`,
  );
  return path;
}

/** Starts a Deno child (`deno eval` would grant every permission). */
function child(
  code: string,
  permissions: string[],
  dir: string,
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-check", ...permissions, script(code, dir)],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Runs `code` in a child to its end; returns its trimmed stdout. */
async function run(
  code: string,
  permissions: string[],
  dir: string,
): Promise<string> {
  const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-check", ...permissions, script(code, dir)],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout).trim();
  return out || new TextDecoder().decode(stderr);
}

/** A child holding an exclusive POSIX lock until its stdin closes. */
async function holder(path: string, dir: string): Promise<Deno.ChildProcess> {
  const process = child(
    `const lock = await acquireLock(${
      JSON.stringify(path)
    }, { exclusive: true });
     console.log(lock.posix ? "posix" : "flock");
     for await (const _ of Deno.stdin.readable) { /* wait for EOF */ }
     await lock.release();`,
    ["-A"],
    dir,
  );
  const reader = process.stdout.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  assert.equal(new TextDecoder().decode(value).trim(), "posix");
  return process;
}

async function finish(process: Deno.ChildProcess): Promise<void> {
  await process.stdin.close();
  await process.status;
  await process.stdout.cancel();
  await process.stderr.cancel();
}

Deno.test("acquireLock() takes podman's POSIX lock and waits for another holder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/layers.lock`;
    const other = await holder(path, dir);
    const { ino } = await Deno.stat(path);
    const table = await Deno.readTextFile("/proc/locks");
    assert.match(
      table,
      new RegExp(`POSIX\\s+ADVISORY\\s+WRITE\\s+${other.pid}\\s+\\S+:${ino} `),
    );
    let acquired = false;
    const waiting = acquireLock(path, { exclusive: true }).then((lock) => {
      acquired = true;
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(acquired, false, "the lock must wait for the other process");
    await finish(other);
    const lock = await waiting;
    assert.equal(lock.posix, true);
    await lock.touch();
    assert.match(await Deno.readTextFile(path), /^[0-9a-f]{64}$/);
    await lock.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("acquireLock() without FFI refuses while another process holds a POSIX lock", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/images.lock`;
    const other = await holder(path, dir);
    // The permissions of `deno task skopeo` and the compiled binary.
    const permissions = ["--allow-read", "--allow-write", "--allow-run"];
    const probe = await run(
      `try {
         await acquireLock(${
        JSON.stringify(path)
      }, { exclusive: true, timeoutMs: 300 });
         console.log("acquired");
       } catch (error) { console.log(error.name); }`,
      permissions,
      dir,
    );
    assert.equal(probe, "StoreLockedError");
    await finish(other);
    // Once released, the flock fallback gets it.
    const free = await run(
      `const lock = await acquireLock(${
        JSON.stringify(path)
      }, { exclusive: true, timeoutMs: 300 });
       console.log(lock.posix ? "posix" : "flock");`,
      permissions,
      dir,
    );
    assert.equal(free, "flock");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
