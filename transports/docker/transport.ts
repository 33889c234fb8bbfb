/**
 * The `docker` transport object and its references (`docker://name[:tag]`,
 * `docker://name@digest`), with the registry operations skopeo offers on
 * them: open a source or destination, delete, list tags.
 *
 * @module
 */
import { InvalidReferenceError } from "../../core/errors.ts";
import {
  ImageNotFoundError,
  RepositoryNotFoundError,
} from "../../core/errors.ts";
import { rememberAbsentRepository } from "./known_blobs.ts";
import {
  type ImageDestination,
  type ImageReference,
  type ImageSource,
  type OpenOptions,
  type Transport,
  TRANSPORT_API_VERSION,
} from "../../core/transport.ts";
import { manifestDigest } from "../../core/manifest/mod.ts";
import type { Digest } from "../../core/types.ts";
import { DEFAULT_TRANSIENT_RETRIES, RegistryClient } from "./client.ts";
import { DockerImageDestination } from "./destination.ts";
import {
  type DockerName,
  familiarString,
  formatName,
  formatReference,
  isValidTag,
  parseNormalizedNamed,
  withDefaultTag,
} from "../../core/docker_name.ts";
import { RegistryError, statusErrorFromResponse } from "./registry_error.ts";
import {
  BlockedRegistryError,
  findRegistry,
  type PullSource,
  pullSources,
  type RegistriesConf,
  RegistriesConfError,
  registriesConfFor,
} from "./registries_conf.ts";
import { type DockerSettings, readDockerSettings } from "./settings.ts";
import {
  DockerImageSource,
  MANIFEST_ACCEPT,
  MAX_MANIFEST_SIZE,
  readLimited,
  withMessage,
} from "./source.ts";

const MAX_TAG_PAGES = 10_000;

const DERIVED_SETTINGS = new WeakMap<
  DockerSettings,
  Map<string, DockerSettings>
>();

/**
 * The settings of one connection attempt. The same object is returned for
 * the same base and changes, because clients share connections and the
 * registry ping per settings object (see `RegistryClient.create`): a sync of
 * many images then reuses one connection per registry.
 */
function derivedSettings(
  base: DockerSettings,
  changes: { insecure: boolean; dropCredentials: boolean },
): DockerSettings {
  if (!changes.insecure && !changes.dropCredentials) return base;
  const key = `${changes.insecure} ${changes.dropCredentials}`;
  let variants = DERIVED_SETTINGS.get(base);
  if (variants === undefined) {
    variants = new Map();
    DERIVED_SETTINGS.set(base, variants);
  }
  let derived = variants.get(key);
  if (derived === undefined) {
    derived = { ...base };
    if (changes.insecure) derived.tlsVerify = false;
    if (changes.dropCredentials) {
      delete derived.credentials;
      delete derived.registryToken;
    }
    variants.set(key, derived);
  }
  return derived;
}

/** A `docker://` reference: a repository on a registry with a tag or digest. */
export class DockerImageReference implements ImageReference {
  /** The docker transport. */
  readonly transport: Transport;
  /** The normalised name; it always has a tag or a digest, never both. */
  readonly name: DockerName;

  /**
   * @param transport The docker transport.
   * @param name A normalised name with a tag or a digest.
   */
  constructor(transport: Transport, name: DockerName) {
    this.transport = transport;
    this.name = name;
  }

  /** `//busybox:latest`: the familiar form after `docker:`. */
  toString(): string {
    return `//${familiarString(this.name)}`;
  }

  /** `docker.io/library/busybox:latest`. */
  get dockerReference(): string {
    return formatReference(this.name);
  }

