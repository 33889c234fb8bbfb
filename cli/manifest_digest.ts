/**
 * `skopeo manifest-digest MANIFEST-FILE`.
 *
 * @module
 */
import { goPathErrorText } from "../core/go_path_error.ts";
import { UsageError } from "../core/errors.ts";
import { manifestDigest } from "../core/manifest/mod.ts";
import type { Command, CommandContext } from "./_command.ts";

/** The `manifest-digest` command. */
export const manifestDigestCommand: Command = {
  name: "manifest-digest",
  description: "Compute a manifest digest of a file",
  usage: "skopeo manifest-digest MANIFEST-FILE",
  examples: "skopeo manifest-digest manifest.json",
  flags: [],
  async run(context: CommandContext): Promise<number> {
    if (context.args.length !== 1) {
      throw new UsageError("Usage: skopeo manifest-digest manifest");
    }
    const path = context.args[0]!;
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (error) {
      throw new Error(
        `Error reading manifest from ${path}: ${
          goPathErrorText("open", path, error)
        }`,
      );
    }
    context.io.stdout(`${manifestDigest(bytes)}\n`);
    return 0;
  },
};
