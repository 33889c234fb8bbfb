/**
 * `skopeo logout [flags] REGISTRY` and `skopeo logout --all`: removes
 * credentials from the auth file.
 *
 * @module
 */
import { UsageError } from "../core/errors.ts";
import { loadRegistryCommands } from "../transports/builtin.ts";
import { type Command, type CommandContext, flagBool } from "./_command.ts";
import { AUTHFILE_FLAG, authFileFlag, LOGIN_TLS_FLAG } from "./login.ts";

/** The `logout` command. */
export const logoutCommand: Command = {
  name: "logout",
  description: "Logout of a container registry on a specified server.",
  usage: "skopeo logout [command options] REGISTRY",
  examples: "skopeo logout quay.io",
  flags: [
    {
      name: "all",
      short: "a",
      kind: "bool",
      usage:
        "Remove the cached credentials for all registries in the auth file",
    },
    AUTHFILE_FLAG,
    LOGIN_TLS_FLAG,
  ],
  async run(context: CommandContext): Promise<number> {
    const { flags, args, io, global } = context;
    const all = flagBool(flags, "all") ?? false;
    if (!all && args.length > 1) {
      throw new UsageError("logout accepts only one registry to logout from");
    }
    const docker = await loadRegistryCommands();
    await docker.logout(args[0], { write: io.stdout }, {
      all,
      settings: {
        authFile: authFileFlag(flags),
        tlsVerify: flagBool(flags, "tls-verify"),
      },
      logger: context.logger,
      signal: global.signal,
    });
    return 0;
  },
};
