/**
 * `skopeo sync [command options] --src TRANSPORT --dest TRANSPORT SOURCE
 * DESTINATION`, with skopeo 1.9.3's flags, naming, log lines and errors.
 * Newer skopeo's `--append-suffix` and `--retry-delay` are accepted too.
 *
 * @module
 */
import { UsageError } from "../core/errors.ts";
import {
  MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
  MEDIA_TYPE_DOCKER_SCHEMA2,
  MEDIA_TYPE_OCI_MANIFEST,
} from "../core/manifest/mod.ts";
import { defaultSyncCacheDir, SyncCache } from "../core/cache/sync_cache.ts";
import type { SyncEvent } from "../core/sync/events.ts";
import { parseTagFilters } from "../core/sync/filters.ts";
import { parseShard } from "../core/sync/shard.ts";
import { syncSummary } from "../core/sync/summary.ts";
import {
  DEFAULT_PARALLEL_IMAGES,
  type SyncDestinationKind,
  syncImages,
  type SyncImagesOptions,
  type SyncResult,
} from "../core/sync/sync_images.ts";
import type { SyncSourceKind } from "../core/sync/plan.ts";
import {
  type Command,
  type CommandContext,
  DisplayUsageError,
  flagBool,
  flagInt,
  flagString,
} from "./_command.ts";
import type { FlagSpec } from "./_flags.ts";
import { goQuote } from "./_go_values.ts";
import {
  imageContext,
  imageFlagSpecs,
  RETRY_DELAY_FLAG,
  RETRY_FLAG,
} from "./_image_flags.ts";
import { type CliIo, formatLogLine } from "./_log.ts";
import { signersFromFlags } from "./_signers.ts";
import { createProgressRenderer, type ProgressRenderer } from "./_progress.ts";

const FORMATS: Readonly<Record<string, string>> = {
  oci: MEDIA_TYPE_OCI_MANIFEST,
  v2s2: MEDIA_TYPE_DOCKER_SCHEMA2,
  v2s1: MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
};

/** skopeo 1.9.3's sync has no daemon or shared-blob-dir flags. */
const sideFlags = (prefix: "src-" | "dest-"): FlagSpec[] =>
  imageFlagSpecs(prefix).filter((f) =>
    !f.name.endsWith("daemon-host") && !f.name.endsWith("shared-blob-dir")
  );

const SYNC_FLAGS: FlagSpec[] = [
  ...sideFlags("src-"),
  ...sideFlags("dest-"),
  {
    name: "authfile",
    kind: "string",
    usage:
      "path of the authentication file. Default is ${XDG_RUNTIME_DIR}/containers/auth.json",
  },
  RETRY_FLAG,
  RETRY_DELAY_FLAG,
  {
    name: "all",
    short: "a",
    kind: "bool",
    usage: "Copy all images if SOURCE-IMAGE is a list",
  },
  {
    name: "append-suffix",
    kind: "string",
    usage: "String to append to destination tags",
  },
  {
    name: "dest",
    short: "d",
    kind: "string",
    usage: "DESTINATION transport type",
  },
  { name: "dry-run", kind: "bool", usage: "Run without actually copying data" },
  {
    name: "format",
    short: "f",
    kind: "string",
    usage:
      "MANIFEST TYPE (oci, v2s1, or v2s2) to use when syncing image(s) to a destination (default is manifest type of source, with fallbacks)",
  },
  {
    name: "keep-going",
    kind: "bool",
    usage: "Do not abort the sync if any image copy fails",
  },
  {
    name: "preserve-digests",
    kind: "bool",
    usage: "Preserve digests of images and lists",
  },
  {
    name: "remove-signatures",
    kind: "bool",
    usage: "Do not copy signatures from SOURCE images",
  },
  {
    name: "scoped",
    kind: "bool",
    usage:
      "Images at DESTINATION are prefix using the full source image path as scope",
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
    name: "sign-passphrase-file",
    kind: "string",
    usage: "File that contains a passphrase for the --sign-by key",
  },
  { name: "src", short: "s", kind: "string", usage: "SOURCE transport type" },
  // skopeo-ts additions (issue #12); docs/sync.md describes them.
  {
    name: "parallel-images",
    kind: "int",
    usage:
      "Copy up to `N` images at once; blob transfers share one limit across them",
    defaultText: String(DEFAULT_PARALLEL_IMAGES),
  },
  {
    name: "include-tag-regex",
    kind: "string",
    usage:
      "Registry sources: sync only tags matching this regular expression (as images-by-tag-regex)",
  },
  {
    name: "exclude-tag-regex",
    kind: "string",
    usage:
      "Registry sources: do not sync tags matching this regular expression",
  },
  {
    name: "include-semver",
    kind: "string",
    usage:
      "Registry sources: sync only tags that are versions in this `RANGE` (as images-by-semver)",
  },
  {
    name: "newer-than",
    kind: "string",
    usage:
      "Registry sources: sync only images whose config was created within `DURATION` (e.g. 720h, 30d)",
  },
  {
    name: "shard",
    kind: "string",
    usage:
      "Sync only shard `I/N` of the image list (0 <= I < N), a stable partition by source reference",
  },
  {
    name: "summary",
    kind: "string",
    usage:
      "Print a machine-readable summary in `FORMAT` (json) as the last line of stdout",
  },
  {
    name: "summary-file",
    kind: "string",
    usage:
      "Write the summary to `PATH` instead of stdout (implies --summary json)",
  },
  {
    name: "no-cache",
    kind: "bool",
    usage:
      "Do not read or write the sync cache ($XDG_CACHE_HOME/skopeo-ts or ~/.cache/skopeo-ts)",
  },
];

