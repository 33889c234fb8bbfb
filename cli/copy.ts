/**
 * `skopeo copy [command options] SOURCE-IMAGE DESTINATION-IMAGE`.
 *
 * @module
 */
import { copyImage, type ImageListSelection } from "../core/copy/mod.ts";
import { UsageError } from "../core/errors.ts";
import { loadPolicy } from "../core/policy/load_policy.ts";
import {
  MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
  MEDIA_TYPE_DOCKER_SCHEMA2,
  MEDIA_TYPE_OCI_MANIFEST,
} from "../core/manifest/mod.ts";
import {
  formatNamedReference,
  parseNormalizedReference,
} from "../core/signature/docker_reference.ts";
import type { ImageReference, TransportContext } from "../core/transport.ts";
import {
  type Command,
  type CommandContext,
  flagBool,
  flagInt,
  flagList,
  flagString,
} from "./_command.ts";
import type { FlagSpec } from "./_flags.ts";
import {
  imageContext,
  imageFlagSpecs,
  RETRY_DELAY_FLAG,
  RETRY_FLAG,
} from "./_image_flags.ts";
import { createProgressRenderer } from "./_progress.ts";
import { signersFromFlags } from "./_signers.ts";

const FORMATS: Readonly<Record<string, string>> = {
  oci: MEDIA_TYPE_OCI_MANIFEST,
  v2s2: MEDIA_TYPE_DOCKER_SCHEMA2,
  v2s1: MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
};

/** Flags parsed for compatibility whose feature is not built yet. */
const NOT_YET: ReadonlyArray<[string, string]> = [
  ["encryption-key", "image encryption"],
  ["decryption-key", "image encryption"],
  ["encrypt-layer", "image encryption"],
];

const COPY_FLAGS: FlagSpec[] = [
  ...imageFlagSpecs("src-").filter((f) => f.name !== "src-authfile"),
  ...imageFlagSpecs("dest-").filter((f) => f.name !== "dest-authfile"),
  {
    name: "src-authfile",
    kind: "string",
    usage:
      "path of the authentication file. Default is ${XDG_RUNTIME_DIR}/containers/auth.json",
  },
  {
    name: "dest-authfile",
    kind: "string",
    usage:
      "path of the authentication file. Default is ${XDG_RUNTIME_DIR}/containers/auth.json",
  },
  {
    name: "authfile",
    kind: "string",
    usage:
      "path of the authentication file. Default is ${XDG_RUNTIME_DIR}/containers/auth.json",
  },
  RETRY_FLAG,
  RETRY_DELAY_FLAG,
  {
    name: "additional-tag",
    kind: "strings",
    usage: "additional tags (supports docker-archive)",
  },
  {
    name: "all",
    short: "a",
    kind: "bool",
    usage: "Copy all images if SOURCE-IMAGE is a list",
  },
  {
    name: "decryption-key",
    kind: "strings",
    usage: "*Experimental* key needed to decrypt the image",
  },
  {
    name: "dest-compress",
    kind: "bool",
    usage:
      "Compress tarball image layers when saving to directory using the 'dir' transport. (default is same compression type as source)",
  },
  {
    name: "dest-compress-format",
    kind: "string",
    usage: "`FORMAT` to use for the compression",
  },
  {
    name: "dest-compress-level",
    kind: "int",
    usage: "`LEVEL` to use for the compression",
  },
  {
    name: "dest-decompress",
    kind: "bool",
    usage:
      "Decompress tarball image layers when saving to directory using the 'dir' transport. (default is same compression type as source)",
  },
  {
    name: "dest-oci-accept-uncompressed-layers",
    kind: "bool",
    usage:
      "Allow uncompressed image layers when saving to an OCI image using the 'oci' transport. (default is to compress things that aren't compressed)",
  },
  {
    name: "dest-precompute-digests",
    kind: "bool",
    usage:
      "Precompute digests to prevent uploading layers already on the registry using the 'docker' transport.",
  },
  {
    name: "digestfile",
    kind: "string",
    usage: "Write the digest of the pushed image to the specified file",
  },
  {
    name: "encrypt-layer",
    kind: "ints",
    usage:
      "*Experimental* the 0-indexed layer indices, with support for negative indexing (e.g. 0 is the first layer, -1 is the last layer)",
  },
  {
    name: "encryption-key",
    kind: "strings",
    usage:
      "*Experimental* key with the encryption protocol to use needed to encrypt the image (e.g. jwe:/path/to/key.pem)",
  },
  {
    name: "format",
    short: "f",
    kind: "string",
    usage:
      "MANIFEST TYPE (oci, v2s1, or v2s2) to use in the destination (default is manifest type of source, with fallbacks)",
  },
  {
    name: "image-parallel-copies",
    kind: "int",
    usage:
      "Maximum number of image layers to be copied (pulled/pushed) simultaneously. Not setting this field will fall back to containers/image defaults.",
  },
  {
    name: "multi-arch",
    kind: "string",
    usage:
      "How to handle multi-architecture images (system, all, or index-only)",
  },
  {
    name: "preserve-digests",
    kind: "bool",
    usage: "Preserve digests of images and lists",
  },
  {
    name: "quiet",
    short: "q",
    kind: "bool",
    usage: "Suppress output information when copying images",
  },
  {
    name: "remove-signatures",
    kind: "bool",
    usage: "Do not copy signatures from SOURCE-IMAGE",
  },
  {
    name: "sign-by",
    kind: "string",
    usage: "Sign the image using a GPG key with the specified `FINGERPRINT`",
  },
  {
    name: "sign-by-sigstore-private-key",
    kind: "string",
    usage: "Sign the image using a sigstore private key at `PATH`",
  },
  {
    name: "sign-identity",
    kind: "string",
    usage:
      "Identity of signed image, must be a fully specified docker reference. Defaults to the target docker reference.",
  },
  {
    name: "sign-passphrase-file",
    kind: "string",
    usage: "Read a passphrase for signing an image from `PATH`",
  },
];

