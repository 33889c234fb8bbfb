/**
 * `skopeo standalone-sign MANIFEST DOCKER-REFERENCE KEY-FINGERPRINT -o SIGNATURE`:
 * a simple-signing signature of a local manifest, with a key of the user's
 * gpg keyring.
 *
 * @module
 */
import { goPathErrorText } from "../core/go_path_error.ts";
import { UsageError } from "../core/errors.ts";
import {
  checkPassphraseFile,
  createSimpleSignature,
  gpgSign,
} from "../core/signature/mod.ts";
import { type Command, type CommandContext, flagString } from "./_command.ts";
import { SKOPEO_TS_VERSION } from "./version.ts";

/** `open PATH: reason` as Go words it. */
export function describeFileError(path: string, error: unknown): string {
  return goPathErrorText("open", path, error);
}

/** The `standalone-sign` command. */
export const standaloneSignCommand: Command = {
  name: "standalone-sign",
  description: "Create a signature using local files",
  usage:
    "skopeo standalone-sign [command options] MANIFEST DOCKER-REFERENCE KEY-FINGERPRINT --output|-o SIGNATURE",
  examples: "",
  flags: [
    {
      name: "output",
      short: "o",
      kind: "string",
      usage: "output the signature to `SIGNATURE`",
    },
    {
      name: "passphrase-file",
      kind: "string",
      usage: "file that contains a passphrase for the --sign-by key",
    },
  ],
  async run(context: CommandContext): Promise<number> {
    const output = flagString(context.flags, "output");
    if (context.args.length !== 3 || !output) {
      throw new UsageError(
        "Usage: skopeo standalone-sign manifest docker-reference key-fingerprint -o signature",
      );
    }
    const [manifestPath, dockerReference, keyIdentity] = context.args as [
      string,
      string,
      string,
    ];
    let manifest: Uint8Array;
    try {
      manifest = await Deno.readFile(manifestPath);
    } catch (error) {
      throw new Error(
        `Error reading ${manifestPath}: ${
          describeFileError(manifestPath, error)
        }`,
      );
    }
    const passphraseFile = flagString(context.flags, "passphrase-file");
    if (passphraseFile !== undefined) await checkPassphraseFile(passphraseFile);
    let signature: Uint8Array;
    try {
      signature = (await createSimpleSignature(
        manifest,
        dockerReference,
        (payload) => gpgSign(payload, { keyIdentity, passphraseFile }),
        { creator: `skopeo-ts ${SKOPEO_TS_VERSION}` },
      )).bytes;
    } catch (error) {
      throw new Error(`Error creating signature: ${(error as Error).message}`);
    }
    try {
      await Deno.writeFile(output, signature, { mode: 0o644 });
    } catch (error) {
      throw new Error(
        `Error writing signature to ${output}: ${
          describeFileError(output, error)
        }`,
      );
    }
    return 0;
  },
};