/**
 * One logrus line with fields (sorted by key, as logrus prints them).
 * `formatLogLine` has no `error` level, so it is derived from `fatal`.
 */
export function formatSyncLogLine(
  level: "debug" | "info" | "warning" | "error" | "fatal",
  message: string,
  fields: Readonly<Record<string, string>>,
  terminal: boolean,
): string {
  const base = level === "error" ? "fatal" : level;
  let line = formatLogLine(base, message, { terminal }).slice(0, -1);
  if (level === "error") {
    line = terminal
      ? line.replace("FATA", "ERRO")
      : line.replace(" level=fatal ", " level=error ");
  }
  const quote = (value: string) =>
    value === "" || /[^A-Za-z0-9\-._/@^+]/.test(value) ? goQuote(value) : value;
  for (const key of Object.keys(fields).sort()) {
    const value = quote(fields[key]!);
    line += terminal
      ? ` \x1b[${
        level === "error" || level === "fatal"
          ? 31
          : level === "warning"
          ? 33
          : level === "debug"
          ? 37
          : 36
      }m${key}\x1b[0m=${value}`
      : ` ${key}=${value}`;
  }
  return `${line}\n`;
}

const SKIPPED =
  "Getting image source signatures\nSkipping: image already present at destination\n";

/** What skopeo prints for an image the destination already has. */
function skippedLines(instances: readonly string[] | undefined): string {
  if (instances === undefined) return SKIPPED;
  // skopeo (--all) visits each instance, then rewrites the list.
  return [
    "Getting image list signatures\n",
    `Copying ${instances.length} of ${instances.length} images in list\n`,
    ...instances.map((digest, i) =>
      `Copying image ${digest} (${i + 1}/${instances.length})\n${SKIPPED}`
    ),
    "Writing manifest list to image destination\n",
    "Storing list signatures\n",
  ].join("");
}

/** Prints sync events as skopeo does: logrus lines on stderr, copy progress on stdout. */
function syncPrinter(io: CliIo, debug: boolean): (event: SyncEvent) => void {
  let renderer: ProgressRenderer | undefined;
  return (event) => {
    switch (event.type) {
      case "log":
        if (event.level === "debug" && !debug) return;
        io.stderr(
          formatSyncLogLine(
            event.level,
            event.message,
            event.fields,
            io.stderrIsTerminal,
          ),
        );
        return;
      case "image-started":
        renderer = createProgressRenderer({
          write: io.stdout,
          terminal: io.stdoutIsTerminal,
          quiet: false,
        });
        return;
      case "copy":
        renderer?.onEvent(event.event);
        return;
      case "image-skipped":
        io.stdout(skippedLines(event.instances));
        return;
      case "image-finished":
        renderer?.finish();
        renderer = undefined;
        return;
    }
  };
}

