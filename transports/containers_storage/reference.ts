/**
 * `containers-storage:` references, parsed as containers/image's storage
 * transport parses them:
 *
 * - `[driver@graphroot+runroot:opt1,opt2]` (optional) picks the store;
 *   otherwise storage.conf's;
 * - then `name[:tag][@digest]` (a name without either gets `:latest`),
 *   `name@imageID`, `@imageID`, or an image ID (or a prefix of at least 3
 *   characters of one present in the store).
 *
 * @module
 */
import { InvalidReferenceError } from "../../core/errors.ts";
import type {
  ImageDestination,
  ImageReference,
  ImageSource,
  OpenOptions,
  Transport,
} from "../../core/transport.ts";
import {
  type DockerName,
  formatReference,
  parseNormalizedNamed,
  withDefaultTag,
} from "../../core/docker_name.ts";
import { defaultStoreSpec, type StoreSpec } from "./storage_conf.ts";

const MINIMUM_TRUNCATED_ID_LENGTH = 3;
const ID_PATTERN = /^[a-f0-9]{64}$/;
const GO_DIGEST =
  /^(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;

/** An image in a containers/storage store. */
export class StorageReference implements ImageReference {
  /** The `containers-storage` transport. */
  readonly transport: Transport;
  /** The store, with its driver resolved. */
  readonly store: StoreSpec;
  /** The name (tagged and/or digested), when given. */
  readonly name: DockerName | undefined;
  /** The full image ID, when given or resolved from a prefix. */
  readonly id: string | undefined;

  /**
   * Parses a reference.
   *
   * @param transport The `containers-storage` transport.
   * @param text Everything after `containers-storage:`.
   * @throws {InvalidReferenceError} With containers/image's messages.
   */
  constructor(transport: Transport, text: string) {
    this.transport = transport;
    const input = `containers-storage:${text}`;
    const invalid = (message: string) =>
      new InvalidReferenceError(input, message);
    let rest = text;
    let spec: StoreSpec;
    if (rest.startsWith("[")) {
      const close = rest.indexOf("]");
      if (close < 1) throw invalid("invalid reference");
      spec = parseStoreSpec(rest.slice(1, close), invalid);
      rest = rest.slice(close + 1);
    } else {
      spec = defaultStoreSpec();
    }
    this.store = { ...spec, driver: resolveDriver(spec) };
    if (rest === "") {
      throw invalid(`"" is an empty reference: invalid reference`);
    }
    let id: string | undefined;
    const at = rest.lastIndexOf("@");
    if (at !== -1) {
      const possible = rest.slice(at + 1);
      if (possible === "") {
        throw invalid(
          `empty trailing digest or ID in ${
            JSON.stringify(rest)
          }: invalid reference`,
        );
      }
      if (!GO_DIGEST.test(possible)) {
        if (ID_PATTERN.test(possible)) id = possible;
        else {
          const found = possible.length >= MINIMUM_TRUNCATED_ID_LENGTH
            ? imageIdByPrefix(this.store, possible)
            : undefined;
          if (found === undefined) {
            throw invalid(
              `${
                JSON.stringify(possible)
              } does not look like an image ID or digest: invalid reference`,
            );
          }
          id = found;
        }
        rest = rest.slice(0, at);
      }
    }
    if (
      id === undefined && rest.length >= MINIMUM_TRUNCATED_ID_LENGTH &&
      !/[@:]/.test(rest)
    ) {
      const found = ID_PATTERN.test(rest)
        ? rest
        : imageIdByPrefix(this.store, rest);
      if (found !== undefined) {
        id = found;
        rest = "";
      }
    }
    let name: DockerName | undefined;
    if (rest !== "") {
      try {
        name = withDefaultTag(parseNormalizedNamed(rest, { input }));
      } catch (error) {
        throw invalid(
          `parsing named reference ${JSON.stringify(rest)}: ${
            error instanceof Error ? error.message : error
          }`,
        );
      }
    }
    if (name === undefined && id === undefined) {
      throw invalid("invalid reference");
    }
    this.name = name;
    this.id = id;
  }

  /** The store and driver as text: `[driver@graphroot+runroot:options]`. */
  get storeText(): string {
    const { driver, graphRoot, runRoot, options } = this.store;
    return `[${driver}@${graphRoot}+${runRoot}${
      options.length ? `:${options.join(",")}` : ""
    }]`;
  }

  /** `[driver@graphroot+runroot]name@id`, as containers/image prints it. */
  toString(): string {
    return this.storeText + (this.name ? formatReference(this.name) : "") +
      (this.id ? `@${this.id}` : "");
  }

  /** The fully-qualified name, when the reference has one. */
  get dockerReference(): string | undefined {
    return this.name ? formatReference(this.name) : undefined;
  }

  /** Opens the image for reading. */
  async openSource(options: OpenOptions = {}): Promise<ImageSource> {
    const { openStorageSource } = await import("./source.ts");
    return await openStorageSource(this, options);
  }

  /** Opens the store for writing an image. */
  async openDestination(options: OpenOptions = {}): Promise<ImageDestination> {
    const { openStorageDestination } = await import("./destination.ts");
    return await openStorageDestination(this, options);
  }

  /** Deletes the image (and its layers no other image uses). */
  async deleteImage(options: OpenOptions = {}): Promise<void> {
    const { deleteStorageImage } = await import("./delete.ts");
    await deleteStorageImage(this, options);
  }
}

function parseStoreSpec(
  text: string,
  invalid: (message: string) => InvalidReferenceError,
): StoreSpec {
  let rest = text;
  let driver = "";
  const at = rest.indexOf("@");
  if (at === -1) {
    if (rest === "") throw invalid("invalid reference");
  } else {
    driver = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (driver === "" || rest === "") throw invalid("invalid reference");
  }
  let options: string[] = [];
  const colon = rest.indexOf(":");
  if (colon !== -1) {
    options = rest.slice(colon + 1).split(",");
    rest = rest.slice(0, colon);
  }
  let runRoot = "";
  const plus = rest.indexOf("+");
  if (plus !== -1) {
    runRoot = rest.slice(plus + 1);
    rest = rest.slice(0, plus);
  }
  const graphRoot = rest;
  if (
    (graphRoot !== "" && !graphRoot.startsWith("/")) ||
    (runRoot !== "" && !runRoot.startsWith("/"))
  ) {
    throw invalid("path name is not absolute");
  }
  // What the brackets leave out comes from storage.conf.
  const defaults = defaultStoreSpec();
  return {
    driver: driver || defaults.driver,
    graphRoot: clean(graphRoot || defaults.graphRoot),
    runRoot: clean(runRoot || defaults.runRoot),
    options: colon === -1 ? defaults.options : options,
  };
}

function clean(path: string): string {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  return `/${parts.join("/")}`;
}

/** The driver containers/storage would use: the configured one, else the one whose data exists. */
function resolveDriver(spec: StoreSpec): string {
  if (spec.driver !== "") return spec.driver;
  for (const driver of ["overlay", "vfs"]) {
    try {
      Deno.statSync(`${spec.graphRoot}/${driver}-layers`);
      return driver;
    } catch {
      // not this one
    }
  }
  return "overlay";
}

/** The ID of the one image whose ID starts with `prefix`, read synchronously. */
function imageIdByPrefix(spec: StoreSpec, prefix: string): string | undefined {
  let images: { id?: unknown }[];
  try {
    images = JSON.parse(
      Deno.readTextFileSync(
        `${spec.graphRoot}/${
          spec.driver || resolveDriver(spec)
        }-images/images.json`,
      ),
    );
  } catch {
    return undefined;
  }
  if (!Array.isArray(images)) return undefined;
  const matches = images.filter((i) =>
    typeof i.id === "string" && i.id.startsWith(prefix)
  );
  return matches.length === 1 ? String(matches[0]!.id) : undefined;
}
