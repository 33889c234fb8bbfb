/**
 * The image-config fields `inspect` shows, read from an OCI or Docker config
 * blob (or a schema1 v1Compatibility entry, which has the Docker shape) with
 * Go's decoding rules, so that what skopeo rejects is rejected here too.
 *
 * @module
 */
import { normalizeGoTime } from "./_go_time.ts";
import {
  at,
  decodeObject,
  field,
  invalid,
  readObject,
  readString,
  readStringArray,
  readStringMap,
  type Where,
} from "./_json.ts";

/** The summary of an image config. */
export interface ImageConfigSummary {
  /**
   * `created` re-marshalled as Go prints a `time.Time` (RFC 3339, nanoseconds
   * without trailing zeros, offset kept, `Z` for UTC); `undefined` when absent
   * or null.
   */
  readonly created: string | undefined;
  /** `author`; `""` when absent. */
  readonly author: string;
  /** `architecture`; `""` when absent. */
  readonly architecture: string;
  /** `variant`; `""` when absent. */
  readonly variant: string;
  /** `os`; `""` when absent. */
  readonly os: string;
  /** `docker_version` (Docker configs and schema1 history); `""` when absent. */
  readonly dockerVersion: string;
  /** `config.Labels`; `undefined` when absent or null (skopeo prints null). */
  readonly labels: Record<string, string> | undefined;
  /** `config.Env`; `undefined` when absent or null. */
  readonly env: string[] | undefined;
}

/**
 * Reads the summary fields of an image config.
 *
 * @example
 * ```ts
 * import { parseImageConfig } from "./config.ts";
 * const config = parseImageConfig(new TextEncoder().encode(
 *   '{"created":"2023-01-01T00:00:00.000000000Z","architecture":"amd64","os":"linux"}',
 * ));
 * console.assert(config.created === "2023-01-01T00:00:00Z");
 * ```
 *
 * @param bytes The config blob (or a v1Compatibility text, encoded).
 * @param options `what` names the content in errors (default `image config`).
 * @returns The summary.
 * @throws {InvalidContentError} When the content is not a JSON object, or a field has the wrong type or an invalid time.
 */
export function parseImageConfig(
  bytes: Uint8Array,
  options: { what?: string } = {},
): ImageConfigSummary {
  const where: Where = { what: options.what ?? "image config", path: "" };
  const object = decodeObject(bytes, where);
  const createdValue = field(object, "created");
  let created: string | undefined;
  if (typeof createdValue === "string") {
    try {
      created = normalizeGoTime(createdValue);
    } catch (error) {
      throw invalid(at(where, "created"), (error as Error).message);
    }
  } else if (createdValue !== undefined && createdValue !== null) {
    throw invalid(at(where, "created"), "expected a string");
  }
  const config = readObject(object, "config", where);
  const configWhere = at(where, "config");
  return {
    created,
    author: readString(object, "author", where),
    architecture: readString(object, "architecture", where),
    variant: readString(object, "variant", where),
    os: readString(object, "os", where),
    dockerVersion: readString(object, "docker_version", where),
    labels: config && readStringMap(config, "Labels", configWhere),
    env: config && readStringArray(config, "Env", configWhere),
  };
}
