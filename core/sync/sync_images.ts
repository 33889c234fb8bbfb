/**
 * `syncImages`: copies every image a sync SOURCE names to DESTINATION, as
 * `skopeo sync` does, with two speed-ups that change no result: images are
 * copied several at a time (their events still arrive in image order), and
 * an image whose manifest digest the destination already has is skipped
 * after one manifest request (`ImageReference.getManifestDigest`).
 *
 * @module
 */
import { Limiter } from "../_limiter.ts";
import { RepositoryNotFoundError } from "../errors.ts";
import { type SyncCache, syncCacheKey } from "../cache/sync_cache.ts";
import type { CopyOptions } from "../copy/options.ts";
import {
  choosePlatformInstance,
  effectiveMediaType,
  manifestDigest,
  parseManifest,
} from "../manifest/mod.ts";
import { formatImageName, type TransportRegistry } from "../registry.ts";
import type {
  ImageReference,
  ImageSource,
  SignalOptions,
  TransportContext,
} from "../transport.ts";
import type { Digest } from "../types.ts";
import type { SyncEvent, SyncEventHandler } from "./events.ts";
import type { TagFilters } from "./filters.ts";
import { destinationName, goClean } from "./naming.ts";
import {
  expandSource,
  type SyncRepository,
  type SyncSourceKind,
} from "./plan.ts";
import { type Shard, shardOf } from "./shard.ts";
import {
  type PreopenedReference,
  rememberingSignatures,
  withOpenedSource,
} from "./opened_source.ts";
import { SharedBlobs, type SharedBlobStats } from "./shared_blobs.ts";

/** Where sync writes (`--dest`). */
export type SyncDestinationKind = "docker" | "dir" | "oci";

/**
 * Blob transfers open at once across all images of a sync (one global
 * limit, whatever `parallelImages` is).
 */
export const DEFAULT_SYNC_BLOB_TRANSFERS = 8;

/**
 * Images copied at once by default (`--parallel-images`). Measured on this
 * 2-core machine (bench source: 40 tags in 4 repositories sharing a 19 MB
 * image's layers, loopback registry, heavily loaded: load average 5–8),
 * median of 3, registry→registry / registry→dir: 1 image 7.7 s / 2.9 s,
 * 2: 5.7 / 2.3, 4: 4.7 / 2.3, 8: 7.2 / 2.3 s. Beyond 4 nothing is gained:
 * blob transfers share one limit ({@linkcode DEFAULT_SYNC_BLOB_TRANSFERS})
 * and two cores are busy hashing and moving bytes.
 */
export const DEFAULT_PARALLEL_IMAGES = 4;

/** Presence checks (manifest requests) in flight at once. */
const CHECKS_AT_ONCE = 16;

/** Options of {@linkcode syncImages}. */
export interface SyncImagesOptions extends SignalOptions {
  /** Transports. */
  registry: TransportRegistry;
  /** `--src`: how to read SOURCE. */
  sourceKind: SyncSourceKind;
  /** `--dest`: how to write DESTINATION. */
  destinationKind: SyncDestinationKind;
  /** `--scoped`. */
  scoped?: boolean | undefined;
  /** `--append-suffix`. */
  appendSuffix?: string | undefined;
  /** `--dry-run`: list, name (and, like skopeo, create `dir` destinations) only. */
  dryRun?: boolean | undefined;
  /** `--keep-going`: report failures and go on. */
  keepGoing?: boolean | undefined;
  /** Images copied at once; default {@linkcode DEFAULT_PARALLEL_IMAGES}. */
  parallelImages?: number | undefined;
  /** Source settings; YAML registries override TLS and credentials. */
  sourceContext?: TransportContext | undefined;
  /** Destination settings. */
  destinationContext?: TransportContext | undefined;
  /** Copy options (format, signatures, policy, list selection…). */
  copy?:
    | Omit<
      CopyOptions,
      "sourceContext" | "destinationContext" | "onEvent" | "signal"
    >
    | undefined;
  /** Receives log lines and progress, in image order. */
  onEvent?: SyncEventHandler | undefined;
  /** Blob transfers open at once across images; default {@linkcode DEFAULT_SYNC_BLOB_TRANSFERS}. */
  blobTransfers?: number | undefined;
  /** Command-line tag filters for registry sources. */
  filters?: TagFilters | undefined;
  /** Copy only this part of the image list. */
  shard?: Shard | undefined;
  /** The persisted cache; none: every image is checked as skopeo does. */
  cache?: SyncCache | undefined;
}

