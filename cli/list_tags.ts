/**
 * `skopeo list-tags [flags] docker://REPOSITORY`: the repository's tags as
 * skopeo prints them, `{"Repository": …, "Tags": […]}` indented by four
 * spaces.
 *
 * @module
 */
import { loadRegistryCommands } from "../transports/builtin.ts";
import {
  type Command,
  type CommandContext,
  DisplayUsageError,
} from "./_command.ts";
import type { FlagSpec } from "./_flags.ts";
import {
  imageContext,
  imageFlagSpecs,
  RETRY_DELAY_FLAG,
  RETRY_FLAG,
} from "./_image_flags.ts";

/**
 * Asks the dispatcher to print the command's help and exit 0, as skopeo's
 * `errorShouldDisplayUsage` does (e.g. `list-tags` without an argument).
 */

/** Transports skopeo 1.9.3 lists tags of. */
const TAG_LISTING_TRANSPORTS = ["docker", "docker-archive"] as const;

/** list-tags has the image flags of one side, minus the daemon and OCI ones. */
function listTagsFlags(): FlagSpec[] {
  return [
    ...imageFlagSpecs("").filter((f) =>
      f.name !== "daemon-host" && f.name !== "shared-blob-dir"
    ),
    RETRY_FLAG,
    RETRY_DELAY_FLAG,
  ];
}

/** skopeo's `json.MarshalIndent(…, "", "    ")` of the output. */
export function formatTagList(
  repository: string,
  tags: readonly string[],
): string {
  // `Repository` is omitempty in skopeo's output struct (docker-archive).
  const output = repository === ""
    ? { Tags: tags }
    : { Repository: repository, Tags: tags };
  return `${JSON.stringify(output, null, 4)}\n`;
}

/** The `list-tags` command. */
export const listTagsCommand: Command = {
  name: "list-tags",
  description: [
    'Return the list of tags from the transport/repository "SOURCE-IMAGE"',
    "",
    "Supported transports:",
    TAG_LISTING_TRANSPORTS.join(" "),
    "",
    'See skopeo-list-tags(1) section "REPOSITORY NAMES" for the expected format',
  ].join("\n"),
  usage: "skopeo list-tags [command options] SOURCE-IMAGE",
  examples: "skopeo list-tags docker://docker.io/fedora",
  flags: listTagsFlags(),
  async run(context: CommandContext): Promise<number> {
    const { args, io, registry, global } = context;
    if (args.length !== 1) {
      throw new DisplayUsageError("Exactly one non-option argument expected");
    }
    const argument = args[0]!;
    const colon = argument.indexOf(":");
    const transportName = colon < 0 ? undefined : argument.slice(0, colon);
    // skopeo's alltransports.TransportFromImageName: known names only.
    if (transportName === undefined || !registry.has(transportName)) {
      throw new Error(`Invalid "${argument}": does not specify a transport`);
    }
    if (transportName === "docker-archive") {
      // Every tag of every image in the archive; the name's own tag is ignored.
      const archive = await registry.parseImageName(argument);
      const tags = await archive.listTags!({
        context: imageContext(context.flags, "", global, context.logger),
        signal: global.signal,
      });
      io.stdout(formatTagList("", tags));
      return 0;
    }
    if (transportName !== "docker") {
      throw new Error(
        `Unsupported transport '${transportName}' for tag listing. Only supported: ${
          TAG_LISTING_TRANSPORTS.join(", ")
        }`,
      );
    }
    const docker = await loadRegistryCommands();
    const reference = docker.parseRepositoryReference(argument);
    const transportContext = imageContext(
      context.flags,
      "",
      global,
      context.logger,
    );
    let tags: string[];
    try {
      tags = await reference.listTags({
        context: transportContext,
        signal: global.signal,
      });
    } catch (error) {
      // `--command-timeout`: its TimeoutError, not fetch's AbortError.
      if (global.signal?.aborted) throw global.signal.reason ?? error;
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`Error listing repository tags: ${message}`, {
        cause: error,
      });
    }
    io.stdout(formatTagList(docker.repositoryName(reference), tags));
    return 0;
  },
};
