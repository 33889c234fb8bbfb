/**
 * Tag filters of `sync --include-tag-regex/--exclude-tag-regex/
 * --include-semver/--newer-than` for registry sources. They combine (a tag
 * must pass every filter given) and the regular expressions and semver
 * ranges mean what the YAML keys `images-by-tag-regex` and
 * `images-by-semver` mean: unanchored matching, Masterminds-style ranges.
 *
 * @module
 */
import { verifyBytes } from "../digest.ts";
import { UsageError } from "../errors.ts";
import {
  choosePlatformInstance,
  parseImageConfig,
  parseManifest,
} from "../manifest/mod.ts";
import type { ImageReference, TransportContext } from "../transport.ts";
import type { Platform } from "../types.ts";
import { filterTagsBySemVer, parseSemVerRange } from "./semver.ts";

/** The command-line tag filters; each one given must pass. */
export interface TagFilters {
  /** Keep tags matching (unanchored, like the YAML key). */
  includeRegex?: RegExp | undefined;
  /** Drop tags matching. */
  excludeRegex?: RegExp | undefined;
  /** Keep tags that are versions within this range. */
  semver?: string | undefined;
  /** Keep images whose config `created` is at most this many ms old. */
  newerThanMs?: number | undefined;
}

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses a duration as Go's `time.ParseDuration` writes them (`90m`,
 * `1h30m`, `1.5h`), plus days and weeks (`30d`, `2w`).
 *
 * @example
 * ```ts
 * import { parseSyncDuration } from "./filters.ts";
 * console.assert(parseSyncDuration("1h30m") === 5_400_000);
 * console.assert(parseSyncDuration("2d") === 172_800_000);
 * ```
 *
 * @param text The duration.
 * @returns Milliseconds.
 * @throws {UsageError} When it is not a positive duration.
 */
export function parseSyncDuration(text: string): number {
  const part = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ms|s|m|h|d|w)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const match = part.exec(text);
    if (!match) break;
    total += Number(match[1]) * UNITS[match[2]!]!;
    at = part.lastIndex;
  }
  if (text === "" || at !== text.length || !(total > 0)) {
    throw new UsageError(
      `invalid duration "${text}": use a number with a unit (ms, s, m, h, d, w), e.g. 720h or 30d`,
    );
  }
  return total;
}

/**
 * Builds the filters from the flags' texts, checking them before any
 * request.
 *
 * @throws {UsageError} On an invalid expression, range or duration.
 */
export function parseTagFilters(texts: {
  includeRegex?: string | undefined;
  excludeRegex?: string | undefined;
  semver?: string | undefined;
  newerThan?: string | undefined;
}): TagFilters {
  const regex = (flag: string, source: string | undefined) => {
    if (source === undefined) return undefined;
    try {
      return new RegExp(source);
    } catch (error) {
      throw new UsageError(
        `invalid --${flag} ${JSON.stringify(source)}: ${
          (error as Error).message
        }`,
      );
    }
  };
  const filters: TagFilters = {
    includeRegex: regex("include-tag-regex", texts.includeRegex),
    excludeRegex: regex("exclude-tag-regex", texts.excludeRegex),
    semver: texts.semver,
    newerThanMs: undefined,
  };
  if (texts.newerThan !== undefined) {
    try {
      filters.newerThanMs = parseSyncDuration(texts.newerThan);
    } catch (error) {
      throw new UsageError(`--newer-than: ${(error as Error).message}`);
    }
  }
  if (texts.semver !== undefined) {
    try {
      parseSemVerRange(texts.semver);
    } catch (error) {
      throw new UsageError(
        `invalid --include-semver ${JSON.stringify(texts.semver)}: ${
          (error as Error).message
        }`,
      );
    }
  }
  return filters;
}

/** Whether any filter is set. */
export function hasTagFilters(filters: TagFilters | undefined): boolean {
  return filters !== undefined &&
    (filters.includeRegex ?? filters.excludeRegex ?? filters.semver ??
        filters.newerThanMs) !== undefined;
}

/**
 * Applies the name filters (regexes, semver), keeping the order given.
 *
 * @example
 * ```ts
 * import { filterTagNames } from "./filters.ts";
 * const kept = filterTagNames(["1.0.0", "1.2.0", "2.0.0", "latest"], {
 *   semver: ">=1.1 <2",
 * });
 * console.assert(kept.join() === "1.2.0");
 * ```
 */
export function filterTagNames(
  tags: readonly string[],
  filters: TagFilters,
): string[] {
  let kept = tags.filter((tag) =>
    (filters.includeRegex?.test(tag) ?? true) &&
    !(filters.excludeRegex?.test(tag) ?? false)
  );
  if (filters.semver !== undefined) {
    kept = filterTagsBySemVer(kept, filters.semver);
  }
  return kept;
}

/**
 * The `created` time of an image's config (for a list, of the instance
 * this platform would copy); undefined when the image has none.
 */
export async function imageCreated(
  reference: ImageReference,
  options: {
    context?: TransportContext | undefined;
    platform?: Partial<Platform> | undefined;
    signal?: AbortSignal | undefined;
  },
): Promise<Date | undefined> {
  const { signal } = options;
  await using source = await reference.openSource({
    context: options.context,
    signal,
  });
  let manifest = await source.getManifest({ signal });
  let parsed = parseManifest(manifest);
  if (parsed.kind === "list") {
    const chosen = choosePlatformInstance(parsed, options.platform ?? {});
    manifest = await source.getManifest({ instance: chosen.digest, signal });
    verifyBytes(manifest.bytes, chosen.digest, `manifest ${chosen.digest}`);
    parsed = parseManifest(manifest);
  }
  if (parsed.kind !== "image") return undefined;
  let bytes: Uint8Array;
  const config = parsed.config;
  if (config) {
    const blob = await source.getBlob(config, { signal });
    bytes = new Uint8Array(await new Response(blob.stream).arrayBuffer());
    verifyBytes(bytes, config.digest, `config ${config.digest}`);
  } else {
    // schema1: the newest history entry carries the image's config.
    const v1 = (JSON.parse(new TextDecoder().decode(manifest.bytes)) as {
      history?: { v1Compatibility?: string }[];
    }).history?.[0]?.v1Compatibility;
    if (v1 === undefined) return undefined;
    bytes = new TextEncoder().encode(v1);
  }
  const created = parseImageConfig(bytes).created;
  return created === undefined ? undefined : new Date(created);
}