/** What happened to one image. */
export interface SyncImageRecord {
  /** `transport:reference` of the source. */
  source: string;
  /** `transport:reference` of the destination. */
  destination: string;
  /** `copied`, `skipped` (already present), `failed`, or `planned` (dry run). */
  status: "copied" | "skipped" | "failed" | "planned";
  /** Why it was skipped or failed. */
  reason?: string | undefined;
  /** The manifest digest at the destination, when known. */
  digest?: Digest | undefined;
  /** Blob bytes written to the destination for this image. */
  bytes: number;
}

/** One image that could not be copied (with `keepGoing`). */
export interface SyncFailure {
  /** `transport:reference` of the source image. */
  source: string;
  /** Why. */
  error: unknown;
}

/** What {@linkcode syncImages} did. */
export interface SyncResult {
  /** Images synced (copied or already present), or listed in a dry run. */
  images: number;
  /** Of those, images the destination already had. */
  skipped: number;
  /** Source repositories (skopeo's "sources"). */
  sources: number;
  /** Failures, with `keepGoing`; without it the first failure throws. */
  failures: SyncFailure[];
  /** Every image handled (in a dry run: planned), in image order. */
  records: SyncImageRecord[];
  /** Blob bytes written to destinations. */
  bytes: number;
  /** What sharing blobs between the run's images saved. */
  blobs: SharedBlobStats;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** skopeo's destinationReference: `dir` destinations must not exist yet. */
async function openDestinationName(
  registry: TransportRegistry,
  kind: SyncDestinationKind,
  name: string,
): Promise<ImageReference> {
  if (kind === "dir") {
    let exists = true;
    try {
      await Deno.lstat(name);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw new Error(
          `Destination directory could not be used: ${message(error)}`,
          { cause: error },
        );
      }
      exists = false;
    }
    if (exists) {
      throw new Error(
        `Refusing to overwrite destination directory ${JSON.stringify(name)}`,
      );
    }
    await Deno.mkdir(name, { recursive: true });
  }
  const text = kind === "docker" ? `//${name}` : name;
  if (kind === "oci" && name.slice(0, name.indexOf(":")).length === 0) {
    throw new Error(`Invalid OCI destination ${JSON.stringify(name)}`);
  }
  try {
    return await registry.parseImageName(`${kind}:${text}`);
  } catch (error) {
    throw new Error(
      `Cannot obtain a valid image reference for transport "${kind}" and reference "${text}": ${
        message(error)
      }`,
      { cause: error },
    );
  }
}

/** What {@linkcode checkPresence} found. */
interface Presence {
  /** Already at the destination (with a list's instances for `--all`). */
  present: false | { instances: Digest[] | undefined; digest: Digest };
  /** The source's top-level digest, when read and worth caching. */
  sourceDigest?: Digest | undefined;
  /** The source, opened when not present: the copy takes it. */
  opened?: PreopenedReference | undefined;
  /**
   * `false` when skipped on the cache's word alone: the entry keeps its
   * time, so the destination's manifest is read again when it expires.
   */
  confirmed?: boolean | undefined;
}

/**
 * How long a cache entry spares the destination's manifest request: within
 * it, an unchanged source whose tag the destination repository still lists
 * is skipped after one source request (plus one tag list per repository);
 * after it, the destination's manifest is read again and the entry renewed.
 */
const CACHE_TRUST_MS = 24 * 60 * 60_000;

/** Tag lists of destination repositories, one request each per run. */
type DestinationTags = (
  destination: ImageReference,
) => Promise<Set<string> | undefined>;

