/**
 * The user's GnuPG keyring, through the `gpg` binary (openpgp.js cannot
 * read gpg's keybox or private-key store): signing with `--sign-by`, and
 * exporting public keys for `standalone-verify`. `GNUPGHOME` is honoured as
 * gpg itself does. Passphrases stay in their file; gpg reads it directly.
 *
 * @module
 */
import { goPathErrorText } from "../go_path_error.ts";
import { InvalidSignatureError } from "./simple_signing.ts";

/** Options of {@linkcode gpgSign}. */
export interface GpgSignOptions {
  /** The key to sign with (fingerprint or any gpg key specifier). */
  keyIdentity: string;
  /** A file whose first line is the key's passphrase. */
  passphraseFile?: string | undefined;
  /** The gpg executable (default `gpg`). */
  gpgPath?: string | undefined;
}

async function runGpg(
  gpgPath: string,
  args: string[],
  input?: Uint8Array,
): Promise<Uint8Array> {
  let output: Deno.CommandOutput;
  try {
    const child = new Deno.Command(gpgPath, {
      args: ["--batch", "--no-tty", ...args],
      stdin: input ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (input) {
      const writer = child.stdin.getWriter();
      // gpg may exit before reading (unknown key): its status says why.
      await writer.write(input).then(() => writer.close()).catch(() => {});
    }
    output = await child.output();
  } catch (error) {
    throw new InvalidSignatureError(
      `running ${gpgPath}: ${(error as Error).message}`,
    );
  }
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim()
      .split("\n").filter((l) => l.startsWith("gpg:")).at(-1);
    throw new InvalidSignatureError(stderr ?? `gpg exited with ${output.code}`);
  }
  return output.stdout;
}

/**
 * Signs `payload` as an OpenPGP message (`gpg --sign`) with a key of the
 * user's keyring.
 *
 * @throws {InvalidSignatureError} With gpg's reason (unknown key, bad passphrase…).
 */
export async function gpgSign(
  payload: Uint8Array,
  options: GpgSignOptions,
): Promise<Uint8Array> {
  const args = ["--sign", "--local-user", options.keyIdentity];
  if (options.passphraseFile !== undefined) {
    args.unshift(
      "--pinentry-mode",
      "loopback",
      "--passphrase-file",
      options.passphraseFile,
    );
  }
  return await runGpg(options.gpgPath ?? "gpg", args, payload);
}

/**
 * Exports every public key of the user's keyring (binary), for verifying
 * with openpgp.js.
 */
export async function gpgExportPublicKeys(
  options: { gpgPath?: string | undefined } = {},
): Promise<Uint8Array> {
  return await runGpg(options.gpgPath ?? "gpg", ["--export"]);
}

/**
 * Checks that a passphrase file can be read, before any work is done (gpg
 * reads it itself later; its content is never kept or printed).
 *
 * @throws {Error} `open PATH: reason`, as skopeo reports it.
 */
export async function checkPassphraseFile(path: string): Promise<void> {
  try {
    (await Deno.open(path)).close();
  } catch (error) {
    throw new Error(goPathErrorText("open", path, error));
  }
}
