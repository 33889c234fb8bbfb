/**
 * Expands a sync SOURCE into repositories of image references, as skopeo
 * does: a registry repository (every tag) or one image, a tree of `dir:`
 * images, or the registries of a YAML file.
 *
 * @module
 */
import { parseDigest } from "../digest.ts";
import { InvalidReferenceError } from "../errors.ts";
import type { TransportRegistry } from "../registry.ts";
import type { ImageReference, TransportContext } from "../transport.ts";
import type { Platform } from "../types.ts";
import type { SyncEventHandler, SyncLogLevel } from "./events.ts";
import {
  filterTagNames,
  hasTagFilters,
  imageCreated,
  type TagFilters,
} from "./filters.ts";
import { goClean, goJoin } from "./naming.ts";
import { filterTagsBySemVer } from "./semver.ts";
import { parseSourceConfig, type RegistrySyncConfig } from "./source_config.ts";

/** Where sync reads from (`--src`). */
export type SyncSourceKind = "docker" | "dir" | "yaml" | "oci";

/** One group of images read with the same settings (skopeo's repoDescriptor). */
export interface SyncRepository {
  /** The images, in order. */
  images: ImageReference[];
  /** For `dir` sources: the SOURCE directory, to name destinations. */
  dirBasePath?: string | undefined;
  /**
   * For `oci` sources: each image's name in the layout (its fully qualified
   * Docker reference when sync wrote it), to name destinations.
   */
  names?: string[] | undefined;
  /** The source settings of these images. */
  context: TransportContext | undefined;
}

/** Options of {@linkcode expandSource}. */
export interface ExpandSourceOptions {
  /** Transports (`docker` and `dir` are used). */
  registry: TransportRegistry;
  /** Source settings (`--src-*`). */
  context?: TransportContext | undefined;
  /** Receives log events. */
  onEvent?: SyncEventHandler | undefined;
  /** Cancels listing. */
  signal?: AbortSignal | undefined;
  /** Command-line tag filters, applied to every tag list read. */
  filters?: TagFilters | undefined;
  /** The platform whose config `--newer-than` reads from a list. */
  platform?: Partial<Platform> | undefined;
}

/** Whether a docker name carries a tag or digest (not `IsNameOnly`). */
export function hasTagOrDigest(name: string): boolean {
  if (name.includes("@")) return true;
  return name.slice(name.lastIndexOf("/") + 1).includes(":");
}