/** The tag of a reference's `name:tag` text; none for digests. */
function tagOf(reference: ImageReference): string | undefined {
  const text = reference.dockerReference;
  if (text === undefined || text.includes("@")) return undefined;
  const colon = text.lastIndexOf(":");
  return colon > text.lastIndexOf("/") ? text.slice(colon + 1) : undefined;
}

/** The copy options that change what is written, for cache keys. */
function cacheOptions(options: SyncImagesOptions): Record<string, unknown> {
  const copy = options.copy ?? {};
  return {
    list: copy.imageListSelection ?? "system",
    platform: copy.platform ?? {},
    format: copy.manifestType,
    preserveDigests: copy.preserveDigests ?? false,
    removeSignatures: copy.removeSignatures ?? false,
    compression: [copy.compressionFormat, copy.compressionLevel],
  };
}

/**
 * Whether the destination already holds exactly what a copy would write:
 * the same manifest digest, with no conversion or signatures pending (as
 * containers/image's OptimizeDestinationImageAlreadyExists decides), or
 * what the cache says this source digest became, still there.
 */
async function checkPresence(
  source: ImageReference,
  destination: ImageReference,
  options: SyncImagesOptions,
  sourceContext: TransportContext | undefined,
  signal: AbortSignal,
  cacheKey: string | undefined,
  destinationTags: DestinationTags,
): Promise<Presence> {
  if (!destination.getManifestDigest) return { present: false };
  const copy = options.copy ?? {};
  // New signatures are to be written: copy, as containers/image does.
  if (copy.signers?.length) return { present: false };
  if (copy.policy) {
    // Loaded only with a policy: its modules bring OpenPGP.
    const { checkPolicy } = await import("../policy/policy.ts");
    try {
      checkPolicy(copy.policy, source);
    } catch {
      return { present: false }; // let the copy report the rejection
    }
  }
  const entry = cacheKey === undefined
    ? undefined
    : options.cache?.get(cacheKey);
  const tag = tagOf(destination);
  if (
    entry && source.getManifestDigest && tag !== undefined &&
    Date.now() - entry.time < CACHE_TRUST_MS
  ) {
    // Recently confirmed: the source's digest and the destination's tag
    // list (shared by the repository's images) are enough.
    const [now, tags] = await Promise.all([
      source.getManifestDigest({ context: sourceContext, signal })
        .catch(() => undefined),
      destinationTags(destination),
    ]);
    if (now === entry.source && tags?.has(tag)) {
      return {
        present: { instances: undefined, digest: entry.destination },
        sourceDigest: now,
        confirmed: false,
      };
    }
  }
  // A tag the destination repository does not list (a first sync) needs
  // no manifest request; the list is one request for the repository.
  const listed = tag === undefined
    ? undefined
    : await destinationTags(destination);
  // Ask the destination while the source is read: both are round trips.
  const present = listed !== undefined && !listed.has(tag!)
    ? Promise.resolve(undefined)
    : destination.getManifestDigest({
      context: options.destinationContext,
      signal,
    }).catch(() => undefined); // unknown: copy, as skopeo does
  if (entry && source.getManifestDigest) {
    // Trusted only when both sides still show the recorded manifests.
    const now = await source.getManifestDigest({
      context: sourceContext,
      signal,
    }).catch(() => undefined);
    if (now === entry.source && (await present) === entry.destination) {
      return {
        present: { instances: undefined, digest: entry.destination },
        sourceDigest: now,
      };
    }
  }
  let sourceInfo: { digest: string; mediaType: string; signed: boolean };
  let instances: Digest[] | undefined;
  let topDigest: Digest;
  let opened: ImageSource | undefined;
  try {
    opened = rememberingSignatures(
      await source.openSource({ context: sourceContext, signal }),
    );
    const manifest = await opened.getManifest({ signal });
    topDigest = manifestDigest(manifest);
    sourceInfo = {
      digest: topDigest,
      mediaType: effectiveMediaType(manifest),
      signed: false,
    };
    const parsed = parseManifest(manifest);
    const selection = copy.imageListSelection ?? "system";
    if (parsed.kind === "list" && selection === "system") {
      const instance = choosePlatformInstance(parsed, copy.platform ?? {});
      sourceInfo.digest = instance.digest;
      sourceInfo.mediaType = instance.mediaType;
    } else if (parsed.kind === "list" && selection === "all") {
      instances = parsed.manifests.map((d) => d.digest);
    }
    if (!copy.removeSignatures && opened.getSignatures) {
      sourceInfo.signed = (await opened.getSignatures({ signal })).length > 0;
    }
  } catch {
    await opened?.close().catch(() => {});
    // The copy reads the source again and reports the failure in its words.
    return { present: false };
  }
  const keep = withOpenedSource(source, opened);
  const { digest, mediaType, signed } = sourceInfo;
  // Signatures may change without the manifest: never cache those images.
  const sourceDigest = signed || instances ? undefined : topDigest;
  if (signed) return { present: false, opened: keep };
  if (copy.manifestType !== undefined && copy.manifestType !== mediaType) {
    return { present: false, sourceDigest, opened: keep };
  }
  if ((await present) !== digest) {
    return { present: false, sourceDigest, opened: keep };
  }
  await keep.release();
  return { present: { instances, digest: digest as Digest }, sourceDigest };
}

