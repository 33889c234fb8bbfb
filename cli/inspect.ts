/**
 * `skopeo inspect [--raw] [--config] [--format T] IMAGE-NAME`.
 *
 * @module
 */
import { adaptSource } from "../core/_adapt.ts";
import { UsageError } from "../core/errors.ts";
import { buildInspectInfo, formatInspectJson } from "../core/image/inspect.ts";
import { repositoryName } from "../core/image/inspect_image.ts";
import { loadImage, readConfigBlob } from "../core/image/load_image.ts";
import { goJsonIndent, toOciConfig } from "../core/image/oci_config_json.ts";
import type { ImageSource } from "../core/transport.ts";
import {
  type Command,
  type CommandContext,
  flagBool,
  flagString,
} from "./_command.ts";
import {
  imageContext,
  imageFlagSpecs,
  RETRY_DELAY_FLAG,
  RETRY_FLAG,
} from "./_image_flags.ts";
import type { CliIo } from "./_log.ts";

/** Wraps errors of opening the image as skopeo words them. */
function parsingError(name: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const wrapped = new Error(`Error parsing image name "${name}": ${message}`, {
    cause: error,
  });
  if (error instanceof Error) wrapped.name = error.name;
  return wrapped;
}

/** skopeo's wording for a manifest that cannot be read. */
async function retrievingManifest<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const wrapped = new Error(
      `Error retrieving manifest for image: ${message}`,
      { cause: error },
    );
    if (error instanceof Error) wrapped.name = error.name;
    throw wrapped;
  }
}

/** Prints a template's output; on failure, what it printed first (as skopeo). */
function printTemplate(io: CliIo, render: () => string): void {
  try {
    io.stdout(render());
  } catch (error) {
    const output = (error as { output?: unknown }).output;
    if (typeof output === "string") io.stdout(output);
    throw error;
  }
}

/** The `inspect` command. */
export const inspectCommand: Command = {
  name: "inspect",
  description:
    'Return low-level information about "IMAGE-NAME" in a registry/transport\nSupported transports:\n%TRANSPORTS%\n\nSee skopeo(1) section "IMAGE NAMES" for the expected format',
  usage: "skopeo inspect [command options] IMAGE-NAME",
  examples: [
    "skopeo inspect docker://registry.fedoraproject.org/fedora",
    "  skopeo inspect --config docker://docker.io/alpine",
    '  skopeo inspect  --format "Name: {{.Name}} Digest: {{.Digest}}" docker://registry.access.redhat.com/ubi8',
  ].join("\n"),
  flags: [
    ...imageFlagSpecs(""),
    RETRY_FLAG,
    RETRY_DELAY_FLAG,
    { name: "config", kind: "bool", usage: "output configuration" },
    {
      name: "format",
      short: "f",
      kind: "string",
      usage: "Format the output to a Go template",
    },
    {
      name: "no-tags",
      short: "n",
      kind: "bool",
      usage: "Do not list the available tags from the repository in the output",
    },
    {
      name: "raw",
      kind: "bool",
      usage: "output raw manifest or configuration",
    },
  ],
  async run(context: CommandContext): Promise<number> {
    const { flags, args, io, registry, global } = context;
    if (args.length !== 1) {
      throw new UsageError("Exactly one argument expected");
    }
    const name = args[0]!;
    const raw = flagBool(flags, "raw") ?? false;
    const config = flagBool(flags, "config") ?? false;
    const format = flagString(flags, "format");
    if (format !== undefined && raw) {
      throw new UsageError("raw output does not support format option");
    }
    const transportContext = imageContext(flags, "", global, context.logger);
    const signal = global.signal;
    let source: ImageSource;
    try {
      const reference = await registry.parseImageName(name);
      source = adaptSource(
        await reference.openSource({ context: transportContext, signal }),
      );
    } catch (error) {
      throw parsingError(name, error);
    }
    await using _closer = source;

    if (raw && !config) {
      const top = await retrievingManifest(source.getManifest({ signal }));
      io.stdout(new TextDecoder().decode(top.bytes));
      return 0;
    }
    const image = await retrievingManifest(loadImage(source, {
      platform: global.platform,
      signal,
    }));
    const configBytes = await readConfigBlob(source, image, { signal });
    if (config) {
      if (!configBytes) {
        throw new Error("The image has no config blob (Docker schema1)");
      }
      if (raw) {
        io.stdout(new TextDecoder().decode(configBytes));
      } else if (format !== undefined) {
        const { renderConfigTemplate } = await import("./_inspect_template.ts");
        printTemplate(
          io,
          () => renderConfigTemplate(format, toOciConfig(configBytes)),
        );
      } else {
        io.stdout(goJsonIndent(toOciConfig(configBytes)) + "\n");
      }
      return 0;
    }
    const reference = source.reference;
    let repoTags: string[] = [];
    if (
      !(flagBool(flags, "no-tags") ?? false) &&
      reference.transport.name === "docker" && reference.listTags
    ) {
      repoTags = await reference.listTags({
        context: transportContext,
        signal,
      });
    }
    const info = buildInspectInfo({
      ...(reference.dockerReference
        ? { name: repositoryName(reference.dockerReference) }
        : {}),
      manifest: image.manifest,
      topLevelManifest: image.topLevel,
      ...(configBytes ? { configBytes } : {}),
      repoTags,
    });
    if (format !== undefined) {
      const { renderInspectTemplate } = await import("./_inspect_template.ts");
      printTemplate(io, () => renderInspectTemplate(format, info));
      return 0;
    }
    io.stdout(formatInspectJson(info));
    return 0;
  },
};
