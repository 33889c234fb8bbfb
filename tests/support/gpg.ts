/**
 * GnuPG keyrings for the signing tests: a private GNUPGHOME per keyring,
 * with one signing key, and its agent stopped when the keyring is disposed.
 *
 * @module
 */
import type { TempDir } from "./temp_dir.ts";

/** A keyring made by {@linkcode makeKeyring}. */
export interface Keyring {
  /** GNUPGHOME. */
  home: string;
  /** The primary key's fingerprint. */
  fingerprint: string;
  /** The armored public key. */
  publicKeyPath: string;
}

/** Runs gpg in `home`; throws with its stderr when it fails. */
export async function gpg(home: string, args: string[]): Promise<string> {
  const output = await new Deno.Command("gpg", {
    args: ["--batch", "--no-tty", ...args],
    env: { GNUPGHOME: home },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(
      `gpg ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`,
    );
  }
  return text;
}

/** Stops the gpg-agent of `home` (it keeps unlocked keys cached). */
export async function stopAgent(home: string): Promise<void> {
  await new Deno.Command("gpgconf", {
    args: ["--kill", "gpg-agent"],
    env: { GNUPGHOME: home },
  }).output();
}

/** A fresh keyring with one signing key; `passphrase` protects it when given. */
export async function makeKeyring(
  tmp: TempDir,
  name: string,
  options: { algorithm: string; passphrase?: string },
): Promise<Keyring & AsyncDisposable> {
  const home = tmp.join(name);
  await Deno.mkdir(home, { mode: 0o700 });
  await gpg(home, [
    "--pinentry-mode",
    "loopback",
    "--passphrase",
    options.passphrase ?? "",
    "--quick-gen-key",
    `${name} <${name}@example.com>`,
    options.algorithm,
    "sign",
    "never",
  ]);
  const listing = await gpg(home, ["--list-keys", "--with-colons"]);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listing)![1]!;
  const publicKeyPath = tmp.join(`${name}.asc`);
  await Deno.writeTextFile(
    publicKeyPath,
    await gpg(home, ["--armor", "--export", fingerprint]),
  );
  return {
    home,
    fingerprint,
    publicKeyPath,
    [Symbol.asyncDispose]: () => stopAgent(home),
  };
}
