/**
 * A small file tree for the bench's own tests: sorted-order traps, a hard
 * link, a symlink and some incompressible bytes.
 *
 * @module
 */
import { join } from "node:path";

/**
 * Fills `root` with a small tree.
 *
 * @param root An existing empty directory.
 * @returns Bytes of regular-file content, each inode counted once.
 */
export async function makeTinyTree(root: string): Promise<number> {
  await Deno.mkdir(join(root, "b", "inner"), { recursive: true });
  await Deno.mkdir(join(root, "a"));
  await Deno.writeTextFile(join(root, "a", "text.txt"), "hello\n".repeat(500));
  await Deno.link(join(root, "a", "text.txt"), join(root, "a", "z-hardlink"));
  await Deno.writeTextFile(join(root, "B-upper"), "upper case sorts first\n");
  const random = new Uint8Array(40_000);
  crypto.getRandomValues(random);
  await Deno.writeFile(join(root, "b", "inner", "random.bin"), random);
  await Deno.symlink("../a/text.txt", join(root, "b", "link"));
  return 3000 + 23 + 40_000;
}