/**
 * Reads `--sign-identity`, which must be canonical (`docker.io/library/x:t`,
 * not `x:t`), as skopeo's `reference.ParseNamed` requires.
 */
function signIdentity(flags: CommandContext["flags"]): string | undefined {
  const text = flagString(flags, "sign-identity");
  if (text === undefined) return undefined;
  let canonical: string;
  try {
    canonical = formatNamedReference(parseNormalizedReference(text));
  } catch (error) {
    throw new Error(
      `Could not parse --sign-identity: ${(error as Error).message}`,
    );
  }
  if (canonical !== text) {
    throw new Error(
      "Could not parse --sign-identity: repository name must be canonical",
    );
  }
  return text;
}

/** Reads `--dest-compress-format`, refusing unknown algorithms. */
function compressionFormat(
  flags: CommandContext["flags"],
): string | undefined {
  const format = flagString(flags, "dest-compress-format");
  if (format === undefined) return undefined;
  if (format !== "gzip" && format !== "zstd") {
    throw new UsageError(`unknown compression algorithm ${format}`);
  }
  return format;
}

/** Adds the `dir`/`oci` destination settings the compression flags set. */
function withCompressionSettings(
  context: TransportContext,
  flags: CommandContext["flags"],
): TransportContext {
  const compress = flagBool(flags, "dest-compress") ?? false;
  const decompress = flagBool(flags, "dest-decompress") ?? false;
  if (compress && decompress) {
    throw new UsageError(
      "--dest-compress and --dest-decompress cannot be used together",
    );
  }
  const settings = { ...context.settings };
  settings.dir = { forceCompress: compress, forceDecompress: decompress };
  settings.oci = {
    ...settings.oci,
    acceptUncompressedLayers:
      flagBool(flags, "dest-oci-accept-uncompressed-layers") ?? false,
  };
  return { ...context, settings };
}

/** `--additional-tag` for docker-archive destinations (others ignore it, as skopeo's do). */
function withArchiveSettings(
  context: TransportContext,
  additionalTags: string[],
): TransportContext {
  if (additionalTags.length === 0) return context;
  return {
    ...context,
    settings: {
      ...context.settings,
      "docker-archive": { additionalTags },
    },
  };
}