/** Delivers each image's events in image order while images run in parallel. */
class OrderedEvents {
  readonly #handler: SyncEventHandler | undefined;
  readonly #buffers = new Map<number, SyncEvent[]>();
  readonly #done = new Set<number>();
  #head = 0;
  #last = Infinity;

  constructor(handler: SyncEventHandler | undefined) {
    this.#handler = handler;
  }

  emit(slot: number, event: SyncEvent): void {
    if (slot > this.#last) return;
    if (slot === this.#head) {
      this.#handler?.(event);
      return;
    }
    let buffer = this.#buffers.get(slot);
    if (!buffer) this.#buffers.set(slot, buffer = []);
    buffer.push(event);
  }

  /** Marks a slot complete and flushes the ones now at the head. */
  finish(slot: number): void {
    this.#done.add(slot);
    while (this.#done.has(this.#head)) {
      this.#done.delete(this.#head);
      this.#head++;
      if (this.#head > this.#last) return;
      for (const event of this.#buffers.get(this.#head) ?? []) {
        this.#handler?.(event);
      }
      this.#buffers.delete(this.#head);
    }
  }

  /** Drops every slot after `slot` (images abandoned after a failure). */
  stopAfter(slot: number): void {
    this.#last = Math.min(this.#last, slot);
    for (const key of [...this.#buffers.keys()]) {
      if (key > this.#last) this.#buffers.delete(key);
    }
  }
}

/**
 * Copies every image SOURCE names to DESTINATION, as `skopeo sync` does.
 *
 * @example Mirror every tag of a repository into directories
 * ```ts ignore
 * import { createTransportRegistry, syncImages } from "../../mod.ts";
 * const result = await syncImages("registry.example.com/busybox", "/media/usb", {
 *   registry: createTransportRegistry(),
 *   sourceKind: "docker",
 *   destinationKind: "dir",
 * });
 * console.log(`${result.images} images from ${result.sources} sources`);
 * ```
 *
 * @param source A repository or image (`docker`), a directory (`dir`) or a
 *   YAML file (`yaml`).
 * @param destination A registry path (`docker`) or a directory (`dir`).
 * @param options Kinds, naming, copy options, events.
 * @returns Counts, and the failures when `keepGoing`.
 * @throws {Error} With skopeo's messages: an unusable source or
 *   destination, or (without `keepGoing`) the first failed copy.
 */
export async function syncImages(
  source: string,
  destination: string,
  options: SyncImagesOptions,
): Promise<SyncResult> {
  if (options.sourceKind === "dir" && options.destinationKind === "dir") {
    throw new Error(
      "sync from 'dir' to 'dir' not implemented, consider using rsync instead",
    );
  }
  if (options.sourceKind === "oci" && options.destinationKind === "oci") {
    throw new Error(
      "sync from 'oci' to 'oci' not implemented, consider using skopeo copy or rsync instead",
    );
  }
  if (options.destinationKind === "oci" && destination.includes(":")) {
    throw new Error(`OCI layout path "${destination}" must not contain ":"`);
  }
  const onEvent = options.onEvent;
  let repositories = await expandSource(options.sourceKind, source, {
    registry: options.registry,
    context: options.sourceContext,
    onEvent,
    signal: options.signal,
    filters: options.filters,
    platform: options.copy?.platform,
  });
  if (options.shard) repositories = selectShard(repositories, options.shard);
  const log = (
    level: "info" | "warning" | "error",
    text: string,
    fields: Record<string, string> = {},
  ): SyncEvent => ({ type: "log", level, message: text, fields });
  if (options.dryRun) onEvent?.(log("warning", "Running in dry-run mode"));

  const ordered = new OrderedEvents(onEvent);
  const limit = Math.max(1, options.parallelImages ?? DEFAULT_PARALLEL_IMAGES);
  // Images scheduled ahead (checks run, copies queue): bounds memory.
  const window = Math.max(64, limit * 4);
  const running = new Map<number, Promise<void>>();
  const controllers = new Map<number, AbortController>();
  const failed = new Map<number, unknown>();
  const shared = new SharedBlobs();
  const blobLimiter = new Limiter(
    options.blobTransfers ?? DEFAULT_SYNC_BLOB_TRANSFERS,
  );
  const records = new Map<number, SyncImageRecord>();
  const result: SyncResult = {
    images: 0,
    skipped: 0,
    sources: repositories.length,
    failures: [],
    records: [],
    bytes: 0,
    blobs: shared.stats,
  };
  const keyOptions = options.cache ? cacheOptions(options) : {};
  let stopAt = Infinity; // the first failed slot, without keepGoing
  let fatal: unknown;
  let slot = 0;
  const gates = new Map<string, Promise<void>>();

  // Presence checks are a few small requests each: many run at once, ahead
  // of the copies, which are bounded by `parallelImages`.
  const checkLimiter = new Limiter(Math.max(CHECKS_AT_ONCE, limit));
  const tagLists = new Map<string, Promise<Set<string> | undefined>>();
  const destinationTags: DestinationTags = (to) => {
    const key = repositoryOf(to);
    let list = tagLists.get(key);
    if (list === undefined) {
      list = (to.listTags?.({
        context: options.destinationContext,
        signal: options.signal,
      }) ?? Promise.resolve(undefined)).then(
        (tags) => tags && new Set(tags),
        // A repository not there yet has no tags; any other failure says
        // nothing, and every image is then checked fully.
        (error) =>
          error instanceof RepositoryNotFoundError ? new Set() : undefined,
      );
      tagLists.set(key, list);
    }
    return list;
  };
  const copyLimiter = new Limiter(limit);
  let checked!: () => void;
  const firstCheck = new Promise<void>((resolve) => checked = resolve);

  const copyOne = async (
    index: number,
    from: ImageReference,
    to: ImageReference,
    sourceContext: TransportContext | undefined,
    gate: Promise<void> | undefined,
  ): Promise<void> => {
    if (index > stopAt) return; // queued when a copy failed
    const controller = new AbortController();
    controllers.set(index, controller);
    const outer = options.signal;
    const onAbort = () => controller.abort(outer?.reason);
    outer?.addEventListener("abort", onAbort, { once: true });
    const signal = controller.signal;
    const record: SyncImageRecord = {
      source: formatImageName(from),
      destination: formatImageName(to),
      status: "copied",
      bytes: 0,
    };
    records.set(index, record);
    const cacheKey = options.cache
      ? syncCacheKey(record.source, record.destination, keyOptions)
      : undefined;
    let opened: PreopenedReference | undefined;
    try {
      ordered.emit(index, {
        type: "image-started",
        source: record.source,
        destination: record.destination,
      });
      // The first check runs alone: it pings both registries, and the
      // others then reuse what it learnt instead of pinging all at once.
      if (index !== 0) await firstCheck;
      const check = await checkLimiter.run(
        () =>
          checkPresence(
            from,
            to,
            options,
            sourceContext,
            signal,
            cacheKey,
            destinationTags,
          ),
        signal,
      ).finally(() => {
        if (index === 0) checked();
      });
      opened = check.opened;
      if (check.present) {
        ordered.emit(index, {
          type: "image-skipped",
          instances: check.present.instances,
        });
        result.skipped++;
        record.status = "skipped";
        record.reason = "already present at destination";
        record.digest = check.present.digest;
      } else {
        await gate;
        if (index > stopAt) throw signal.reason ?? new Error("sync stopped");
        // Loaded only when something is copied: a re-sync starts faster.
        const { copyImage } = await import("../copy/copy_image.ts");
        const copied = await copyLimiter.run(
          () =>
            copyImage(
              opened?.reference ?? from,
              shared.wrap(to, dirPathOf(to)),
              {
                ...options.copy,
                sourceContext,
                destinationContext: options.destinationContext,
                blobLimiter,
                onEvent: (event) => {
                  if (event.type === "blob-finished") {
                    record.bytes += event.bytes;
                  }
                  ordered.emit(index, { type: "copy", event });
                },
                signal,
              },
            ),
          signal,
        );
        record.digest = copied.digest;
      }
      if (
        cacheKey !== undefined && check.sourceDigest && record.digest &&
        check.confirmed !== false
      ) {
        options.cache?.set(cacheKey, check.sourceDigest, record.digest);
      }
      result.images++;
      ordered.emit(index, { type: "image-finished" });
    } catch (error) {
      ordered.emit(index, { type: "image-finished" });
      record.status = "failed";
      record.reason = message(error);
      if (index > stopAt) return; // abandoned after an earlier failure
      const name = formatImageName(from);
      if (options.keepGoing && !outer?.aborted) {
        ordered.emit(
          index,
          log("error", `Error copying ref "${name}"`, {
            error: message(error),
          }),
        );
        result.failures.push({ source: name, error });
        return;
      }
      failed.set(index, error);
      if (index < stopAt) {
        stopAt = index;
        ordered.stopAfter(index);
        // Later images would not have started in a sequential sync.
        for (const [other, c] of controllers) {
          if (other > index) c.abort(error);
        }
      }
    } finally {
      // Opened by the check but not taken by a copy (stopped before it).
      await opened?.release().catch(() => {});
      if (index === 0) checked(); // never leave the others waiting
      outer?.removeEventListener("abort", onAbort);
      controllers.delete(index);
      if (index <= stopAt) ordered.finish(index);
    }
  };

  outer: for (const repository of repositories) {
    const count = repository.images.length;
    for (const [i, from] of repository.images.entries()) {
      if (stopAt !== Infinity) break outer;
      const index = slot++;
      while (running.size >= window) await Promise.race(running.values());
      if (stopAt !== Infinity) break outer;
      let to: ImageReference;
      try {
        const named = repository.dirBasePath !== undefined
          ? { dirPath: from.toString(), basePath: repository.dirBasePath }
          : {
            dockerReference: repository.names?.[i] ?? from.dockerReference ??
              from.toString(),
          };
        const name = options.destinationKind === "oci"
          ? ociDestinationName(destination, named, options.appendSuffix)
          : destinationName(destination, named, options);
        to = await openDestinationName(
          options.registry,
          options.destinationKind,
          name,
        );
      } catch (error) {
        fatal = error;
        ordered.finish(index);
        break outer;
      }
      const fields = {
        from: formatImageName(from),
        to: formatImageName(to),
      };
      if (options.dryRun) {
        ordered.emit(
          index,
          log("info", `Would have copied image ref ${i + 1}/${count}`, fields),
        );
        records.set(index, {
          source: fields.from,
          destination: fields.to,
          status: "planned",
          bytes: 0,
        });
        result.images++;
        ordered.finish(index);
        continue;
      }
      ordered.emit(
        index,
        log("info", `Copying image ref ${i + 1}/${count}`, fields),
      );
      // The first image into a destination repository is copied before
      // the others: later images mostly share its layers and then only
      // check them. (Two pushes of one blob never overlap anyway:
      // SharedBlobs makes the second wait, which distribution 2.8 needs.)
      const key = repositoryOf(to);
      const gate = gates.get(key);
      const task = copyOne(index, from, to, repository.context, gate)
        .finally(() => running.delete(index));
      if (!gate) gates.set(key, task);
      running.set(index, task);
    }
  }
  await Promise.all(running.values());
  result.records = [...records.keys()].sort((a, b) => a - b).map((k) =>
    records.get(k)!
  );
  result.bytes = result.records.reduce((sum, r) => sum + r.bytes, 0);
  await options.cache?.save().catch(() => {
    // A cache that cannot be written only costs the next run time.
  });
  // Cancellation (e.g. --command-timeout) is reported as itself.
  options.signal?.throwIfAborted();
  if (stopAt !== Infinity) {
    const error = failed.get(stopAt);
    const from = findSource(repositories, stopAt);
    throw withResult(
      new Error(
        `Error copying ref "${from ? formatImageName(from) : "?"}": ${
          message(error)
        }`,
        { cause: error },
      ),
      result,
    );
  }
  if (fatal !== undefined) throw withResult(fatal, result);
  onEvent?.(
    log(
      "info",
      `${
        options.dryRun ? "Would have synced" : "Synced"
      } ${result.images} images from ${result.sources} sources`,
    ),
  );
  return result;
}

/**
 * An image's name in a destination OCI layout: the source's fully
 * qualified reference (as `--scoped` keeps it), or for `dir` sources its
 * path below the source directory.
 */
function ociDestinationName(
  layout: string,
  source: { dockerReference: string } | { dirPath: string; basePath: string },
  appendSuffix: string | undefined,
): string {
  let name = "dockerReference" in source
    ? source.dockerReference
    : destinationName("", source, { scoped: true });
  name = goClean(name).replace(/^\/+/, "");
  return `${layout}:${name}${appendSuffix ?? ""}`;
}

/** For a `dir` destination, its directory (whose blob files serve later images). */
function dirPathOf(reference: ImageReference): string | undefined {
  return reference.transport.name === "dir" ? reference.toString() : undefined;
}

/**
 * Attaches what was done before a sync failed (`error.syncResult`), for
 * summaries.
 */
function withResult(error: unknown, result: SyncResult): unknown {
  if (error instanceof Error) {
    Object.defineProperty(error, "syncResult", {
      value: result,
      enumerable: false,
    });
  }
  return error;
}

/** The images of one shard, each repository keeping its order. */
function selectShard(
  repositories: SyncRepository[],
  shard: Shard,
): SyncRepository[] {
  return repositories.map((repository) => {
    const keep = repository.images.map((image) =>
      shardOf(formatImageName(image), shard.count) === shard.index
    );
    return {
      ...repository,
      images: repository.images.filter((_, i) => keep[i]),
      names: repository.names?.filter((_, i) => keep[i]),
    };
  }).filter((repository) => repository.images.length > 0);
}

/** The destination repository of an image, for {@linkcode syncImages}' gates. */
function repositoryOf(reference: ImageReference): string {
  const text = reference.dockerReference;
  if (text === undefined) return formatImageName(reference);
  const at = text.indexOf("@");
  const name = at < 0 ? text : text.slice(0, at);
  const colon = name.lastIndexOf(":");
  return colon > name.lastIndexOf("/") ? name.slice(0, colon) : name;
}

function findSource(
  repositories: readonly { images: ImageReference[] }[],
  slot: number,
): ImageReference | undefined {
  let offset = slot;
  for (const repository of repositories) {
    if (offset < repository.images.length) return repository.images[offset];
    offset -= repository.images.length;
  }
  return undefined;
}
