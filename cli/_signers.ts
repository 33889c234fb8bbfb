/**
 * The signers of `--sign-by` (GPG) and `--sign-by-sigstore-private-key`,
 * shared by `copy` and `sync`. Its own module so that `sync` reaches it
 * without loading the copy engine (an unchanged re-sync never copies).
 *
 * @module
 */
import type { ManifestSigner } from "../core/copy/options.ts";
import { goPathErrorText } from "../core/go_path_error.ts";
import { type CommandContext, flagString } from "./_command.ts";
import { SKOPEO_TS_VERSION } from "./version.ts";

/** The sigstore private key of `--sign-by-sigstore-private-key`, decrypted. */
async function sigstoreKey(
  path: string,
  passphraseFile: string | undefined,
  io: CommandContext["io"],
) {
  const { passphraseFor } = await import("./_passphrase.ts");
  const passphrase = await passphraseFor(path, passphraseFile, io);
  let pem: string;
  try {
    pem = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(
      `Error using --sign-by-sigstore-private-key: reading private key from ${path}: ${
        goPathErrorText("open", path, error)
      }`,
    );
  }
  try {
    const { decryptSigstorePrivateKey } = await import(
      "../core/signature/sigstore_key.ts"
    );
    return decryptSigstorePrivateKey(pem, passphrase);
  } catch (error) {
    throw new Error(
      `Error using --sign-by-sigstore-private-key: initializing private key: ${
        (error as Error).message
      }`,
    );
  }
}

/**
 * `--sign-by` (gpg) and `--sign-by-sigstore-private-key` signers, or none
 * (with `--sign-passphrase-file`, `--sign-identity` read by the caller);
 * the sigstore key is decrypted here, before anything is copied.
 *
 * @throws {Error} skopeo's messages for unusable flags, keys or passphrases.
 */
export async function signersFromFlags(
  flags: CommandContext["flags"],
  io: CommandContext["io"],
): Promise<ManifestSigner[] | undefined> {
  const passphraseFile = flagString(flags, "sign-passphrase-file");
  const keyIdentity = flagString(flags, "sign-by");
  const sigstorePath = flagString(flags, "sign-by-sigstore-private-key");
  if (
    keyIdentity !== undefined && sigstorePath !== undefined &&
    passphraseFile !== undefined
  ) {
    throw new Error(
      "Only one of --sign-by and sign-by-sigstore-private-key can be used with sign-passphrase-file",
    );
  }
  if (
    keyIdentity === undefined && sigstorePath === undefined &&
    passphraseFile === undefined
  ) return undefined;
  // Loaded only when signing: OpenPGP and the sigstore crypto cost start-up.
  const { checkPassphraseFile, gpgManifestSigner, sigstoreManifestSigner } =
    await import("../core/signature/mod.ts");
  if (passphraseFile !== undefined) await checkPassphraseFile(passphraseFile);
  const creator = `skopeo-ts ${SKOPEO_TS_VERSION}`;
  const result: ManifestSigner[] = [];
  if (keyIdentity !== undefined) {
    result.push(gpgManifestSigner({ keyIdentity, passphraseFile, creator }));
  }
  if (sigstorePath !== undefined) {
    const key = await sigstoreKey(sigstorePath, passphraseFile, io);
    result.push(sigstoreManifestSigner(key, { creator }));
  }
  return result.length > 0 ? result : undefined;
}