/** Reads `--all` / `--multi-arch` into a list selection. */
export function listSelection(
  all: boolean | undefined,
  multiArch: string | undefined,
): ImageListSelection {
  if (multiArch === undefined) return all ? "all" : "system";
  if (all) {
    throw new UsageError("Cannot use --all and --multi-arch flags together");
  }
  if (
    multiArch === "system" || multiArch === "all" || multiArch === "index-only"
  ) {
    return multiArch;
  }
  throw new UsageError(
    `unknown multi-arch option "${multiArch}". Choose one of the supported options: 'system', 'all', or 'index-only'`,
  );
}

async function parseName(
  context: CommandContext,
  name: string,
  side: "source" | "destination",
): Promise<ImageReference> {
  try {
    return await context.registry.parseImageName(name);
  } catch (error) {
    const wrapped = new Error(
      `Invalid ${side} name ${name}: ${(error as Error).message}`,
      { cause: error },
    );
    wrapped.name = (error as Error).name;
    throw wrapped;
  }
}

/** The `copy` command. */
export const copyCommand: Command = {
  name: "copy",
  description: [
    'Container "IMAGE-NAME" uses a "transport":"details" format.',
    "",
    "Supported transports:",
    "%TRANSPORTS%",
    "",
    'See skopeo(1) section "IMAGE NAMES" for the expected format',
  ].join("\n"),
  usage: "skopeo copy [command options] SOURCE-IMAGE DESTINATION-IMAGE",
  examples:
    "skopeo copy docker://quay.io/skopeo/stable:latest docker://registry.example.com/skopeo:latest",
  flags: COPY_FLAGS,
  async run(context: CommandContext): Promise<number> {
    const { flags, args, io, global, logger } = context;
    if (args.length !== 2) {
      throw new UsageError("Exactly two arguments expected");
    }
    for (const [name, feature] of NOT_YET) {
      if (flags.has(name)) {
        throw new UsageError(
          `--${name} is not supported yet: ${feature} has not landed in skopeo-ts`,
        );
      }
    }
    const source = await parseName(context, args[0]!, "source");
    const destination = await parseName(context, args[1]!, "destination");
    const formatName = flagString(flags, "format");
    let manifestType: string | undefined;
    if (formatName !== undefined) {
      manifestType = FORMATS[formatName];
      if (!manifestType) {
        throw new UsageError(
          `unknown format "${formatName}". Choose one of the supported formats: 'oci', 'v2s1', or 'v2s2'`,
        );
      }
    }
    const selection = listSelection(
      flagBool(flags, "all"),
      flagString(flags, "multi-arch"),
    );
    const additionalTags = flagList(flags, "additional-tag");
    const policy = global.insecurePolicy
      ? undefined
      : await loadPolicy(global.policyPath).catch((error) => {
        throw new Error(`Error loading trust policy: ${error.message}`, {
          cause: error,
        });
      });
    const identity = signIdentity(flags);
    const parallel = flags.get("image-parallel-copies");
    const renderer = createProgressRenderer({
      write: io.stdout,
      terminal: io.stdoutIsTerminal,
      quiet: flagBool(flags, "quiet") ?? false,
    });
    let result;
    try {
      result = await copyImage(source, destination, {
        sourceContext: imageContext(flags, "src-", global, logger),
        destinationContext: withArchiveSettings(
          withCompressionSettings(
            imageContext(flags, "dest-", global, logger),
            flags,
          ),
          additionalTags,
        ),
        compressionFormat: compressionFormat(flags),
        compressionLevel: flagInt(flags, "dest-compress-level"),
        platform: global.platform,
        imageListSelection: selection,
        manifestType,
        preserveDigests: flagBool(flags, "preserve-digests"),
        removeSignatures: flagBool(flags, "remove-signatures"),
        policy,
        signers: await signersFromFlags(flags, io),
        signIdentity: identity,
        maxParallelBlobs: typeof parallel === "number" && parallel > 0
          ? parallel
          : undefined,
        onEvent: renderer.onEvent,
        signal: global.signal,
      });
    } finally {
      renderer.finish();
    }
    const digestFile = flagString(flags, "digestfile");
    if (digestFile !== undefined) {
      await Deno.writeTextFile(digestFile, result.digest);
    }
    return 0;
  },
};
