/**
 * Helpers shared by the tar tests: temporary directories and GNU tar runs.
 *
 * @module
 */
import assert from "node:assert/strict";

/** Runs a command and returns its stdout; fails the test on a non-zero exit. */
export async function run(
  command: string,
  args: string[],
  options: { cwd?: string } = {},
): Promise<string> {
  const output = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "piped",
    ...(options.cwd ? { cwd: options.cwd } : {}),
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `${command} ${args.join(" ")}: ${stderr}`);
  return new TextDecoder().decode(output.stdout);
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
export async function withTempDir(
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tar_test" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Reads a whole stream into one array. */
export async function readAll(
  stream: ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Deterministic bytes: the value at offset `i` is a function of `i` only. */
export function patternByte(i: number): number {
  return (i * 131 + (i >>> 9) * 7 + (i >>> 17)) & 0xff;
}

/** `size` pattern bytes starting at `offset`. */
export function pattern(size: number, offset = 0): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = patternByte(offset + i);
  return bytes;
}