/** The `sync` command. */
export const syncCommand: Command = {
  name: "sync",
  description: [
    "Copy all the images from a SOURCE to a DESTINATION.",
    "",
    "Allowed SOURCE transports (specified with --src): docker, dir, yaml, oci.",
    "Allowed DESTINATION transports (specified with --dest): docker, dir, oci.",
    "",
    "See skopeo-sync(1) for details.",
  ].join("\n"),
  usage:
    "skopeo sync [command options] --src TRANSPORT --dest TRANSPORT SOURCE DESTINATION",
  examples:
    "skopeo sync --src docker --dest dir --scoped registry.example.com/busybox /media/usb",
  flags: SYNC_FLAGS,
  async run(context: CommandContext): Promise<number> {
    const { flags, args, io, global, logger } = context;
    if (args.length !== 2) {
      throw new DisplayUsageError("Exactly two arguments expected");
    }
    // Loaded only when needed: the policy modules bring OpenPGP (~60 ms).
    const policy = global.insecurePolicy
      ? undefined
      : await (await import("../core/policy/load_policy.ts")).loadPolicy(
        global.policyPath,
      ).catch((error) => {
        throw new Error(`Error loading trust policy: ${error.message}`, {
          cause: error,
        });
      });
    const source = flagString(flags, "src") ?? "";
    const destination = flagString(flags, "dest") ?? "";
    if (source === "") throw new Error("A source transport must be specified");
    if (!["docker", "dir", "yaml", "oci"].includes(source)) {
      throw new Error(`"${source}" is not a valid source transport`);
    }
    if (destination === "") {
      throw new Error("A destination transport must be specified");
    }
    if (!["docker", "dir", "oci"].includes(destination)) {
      throw new Error(`"${destination}" is not a valid destination transport`);
    }
    if (source === "dir" && destination === "dir") {
      throw new Error(
        "sync from 'dir' to 'dir' not implemented, consider using rsync instead",
      );
    }
    // Keys are read (and passphrases asked for) before anything is copied.
    const signers = await signersFromFlags(flags, io);
    const sourceContext = imageContext(flags, "src-", global, logger);
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
    const started = performance.now();
    const summaryFile = flagString(flags, "summary-file");
    const summary = flagString(flags, "summary") ??
      (summaryFile !== undefined ? "json" : undefined);
    if (summary !== undefined && summary !== "json") {
      throw new UsageError(
        `unknown summary format "${summary}": only "json" is supported`,
      );
    }
    const filters = parseTagFilters({
      includeRegex: flagString(flags, "include-tag-regex"),
      excludeRegex: flagString(flags, "exclude-tag-regex"),
      semver: flagString(flags, "include-semver"),
      newerThan: flagString(flags, "newer-than"),
    });
    const shardText = flagString(flags, "shard");
    const shard = shardText === undefined ? undefined : parseShard(shardText);
    const parallelImages = flagInt(flags, "parallel-images") ??
      DEFAULT_PARALLEL_IMAGES;
    if (parallelImages < 1) {
      throw new UsageError("--parallel-images must be at least 1");
    }
    const onEvent = syncPrinter(io, global.debug);
    const cacheDir = flagBool(flags, "no-cache") || flagBool(flags, "dry-run")
      ? undefined
      : defaultSyncCacheDir(Deno.env);
    const cache = cacheDir === undefined
      ? undefined
      : await SyncCache.load(cacheDir, (text) =>
        onEvent({ type: "log", level: "debug", message: text, fields: {} }));
    const writeSummary = async (
      result: SyncResult | undefined,
      error: unknown,
    ) => {
      if (summary === undefined) return;
      const text = JSON.stringify(syncSummary(result, error, {
        durationMs: performance.now() - started,
        source: { transport: source, name: args[0] },
        destination: { transport: destination, name: args[1] },
        shard: shardText ?? null,
        dryRun: flagBool(flags, "dry-run"),
      })) + "\n";
      if (summaryFile === undefined || summaryFile === "-") {
        io.stdout(text);
        return;
      }
      const temp = `${summaryFile}.${Deno.pid}.tmp`;
      await Deno.writeTextFile(temp, text);
      await Deno.rename(temp, summaryFile);
    };
    const syncOptions: SyncImagesOptions = {
      registry: context.registry,
      sourceKind: source as SyncSourceKind,
      destinationKind: destination as SyncDestinationKind,
      scoped: flagBool(flags, "scoped"),
      appendSuffix: flagString(flags, "append-suffix"),
      dryRun: flagBool(flags, "dry-run"),
      keepGoing: flagBool(flags, "keep-going"),
      sourceContext,
      destinationContext: imageContext(flags, "dest-", global, logger),
      copy: {
        platform: global.platform,
        imageListSelection: flagBool(flags, "all") ? "all" : "system",
        manifestType,
        preserveDigests: flagBool(flags, "preserve-digests"),
        removeSignatures: flagBool(flags, "remove-signatures"),
        signers,
        policy,
      },
      onEvent,
      signal: global.signal,
      parallelImages,
      filters,
      shard,
      cache,
    };
    let result: SyncResult;
    try {
      result = await syncImages(args[0]!, args[1]!, syncOptions);
    } catch (error) {
      // A sync that stopped early carries what it did (`syncResult`).
      await writeSummary(
        (error as { syncResult?: SyncResult }).syncResult,
        error,
      );
      throw error;
    }
    const failed = result.failures.length > 0
      ? new Error(
        "Sync failed due to previous reported error(s) for one or more images",
      )
      : undefined;
    await writeSummary(result, failed);
    if (failed) throw failed;
    return 0;
  },
};
