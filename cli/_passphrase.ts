/**
 * Passphrases for signing keys, as skopeo reads them: the first line of a
 * `--passphrase-file`/`--sign-passphrase-file`, else a prompt on the
 * terminal without echo. A passphrase is never logged or printed.
 *
 * @module
 */
import { goPathErrorText } from "../core/go_path_error.ts";
import type { CliIo } from "./_log.ts";

/**
 * Reads the first line of a passphrase file (without its newline), as
 * gpg and skopeo do.
 *
 * @throws {Error} `open PATH: reason`, as skopeo reports it.
 */
export async function readPassphraseFile(path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new Error(goPathErrorText("open", path, error));
  }
  const text = new TextDecoder().decode(bytes);
  const newline = text.indexOf("\n");
  return newline === -1 ? text : text.slice(0, newline);
}

/**
 * Asks for the passphrase of `keyPath` on the terminal, without echo.
 *
 * @throws {Error} skopeo's message when standard input is not a terminal.
 */
export async function promptForPassphrase(
  keyPath: string,
  io: CliIo,
): Promise<string> {
  if (!Deno.stdin.isTerminal()) {
    throw new Error(
      `Cannot prompt for a passphrase for key ${keyPath}, standard input is not a TTY`,
    );
  }
  const { processTerminal } = await import("./login.ts");
  let passphrase: string;
  try {
    passphrase = await processTerminal(io.stdout)
      .readPassword(`Passphrase for key ${keyPath}: `);
  } catch (error) {
    throw new Error(`Error reading password: ${(error as Error).message}`);
  }
  io.stdout("\n");
  return passphrase;
}

/**
 * The passphrase for a key: from `file` when given, else prompted.
 *
 * @returns The passphrase.
 */
export async function passphraseFor(
  keyPath: string,
  file: string | undefined,
  io: CliIo,
): Promise<string> {
  return file !== undefined
    ? await readPassphraseFile(file)
    : await promptForPassphrase(keyPath, io);
}
