/**
 * The `skopeo` binary: runs the command line and exits with its code.
 *
 * @module
 */
import { runCli } from "./cli/mod.ts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args));
}