  /** A client of this repository; registries.conf may block it or make it insecure. */
  async #client(
    options: OpenOptions,
    actions: string,
  ): Promise<RegistryClient> {
    const settings = readDockerSettings(options.context);
    let conf: RegistriesConf;
    try {
      conf = await registriesConfFor(settings);
    } catch (error) {
      // containers/image reads the file first while looking up credentials.
      const explicit = settings.credentials !== undefined || settings.noCreds;
      throw prefixMessage(
        error,
        explicit ? "loading registries: " : "getting username and password: ",
      );
    }
    const entry = findRegistry(conf, formatName(this.name));
    if (entry?.blocked) throw new BlockedRegistryError(entry.prefix, conf);
    return await RegistryClient.create({
      domain: this.name.domain,
      repository: this.name.path,
      actions,
      settings: derivedSettings(settings, {
        insecure: entry?.insecure === true && settings.tlsVerify === undefined,
        dropCredentials: false,
      }),
      logger: options.context?.logger,
      userAgent: options.context?.userAgent,
      signal: options.signal,
    });
  }

  /**
   * Opens the image for reading; its manifest is fetched now. With a
   * registries.conf entry for the repository, its mirrors are tried first
   * and its location last, as containers/image does.
   *
   * @throws {ImageNotFoundError} When the registry has no such manifest.
   * @throws {RegistryError} On registry or network failures.
   * @throws {BlockedRegistryError} When registries.conf blocks the registry.
   */
  async openSource(options: OpenOptions = {}): Promise<ImageSource> {
    const settings = readDockerSettings(options.context);
    const logger = options.context?.logger;
    let conf: RegistriesConf;
    let sources: PullSource[];
    try {
      conf = await registriesConfFor(settings);
      sources = pullSources(
        findRegistry(conf, formatName(this.name)),
        this.name,
      );
    } catch (error) {
      throw prefixMessage(error, "loading registries configuration: ");
    }
    const attempts: { name: string; error: Error }[] = [];
    for (const source of sources) {
      const text = formatReference(source.name);
      logger?.debug(`Trying to access "${text}"`);
      try {
        return await this.#openAttempt(options, settings, conf, source);
      } catch (error) {
        if (options.signal?.aborted) throw error;
        const failure = error instanceof Error
          ? error
          : new Error(String(error));
        logger?.debug(`Accessing "${text}" failed: ${failure.message}`);
        attempts.push({ name: text, error: failure });
      }
    }
    const primary = attempts[attempts.length - 1]!;
    if (attempts.length === 1) throw primary.error;
    const extras = attempts.slice(0, -1).map((a) =>
      `[${a.name}: ${a.error.message}]`
    );
    throw withMessage(
      primary.error,
      `(Mirrors also failed: ${
        extras.join("\n")
      }): ${primary.name}: ${primary.error.message}`,
    );
  }

  /** Opens one pull source: a mirror or the primary location. */
  async #openAttempt(
    options: OpenOptions,
    settings: DockerSettings,
    conf: RegistriesConf,
    source: PullSource,
  ): Promise<ImageSource> {
    const physical = source.name;
    const own = findRegistry(conf, formatName(physical));
    if (own?.blocked) throw new BlockedRegistryError(own.prefix, conf);
    const attempt = derivedSettings(settings, {
      insecure: settings.tlsVerify === undefined &&
        source.endpoint.insecure === true,
      // Credentials given for the primary are not sent to another host.
      dropCredentials: physical.domain !== this.name.domain,
    });
    const client = await RegistryClient.create({
      domain: physical.domain,
      repository: physical.path,
      actions: "pull",
      settings: attempt,
      logger: options.context?.logger,
      userAgent: options.context?.userAgent,
      signal: options.signal,
    });
    const image = new DockerImageSource(this, client, physical, {
      settings,
      logger: options.context?.logger,
    });
    try {
      await image.load({ signal: options.signal });
    } catch (error) {
      await image.close();
      throw error;
    }
    return image;
  }

  /**
   * Opens the repository for writing (`pull,push` scope).
   *
   * @throws {RegistryError} When the registry cannot be reached.
   */
  async openDestination(options: OpenOptions = {}): Promise<ImageDestination> {
    const client = await this.#client(options, "pull,push");
    try {
      await client.ping(options.signal);
    } catch (error) {
      client.close();
      throw error;
    }
    return new DockerImageDestination(this, client, {
      settings: readDockerSettings(options.context),
      logger: options.context?.logger,
    });
  }

  /**
   * Deletes the manifest this reference names, as skopeo does: GET it (by
   * tag or digest) to learn its digest, then DELETE by digest. Deleting by
   * tag removes every tag of that manifest.
   *
   * @throws {ImageNotFoundError} When there is no such manifest.
   * @throws {RegistryError} When the registry refuses (e.g. deletes disabled).
   */
  async deleteImage(options: OpenOptions = {}): Promise<void> {
    const client = await this.#client(options, "*");
    try {
      const refTail = this.name.digest ?? this.name.tag!;
      const getPath = `/v2/${this.name.path}/manifests/${refTail}`;
      // Both requests are idempotent: retry transient faults, as reads do.
      const get = await client.request("GET", getPath, {
        headers: { Accept: MANIFEST_ACCEPT },
        transientRetries: DEFAULT_TRANSIENT_RETRIES,
        signal: options.signal,
      });
      const full = formatReference(this.name);
      if (get.status === 404) {
        await get.body?.cancel();
        throw withMessage(
          new ImageNotFoundError(full),
          `Unable to delete ${full}. Image may not exist or is not stored with a v2 Schema in a v2 registry`,
        );
      }
      const body = await readLimited(
        get,
        MAX_MANIFEST_SIZE,
        `reading manifest ${refTail}`,
      );
      if (get.status !== 200) {
        throw new RegistryError({
          status: get.status,
          method: "GET",
          url: client.url(getPath),
          message: `Failed to delete ${full}: ${
            new TextDecoder().decode(body).trim()
          } (${statusLine(get)})`,
        });
      }
      const digest = manifestDigest(body);
      const deletePath = `/v2/${this.name.path}/manifests/${digest}`;
      const deleted = await client.request("DELETE", deletePath, {
        headers: { Accept: MANIFEST_ACCEPT },
        transientRetries: DEFAULT_TRANSIENT_RETRIES,
        signal: options.signal,
      });
      if (deleted.status === 202) {
        // Done; a body broken off after the status changes nothing.
        await deleted.body?.cancel().catch(() => {});
        const { deleteDockerSignatures } = await import("./signatures.ts");
        await deleteDockerSignatures({
          name: this.name,
          settings: readDockerSettings(options.context),
        }, digest);
        return;
      }
      const text = (await deleted.text()).trim();
      throw new RegistryError({
        status: deleted.status,
        method: "DELETE",
        url: client.url(deletePath),
        message: `Failed to delete ${deletePath}: ${text} (${
          statusLine(deleted)
        })`,
      });
    } finally {
      client.close();
    }
  }

  /** The digest of the manifest this reference names, by one `HEAD`. */
  async getManifestDigest(
    options: OpenOptions = {},
  ): Promise<Digest | undefined> {
    const { headManifestDigest } = await import("./manifest_digest.ts");
    return await headManifestDigest(this.name, options);
  }

  /**
   * Lists the repository's tags, following `Link` pagination. The
   * reference's own tag is ignored.
   *
   * @throws {RegistryError} With skopeo's `fetching tags list: …` messages.
   */
  async listTags(options: OpenOptions = {}): Promise<string[]> {
    let client: RegistryClient;
    try {
      client = await this.#client(options, "pull");
    } catch (error) {
      if (
        error instanceof BlockedRegistryError ||
        error instanceof RegistriesConfError
      ) throw prefixMessage(error, "failed to create client: ");
      throw error;
    }
    const pageSize = readDockerSettings(options.context).tagPageSize;
    try {
      const tags: string[] = [];
      let path = `/v2/${this.name.path}/tags/list${
        pageSize !== undefined ? `?n=${pageSize}` : ""
      }`;
      for (let page = 0; page < MAX_TAG_PAGES; page++) {
        let response: Response;
        let body: { tags?: unknown } | undefined;
        // A tag list is idempotent: transient faults, and a body cut off
        // mid-read, are retried like manifest GETs.
        for (let attempt = 0;; attempt++) {
          response = await client.request("GET", path, {
            signal: options.signal,
            transientRetries: DEFAULT_TRANSIENT_RETRIES,
          });
          if (response.status !== 200) {
            const error = await statusErrorFromResponse(response, {
              method: "GET",
              url: client.url(path),
              context: "fetching tags list",
            });
            if (
              error.status === 404 &&
              error.diagnostics.some((d) => d.code === "NAME_UNKNOWN")
            ) {
              rememberAbsentRepository(this.name.domain, this.name.path);
              throw new RepositoryNotFoundError(error.message, {
                cause: error,
              });
            }
            throw error;
          }
          try {
            body = await response.json() as { tags?: unknown };
            break;
          } catch (error) {
            if (
              options.signal?.aborted || error instanceof SyntaxError ||
              attempt >= DEFAULT_TRANSIENT_RETRIES
            ) {
              throw new Error(
                `fetching tags list: reading the response: ${
                  (error as Error).message
                }`,
                { cause: error },
              );
            }
          }
        }
        for (const tag of Array.isArray(body.tags) ? body.tags : []) {
          if (typeof tag !== "string" || !isValidTag(tag)) {
            throw new RegistryError({
              status: 200,
              method: "GET",
              url: client.url(path),
              message: `registry returned invalid tag ${JSON.stringify(tag)}`,
            });
          }
          tags.push(tag);
        }
        const next = nextLink(response.headers.get("link"), client.url(path));
        if (next === undefined) return tags;
        path = next;
      }
      throw new RegistryError({
        status: 200,
        method: "GET",
        url: client.url(path),
        message: `fetching tags list: more than ${MAX_TAG_PAGES} pages`,
      });
    } finally {
      client.close();
    }
  }
}

