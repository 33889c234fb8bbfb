/**
 * `skopeo generate-sigstore-key --output-prefix PREFIX`: a sigstore key pair
 * in PREFIX.private (encrypted, 0600) and PREFIX.pub, as later skopeo
 * versions make it (1.9.3 lacks the command). The passphrase comes from
 * `--passphrase-file`, else a prompt without echo.
 *
 * @module
 */
import { generateSigstoreKeyPair } from "../core/signature/sigstore_key.ts";
import { type Command, type CommandContext, flagString } from "./_command.ts";
import { passphraseFor } from "./_passphrase.ts";

/** Fails when `path` exists, so no key is ever overwritten. */
async function ensureMissing(path: string): Promise<void> {
  try {
    await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw new Error(
      `Error checking existence of ${JSON.stringify(path)}: ${
        (error as Error).message
      }`,
    );
  }
  throw new Error(`Refusing to overwrite existing ${JSON.stringify(path)}`);
}

/** Writes a new file, failing if one appeared since the check. */
async function writeNew(
  path: string,
  text: string,
  mode: number,
): Promise<void> {
  try {
    await Deno.writeTextFile(path, text, { createNew: true, mode });
  } catch (error) {
    throw new Error(
      `Error writing key to ${JSON.stringify(path)}: ${
        (error as Error).message
      }`,
    );
  }
}

/** The `generate-sigstore-key` command. */
export const generateSigstoreKeyCommand: Command = {
  name: "generate-sigstore-key",
  description: "Generate a sigstore public/private key pair",
  usage:
    "skopeo generate-sigstore-key [command options] --output-prefix PREFIX",
  examples: "skopeo generate-sigstore-key --output-prefix my-key",
  flags: [
    {
      name: "output-prefix",
      kind: "string",
      usage: "Write the keys to `PREFIX`.pub and `PREFIX`.private",
    },
    {
      name: "passphrase-file",
      kind: "string",
      usage: "Read a passphrase for the private key from `PATH`",
    },
  ],
  async run(context: CommandContext): Promise<number> {
    const prefix = flagString(context.flags, "output-prefix");
    if (context.args.length !== 0 || !prefix) {
      throw new Error("Usage: generate-sigstore-key --output-prefix PREFIX");
    }
    const publicPath = `${prefix}.pub`;
    const privatePath = `${prefix}.private`;
    await ensureMissing(publicPath);
    await ensureMissing(privatePath);
    const passphrase = await passphraseFor(
      privatePath,
      flagString(context.flags, "passphrase-file"),
      context.io,
    );
    const keys = generateSigstoreKeyPair(passphrase);
    await writeNew(privatePath, keys.privateKey, 0o600);
    await writeNew(publicPath, keys.publicKey, 0o644);
    // skopeo prints this without a final newline.
    context.io.stdout(
      `Key written to ${JSON.stringify(privatePath)} and ${
        JSON.stringify(publicPath)
      }`,
    );
    return 0;
  },
};
