/**
 * `skopeo login [flags] REGISTRY`: checks credentials against a registry and
 * stores them in the auth file (mode 0600).
 *
 * Passwords come from `--password`, `--password-stdin`, or a prompt without
 * echo when standard input is a terminal. Like skopeo 1.9.3, a missing
 * password with a non-terminal standard input is an error (`reading
 * password: inappropriate ioctl for device`): a piped input is read as the
 * password only with `--password-stdin`.
 *
 * @module
 */
import { UsageError } from "../core/errors.ts";
import { loadRegistryCommands } from "../transports/builtin.ts";
import {
  type Command,
  type CommandContext,
  flagBool,
  flagString,
} from "./_command.ts";
import type { FlagSpec } from "./_flags.ts";

type RegistryCommands = Awaited<ReturnType<typeof loadRegistryCommands>>;

/** Where `login` prompts and reads answers (the docker transport's type). */
export type LoginTerminal = Parameters<RegistryCommands["login"]>[1];

/** An empty `--authfile` means the default, as in skopeo. */
export function authFileFlag(
  flags: CommandContext["flags"],
): string | undefined {
  return flagString(flags, "authfile") || undefined;
}

/** The options of both `login` and `logout`. */
export const AUTHFILE_FLAG: FlagSpec = {
  name: "authfile",
  kind: "string",
  usage:
    "path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override",
};

/** `--tls-verify` as login and logout word it. */
export const LOGIN_TLS_FLAG: FlagSpec = {
  name: "tls-verify",
  kind: "bool",
  usage: "require HTTPS and verify certificates when accessing the registry",
};

const BACKSPACE = new Set([0x7f, 0x08]);
const END_OF_TEXT = 0x03;
const END_OF_TRANSMISSION = 0x04;

/**
 * A {@linkcode LoginTerminal} on this process's standard input; `write`
 * goes to `stdout`.
 *
 * @param stdout Where prompts and results go.
 * @param stdin The input (default `Deno.stdin`).
 * @returns The terminal.
 */
export function processTerminal(
  stdout: (text: string) => void,
  stdin: {
    read(buffer: Uint8Array): Promise<number | null>;
    isTerminal(): boolean;
    setRaw(mode: boolean, options?: { cbreak: boolean }): void;
  } = Deno.stdin,
): LoginTerminal {
  let pending = new Uint8Array(0);
  let ended = false;
  const fill = async (): Promise<boolean> => {
    if (ended) return false;
    const chunk = new Uint8Array(4096);
    const count = await stdin.read(chunk);
    if (count === null) {
      ended = true;
      return false;
    }
    const joined = new Uint8Array(pending.length + count);
    joined.set(pending);
    joined.set(chunk.subarray(0, count), pending.length);
    pending = joined;
    return true;
  };
  const take = (length: number): string => {
    const text = new TextDecoder().decode(pending.subarray(0, length));
    pending = pending.slice(length);
    return text;
  };
  return {
    write: stdout,
    async readLine(): Promise<string | undefined> {
      for (;;) {
        const newline = pending.indexOf(0x0a);
        if (newline !== -1) return take(newline + 1);
        if (!(await fill())) return undefined;
      }
    },
    async readAll(): Promise<string> {
      while (await fill()) {
        // read to the end
      }
      return take(pending.length);
    },
    async readPassword(prompt: string): Promise<string> {
      if (!stdin.isTerminal()) {
        stdout(prompt);
        // What Go's term.ReadPassword reports on a pipe or file (ENOTTY).
        throw new Error("inappropriate ioctl for device");
      }
      const typed: number[] = [];
      stdin.setRaw(true, { cbreak: true });
      try {
        stdout(prompt);
        for (;;) {
          const byte = new Uint8Array(1);
          let count: number | null = 1;
          if (pending.length > 0) {
            byte[0] = pending[0]!;
            pending = pending.slice(1);
          } else {
            count = await stdin.read(byte);
          }
          const b = byte[0]!;
          if (count === null || (b === END_OF_TRANSMISSION && !typed.length)) {
            throw new Error("EOF");
          }
          if (b === 0x0d || b === 0x0a) break;
          if (b === END_OF_TEXT) throw new Error("interrupted");
          if (BACKSPACE.has(b)) {
            // Drop one character: UTF-8 continuation bytes, then its lead.
            while (typed.length && (typed.at(-1)! & 0xc0) === 0x80) typed.pop();
            typed.pop();
            continue;
          }
          typed.push(b);
        }
      } finally {
        stdin.setRaw(false);
      }
      return new TextDecoder().decode(new Uint8Array(typed));
    },
  };
}

/** The `login` command. */
export const loginCommand: Command = {
  name: "login",
  description: "Login to a container registry on a specified server.",
  usage: "skopeo login [command options] REGISTRY",
  examples: "skopeo login quay.io",
  flags: [
    AUTHFILE_FLAG,
    {
      name: "cert-dir",
      kind: "string",
      usage: "use certificates at the specified path to access the registry",
    },
    {
      name: "get-login",
      kind: "bool",
      usage: "Return the current login user for the registry",
    },
    {
      name: "password",
      short: "p",
      kind: "string",
      usage: "Password for registry",
    },
    {
      name: "password-stdin",
      kind: "bool",
      usage: "Take the password from stdin",
    },
    LOGIN_TLS_FLAG,
    {
      name: "username",
      short: "u",
      kind: "string",
      usage: "Username for registry",
    },
    {
      name: "verbose",
      short: "v",
      kind: "bool",
      usage: "Write more detailed information to stdout",
    },
  ],
  async run(context: CommandContext): Promise<number> {
    const { flags, args, io, global } = context;
    if (args.length === 0) {
      throw new UsageError("please provide a registry to login to");
    }
    if (args.length > 1) {
      throw new UsageError("login accepts only one registry to login to");
    }
    const docker = await loadRegistryCommands();
    await docker.login(args[0]!, processTerminal(io.stdout), {
      username: flagString(flags, "username"),
      password: flagString(flags, "password"),
      passwordStdin: flagBool(flags, "password-stdin") ?? false,
      getLogin: flagBool(flags, "get-login") ?? false,
      verbose: flagBool(flags, "verbose") ?? false,
      settings: {
        authFile: authFileFlag(flags),
        certDir: flagString(flags, "cert-dir") || undefined,
        tlsVerify: flagBool(flags, "tls-verify"),
      },
      logger: context.logger,
      signal: global.signal,
    });
    return 0;
  },
};