/** Puts `prefix` before an error's message, keeping its class. */
function prefixMessage(error: unknown, prefix: string): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  return withMessage(e, prefix + e.message);
}

function statusLine(response: Response): string {
  return `${response.status} ${response.statusText}`.trimEnd();
}

/** The path and query of a `Link: <…>; rel="next"` header, if any. */
function nextLink(header: string | null, base: string): string | undefined {
  if (header === null || header === "") return undefined;
  const target = header.split(";")[0]!.trim().replace(/^<|>$/g, "");
  const url = new URL(target, base);
  return url.pathname + url.search;
}

/**
 * Parses the text after `docker:` (`//name[:tag|@digest]`); a name-only
 * reference gets the tag `latest`.
 *
 * @param transport The docker transport.
 * @param text The reference text.
 * @returns The reference.
 * @throws {InvalidReferenceError} With skopeo's reasons.
 */
export function parseDockerReference(
  transport: Transport,
  text: string,
): DockerImageReference {
  const input = `docker:${text}`;
  if (!text.startsWith("//")) {
    throw new InvalidReferenceError(
      input,
      `docker: image reference ${text} does not start with //`,
    );
  }
  const name = withDefaultTag(
    parseNormalizedNamed(text.slice(2), { input }),
  );
  if (name.tag !== undefined && name.digest !== undefined) {
    throw new InvalidReferenceError(
      input,
      "Docker references with both a tag and digest are currently not supported",
    );
  }
  return new DockerImageReference(transport, name);
}

/** The `docker` transport: images in registries (Registry HTTP API V2). */
export const transport: Transport = {
  apiVersion: TRANSPORT_API_VERSION,
  name: "docker",
  parseReference(text: string): DockerImageReference {
    return parseDockerReference(transport, text);
  },
};

/**
 * The repository name of a reference, `docker.io/library/busybox`, as
 * `list-tags` prints it.
 *
 * @param reference A docker reference.
 * @returns The fully-qualified repository name.
 */
export function repositoryName(reference: DockerImageReference): string {
  return formatName(reference.name);
}
