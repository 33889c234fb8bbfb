/**
 * `skopeo inspect [--raw] [--config] IMAGE-NAME`.
 *
 * @module
 */
import { adaptSource } from "../core/_adapt.ts";
import { verifyBytes } from "../core/digest.ts";
import { UsageError } from "../core/errors.ts";
import { buildInspectInfo, formatInspectJson } from "../core/image/inspect.ts";
import { goJsonIndent, toOciConfig } from "../core/image/oci_config_json.ts";
import {
  choosePlatformInstance,
  effectiveMediaType,
  parseManifest,
} from "../core/manifest/mod.ts";
import type { ImageSource } from "../core/transport.ts";
import type { ManifestBlob } from "../core/types.ts";
import { type Command, type CommandContext, flagBool, flagString } from "./_command.ts";
import { imageContext, imageFlagSpecs, RETRY_FLAG } from "./_image_flags.ts";
import { readStreamBytes } from "./_read_stream.ts";

/** Wraps errors of opening the image as skopeo words them. */
function parsingError(name: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const wrapped = new Error(`Error parsing image name "${name}": ${message}`, {
    cause: error,
  });
  if (error instanceof Error) wrapped.name = error.name;
  return wrapped;
}

async function readManifestOf(
  source: ImageSource,
  instance?: ManifestBlob & { digest?: string },
): Promise<ManifestBlob> {
  const blob = await source.getManifest();
  return instance ?? { bytes: blob.bytes, mediaType: effectiveMediaType(blob) };
}

/** The `inspect` command. */
export const inspectCommand: Command = {
  name: "inspect",
  summary: "Inspect image IMAGE-NAME",
  description:
    'Return low-level information about "IMAGE-NAME" in a registry/transport',
  usage: "skopeo inspect [command options] IMAGE-NAME",
  examples: [
    "skopeo inspect docker://registry.fedoraproject.org/fedora",
    "  skopeo inspect --config docker://docker.io/alpine",
    '  skopeo inspect  --format "Name: {{.Name}} Digest: {{.Digest}}" docker://registry.access.redhat.com/ubi8',
  ].join("\n"),
  flags: [
    ...imageFlagSpecs(""),
    RETRY_FLAG,
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
      usage:
        "Do not list the available tags from the repository in the output",
    },
    { name: "raw", kind: "bool", usage: "output raw manifest or configuration" },
  ],
  async run(context: CommandContext): Promise<number> {
    const { flags, args, io, registry, global } = context;
    if (args.length !== 1) throw new UsageError("Exactly one argument expected");
    const name = args[0]!;
    const raw = flagBool(flags, "raw") ?? false;
    const config = flagBool(flags, "config") ?? false;
    const format = flagString(flags, "format");
    if (format !== undefined && (raw || config)) {
      throw new UsageError("--format cannot be used with --raw or --config");
    }
    const transportContext = imageContext(flags, "", global, context.logger);
    let source: ImageSource;
    try {
      const reference = await registry.parseImageName(name);
      source = adaptSource(
        await reference.openSource({
          context: transportContext,
          signal: global.signal,
        }),
      );
    } catch (error) {
      throw parsingError(name, error);
    }
    await using _closer = source;

    const top = await readManifestOf(source);
    if (raw && !config) {
      io.stdout(new TextDecoder().decode(top.bytes));
      return 0;
    }
    let manifest = top;
    let parsed = parseManifest(top);
    if (parsed.kind === "list") {
      const chosen = choosePlatformInstance(parsed, global.platform);
      const blob = await source.getManifest({
        instance: chosen.digest,
        signal: global.signal,
      });
      verifyBytes(blob.bytes, chosen.digest, `manifest ${chosen.digest}`);
      manifest = { bytes: blob.bytes, mediaType: effectiveMediaType(blob) };
      parsed = parseManifest(manifest);
    }
    if (parsed.kind !== "image") throw new Error("Nested manifest lists");

    let configBytes: Uint8Array | undefined;
    if (parsed.config) {
      const blob = await source.getBlob(parsed.config, {
        signal: global.signal,
      });
      configBytes = await readStreamBytes(blob.stream, 4 << 20);
      verifyBytes(configBytes, parsed.config.digest, `config blob ${parsed.config.digest}`);
    }
    if (config) {
      if (!configBytes) {
        throw new Error("The image has no config blob (Docker schema1)");
      }
      if (raw) io.stdout(new TextDecoder().decode(configBytes));
      else io.stdout(goJsonIndent(toOciConfig(configBytes)) + "\n");
      return 0;
    }
    const reference = source.reference;
    let repoTags: string[] = [];
    const noTags = flagBool(flags, "no-tags") ?? false;
    if (!noTags && reference.dockerReference && reference.listTags) {
      repoTags = await reference.listTags({
        context: transportContext,
        signal: global.signal,
      });
    }
    const info = buildInspectInfo({
      ...(reference.dockerReference
        ? { name: reference.dockerReference.replace(/[:@].*$/, "") }
        : {}),
      manifest,
      topLevelManifest: top,
      ...(configBytes ? { configBytes } : {}),
      repoTags,
    });
    if (format !== undefined) {
      const { renderInspectTemplate } = await import("./_inspect_template.ts");
      io.stdout(renderInspectTemplate(format, info));
      return 0;
    }
    io.stdout(formatInspectJson(info));
    return 0;
  },
};
