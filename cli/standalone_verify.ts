/**
 * `skopeo standalone-verify MANIFEST DOCKER-REFERENCE KEY-FINGERPRINT SIGNATURE`:
 * checks a simple-signing signature of a local manifest against the public
 * keys of the user's gpg keyring.
 *
 * @module
 */
import { UsageError } from "../core/errors.ts";
import {
  gpgExportPublicKeys,
  readPublicKeys,
  verifyDockerManifestSignature,
} from "../core/signature/mod.ts";
import type { Command, CommandContext } from "./_command.ts";
import { describeFileError } from "./standalone_sign.ts";

async function readInput(what: string, path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    throw new Error(
      `Error reading ${what} from ${path}: ${describeFileError(path, error)}`,
    );
  }
}

/** The `standalone-verify` command. */
export const standaloneVerifyCommand: Command = {
  name: "standalone-verify",
  description: "Verify a signature using local files",
  usage:
    "skopeo standalone-verify MANIFEST DOCKER-REFERENCE KEY-FINGERPRINT SIGNATURE",
  examples: "",
  flags: [],
  async run(context: CommandContext): Promise<number> {
    if (context.args.length !== 4) {
      throw new UsageError(
        "Usage: skopeo standalone-verify manifest docker-reference key-fingerprint signature",
      );
    }
    const [manifestPath, reference, fingerprint, signaturePath] = context
      .args as [string, string, string, string];
    const manifest = await readInput("manifest", manifestPath);
    const signature = await readInput("signature", signaturePath);
    let digest: string;
    try {
      const ring = await readPublicKeys([await gpgExportPublicKeys()]);
      digest = (await verifyDockerManifestSignature(signature, {
        manifest,
        expectedDockerReference: reference,
        expectedKeyFingerprint: fingerprint,
        ring,
      })).dockerManifestDigest;
    } catch (error) {
      throw new Error(`Error verifying signature: ${(error as Error).message}`);
    }
    context.io.stdout(`Signature verified, digest ${digest}\n`);
    return 0;
  },
};