/** The repository of a full Docker reference (`host/repo:tag` → `host/repo`). */
function repositoryOf(dockerReference: string): string {
  const at = dockerReference.indexOf("@");
  const noDigest = at < 0 ? dockerReference : dockerReference.slice(0, at);
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** An HTTP 401 from a registry-backed transport (its errors carry `status`). */
function isUnauthorized(error: unknown): boolean {
  return error instanceof Error &&
    (error as Error & { status?: unknown }).status === 401;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Expands SOURCE into repositories of images.
 *
 * @param kind `docker`, `dir` or `yaml`.
 * @param source The SOURCE argument.
 * @param options Transports, settings, logging.
 * @returns The repositories, in order.
 * @throws {Error} With skopeo's messages when SOURCE is unusable.
 */
export async function expandSource(
  kind: SyncSourceKind,
  source: string,
  options: ExpandSourceOptions,
): Promise<SyncRepository[]> {
  switch (kind) {
    case "docker":
      return [await expandDocker(source, options)];
    case "dir":
      return [await expandDir(source, options)];
    case "yaml":
      return await expandYaml(source, options);
    case "oci":
      return [await expandOci(source, options)];
  }
}

function logger(options: ExpandSourceOptions) {
  return (
    level: SyncLogLevel,
    text: string,
    fields: Record<string, string> = {},
  ): void => options.onEvent?.({ type: "log", level, message: text, fields });
}

async function parseDocker(
  registry: TransportRegistry,
  name: string,
): Promise<ImageReference> {
  try {
    return await registry.parseImageName(`docker://${name}`);
  } catch (error) {
    throw new InvalidReferenceError(
      name,
      `Cannot obtain a valid image reference for transport "docker" and reference "${name}": ${
        message(error)
      }`,
      { cause: error },
    );
  }
}

/** Every tag of a repository as references (skopeo's imagesToCopyFromRepo). */
async function tagReferences(
  repository: ImageReference,
  options: ExpandSourceOptions,
  context: TransportContext | undefined,
  listed?: Promise<string[]>,
): Promise<ImageReference[]> {
  const name = repositoryOf(repository.dockerReference ?? "");
  logger(options)("info", "Getting tags", { image: name });
  if (!repository.listTags) {
    throw new Error(`Error determining repository tags for image ${name}`);
  }
  let tags: string[];
  try {
    tags = await (listed ??
      repository.listTags({ context, signal: options.signal }));
  } catch (error) {
    // Some registries block tag listing; skopeo warns and goes on with none.
    if (isUnauthorized(error)) {
      logger(options)(
        "warning",
        `Registry disallows tag list retrieval: ${message(error)}`,
      );
      return [];
    }
    throw new Error(
      `Error determining repository tags for image ${name}: ${message(error)}`,
      { cause: error },
    );
  }
  const filters = options.filters;
  if (filters && hasTagFilters(filters)) {
    const before = tags.length;
    tags = filterTagNames(tags, filters);
    logger(options)("debug", "Filtered tags", {
      image: name,
      kept: String(tags.length),
      listed: String(before),
    });
  }
  let references: ImageReference[] = [];
  for (const tag of tags) {
    references.push(await parseDocker(options.registry, `${name}:${tag}`));
  }
  if (filters?.newerThanMs !== undefined) {
    references = await newerThan(references, filters.newerThanMs, {
      ...options,
      context,
    });
  }
  return references;
}

/** Keeps images whose config was created within `ms` (8 asked at once). */
async function newerThan(
  references: ImageReference[],
  ms: number,
  options: ExpandSourceOptions,
): Promise<ImageReference[]> {
  const cutoff = Date.now() - ms;
  const keep = new Array<boolean>(references.length).fill(false);
  let next = 0;
  const worker = async () => {
    while (next < references.length) {
      const i = next++;
      const created = await imageCreated(references[i]!, options);
      keep[i] = created !== undefined && created.getTime() >= cutoff;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return references.filter((_, i) => keep[i]);
}

async function expandDocker(
  source: string,
  options: ExpandSourceOptions,
): Promise<SyncRepository> {
  const reference = await parseDocker(options.registry, source);
  const tagged = hasTagOrDigest(source);
  logger(options)("info", "Tag presence check", {
    imagename: source,
    tagged: String(tagged),
  });
  if (tagged) return { images: [reference], context: options.context };
  const images = await tagReferences(reference, options, options.context);
  if (images.length === 0) {
    throw new Error(`No images to sync found in "${source}"`);
  }
  return { images, context: options.context };
}

/** Go's wording for a failed `os.Stat`. */
function statError(path: string, error: unknown): string {
  if (error instanceof Deno.errors.NotFound) {
    return `stat ${path}: no such file or directory`;
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return `stat ${path}: permission denied`;
  }
  return message(error);
}

/**
 * The image directories under `root` in Go's `filepath.WalkDir` order: a
 * directory holding `manifest.json` is an image, and the walk skips the rest
 * of that directory.
 *
 * @param root The directory to walk, as given.
 * @returns Image directory paths, joined as Go joins them.
 */
export async function findDirImages(root: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(dir: string): Promise<void> {
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(dir)) entries.push(entry);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = goJoin(dir, entry.name);
      if (entry.isDirectory) {
        await walk(path);
      } else if (entry.name === "manifest.json") {
        found.push(goClean(dir));
        return;
      }
    }
  }
  await walk(root);
  return found;
}

async function expandDir(
  source: string,
  options: ExpandSourceOptions,
): Promise<SyncRepository> {
  try {
    await Deno.stat(source);
  } catch (error) {
    throw new Error(
      `Invalid source directory specified: ${statError(source, error)}`,
      { cause: error },
    );
  }
  let paths: string[];
  try {
    paths = await findDirImages(source);
  } catch (error) {
    throw new Error(`Error walking the path "${source}": ${message(error)}`, {
      cause: error,
    });
  }
  const images: ImageReference[] = [];
  for (const path of paths) {
    images.push(await options.registry.parseImageName(`dir:${path}`));
  }
  if (images.length === 0) {
    throw new Error(`No images to sync found in "${source}"`);
  }
  return { images, dirBasePath: source, context: options.context };
}

/**
 * Every named image of an OCI layout (`--src oci`), in `index.json` order;
 * unnamed entries cannot be named at the destination and are skipped.
 */
async function expandOci(
  layout: string,
  options: ExpandSourceOptions,
): Promise<SyncRepository> {
  if (layout.includes(":")) {
    throw new Error(`OCI layout path "${layout}" must not contain ":"`);
  }
  let index: {
    manifests?: { annotations?: Record<string, string> }[];
  };
  try {
    index = JSON.parse(await Deno.readTextFile(`${layout}/index.json`));
  } catch (error) {
    throw new Error(
      `Invalid source OCI layout ${layout}: ${message(error)}`,
      { cause: error },
    );
  }
  const images: ImageReference[] = [];
  const names: string[] = [];
  for (const [i, entry] of (index.manifests ?? []).entries()) {
    const name = entry.annotations?.["org.opencontainers.image.ref.name"];
    if (!name) {
      logger(options)("warning", "Skipping an unnamed image", {
        index: String(i),
        layout,
      });
      continue;
    }
    images.push(await options.registry.parseImageName(`oci:${layout}:${name}`));
    names.push(name);
  }
  if (images.length === 0) {
    throw new Error(`No images to sync found in "${layout}"`);
  }
  return { images, names, context: options.context };
}

/** The source settings of one YAML registry (its TLS keys replace the flags). */
function registryContext(
  base: TransportContext | undefined,
  config: RegistrySyncConfig,
): TransportContext {
  const docker: Record<string, unknown> = { ...base?.settings?.docker };
  delete docker.certDir;
  delete docker.tlsVerify;
  if (config.certDir !== undefined) docker.certDir = config.certDir;
  if (config.tlsVerify !== undefined) docker.tlsVerify = config.tlsVerify;
  if (config.credentials) docker.credentials = config.credentials;
  return { ...base, settings: { ...base?.settings, docker } };
}

async function expandYaml(
  file: string,
  options: ExpandSourceOptions,
): Promise<SyncRepository[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`open ${file}: no such file or directory`, {
        cause: error,
      });
    }
    throw error;
  }
  const log = logger(options);
  const repositories: SyncRepository[] = [];
  const configs = await parseSourceConfig(text, file);
  // Every tag list the file needs is asked for at once; the loop below
  // still logs and uses them in skopeo's order.
  const listings = new Map<string, Promise<string[]>>();
  // The first request pings the registry; the others reuse what it learnt.
  let first: Promise<unknown> | undefined;
  for (const config of configs) {
    const context = registryContext(options.context, config);
    const names = [
      ...config.images.filter((e) => e.refs.length === 0),
      ...config.imagesByTagRegex,
      ...config.imagesBySemver,
    ].map((e) => e.repository);
    for (const name of names) {
      const full = `${config.registry}/${name}`;
      if (listings.has(full) || hasTagOrDigest(full)) continue;
      const listing = (first ?? Promise.resolve()).then(() =>
        options.registry.parseImageName(`docker://${full}`)
      ).then((reference) =>
        reference.listTags?.({ context, signal: options.signal }) ??
          Promise.reject(new Error("no tag listing"))
      );
      listing.catch(() => {}); // reported where it is used
      first ??= listing.catch(() => {});
      listings.set(full, listing);
    }
  }
  for (const config of configs) {
    const context = registryContext(options.context, config);
    const registryName = config.registry;
    if (
      config.images.length + config.imagesByTagRegex.length +
          config.imagesBySemver.length === 0
    ) {
      log("warning", "No images specified for registry", {
        registry: registryName,
      });
      continue;
    }
    const repository = async (
      name: string,
    ): Promise<ImageReference | undefined> => {
      const fields = { repo: name, registry: registryName };
      const full = `${registryName}/${name}`;
      try {
        if (hasTagOrDigest(full)) {
          throw new Error("input names a reference, not a repository");
        }
        const reference = await parseDocker(options.registry, full);
        log("info", "Processing repo", fields);
        return reference;
      } catch (error) {
        log("error", "Error parsing repository name, skipping", fields);
        log("error", message(error));
        return undefined;
      }
    };
    const allTags = async (
      name: string,
      reference: ImageReference,
    ): Promise<ImageReference[] | undefined> => {
      const fields = { repo: name, registry: registryName };
      log("info", "Querying registry for image tags", fields);
      try {
        return await tagReferences(
          reference,
          options,
          context,
          listings.get(`${registryName}/${name}`),
        );
      } catch (error) {
        log("error", "Error processing repo, skipping", fields);
        log("error", message(error));
        return undefined;
      }
    };
    const add = (name: string, images: ImageReference[]) => {
      if (images.length === 0) {
        log("warning", "No refs to sync found", {
          repo: name,
          registry: registryName,
        });
        return;
      }
      repositories.push({ images, context });
    };

    for (const { repository: name, refs } of config.images) {
      const reference = await repository(name);
      if (!reference) continue;
      const base = repositoryOf(reference.dockerReference ?? "");
      let images: ImageReference[] | undefined = [];
      if (refs.length === 0) {
        images = await allTags(name, reference);
        if (!images) continue;
      }
      for (const ref of refs) {
        let isDigest = true;
        try {
          parseDigest(ref);
        } catch {
          isDigest = false;
        }
        try {
          images.push(
            await parseDocker(
              options.registry,
              `${base}${isDigest ? "@" : ":"}${ref}`,
            ),
          );
        } catch (error) {
          log("error", "Error parsing ref, skipping", { ref });
          log("error", message(error));
        }
      }
      add(name, images);
    }

    const filtered = async (
      name: string,
      keep: (tags: string[]) => string[],
      what: string,
    ) => {
      const reference = await repository(name);
      if (!reference) return;
      const all = await allTags(name, reference);
      if (!all) return;
      log("info", what, { repo: name, registry: registryName });
      const tagOf = (r: ImageReference) => {
        const text = r.dockerReference ?? "";
        return text.slice(text.lastIndexOf(":") + 1);
      };
      const kept = new Set(keep(all.map(tagOf)));
      add(name, all.filter((r) => kept.has(tagOf(r))));
    };
    for (const { repository: name, pattern } of config.imagesByTagRegex) {
      let regex: RegExp;
      try {
        regex = new RegExp(pattern);
      } catch (error) {
        log("error", "Error parsing regex, skipping", {
          repo: name,
          registry: registryName,
          regex: pattern,
        });
        log("error", message(error));
        continue;
      }
      await filtered(
        name,
        (tags) => tags.filter((tag) => regex.test(tag)),
        `Start filtering using the regular expression: ${pattern}`,
      );
    }
    for (const { repository: name, pattern } of config.imagesBySemver) {
      try {
        filterTagsBySemVer([], pattern);
      } catch (error) {
        log("error", "Error parsing semver constraint, skipping", {
          repo: name,
          registry: registryName,
          semver: pattern,
        });
        log("error", message(error));
        continue;
      }
      await filtered(
        name,
        (tags) => filterTagsBySemVer(tags, pattern),
        `Start filtering using the semver constraint: ${pattern}`,
      );
    }
  }
  return repositories;
}
