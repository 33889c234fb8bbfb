/**
 * skopeo 1.9.3's `inspect.Output` as a Go value for templates: field order,
 * Go types (`digest.Digest`, `*time.Time`, `map[string]string`) and JSON tags
 * as skopeo declares them, so `{{.}}`, `{{.Created}}`, `{{.Digest.Encoded}}`
 * and `{{.Nope}}` behave as they do there.
 *
 * @module
 */

import { GoTime } from "./go_time.ts";
import { GoStruct, GoValue } from "./values.ts";

/** The fields of skopeo's inspect output, as plain data (what it prints as JSON). */
export interface InspectOutputFields {
  /** Repository name (docker:// only). */
  readonly Name?: string | undefined;
  /** Tag of a schema1 manifest. */
  readonly Tag?: string | undefined;
  /** Manifest digest, `algorithm:hex`. */
  readonly Digest: string;
  /** Repository tags. */
  readonly RepoTags: readonly string[];
  /** Creation time as RFC 3339 text; null when the config has none. */
  readonly Created: string | null;
  /** `docker_version` of the config. */
  readonly DockerVersion: string;
  /** Config labels; null when none. */
  readonly Labels: Readonly<Record<string, string>> | null;
  /** Architecture. */
  readonly Architecture: string;
  /** Operating system. */
  readonly Os: string;
  /** Layer digests. */
  readonly Layers: readonly string[];
  /** Environment; null when none. */
  readonly Env: readonly string[] | null;
}

/**
 * A `digest.Digest` value with its methods (`Algorithm`, `Encoded`, `Hex`,
 * `String`).
 *
 * @param digest `algorithm:hex` text.
 */
export function goDigest(digest: string): GoValue {
  const colon = digest.indexOf(":");
  const algorithm = colon < 0 ? "" : digest.slice(0, colon);
  const encoded = colon < 0 ? "" : digest.slice(colon + 1);
  const algorithmValue = new GoValue(algorithm, "digest.Algorithm", {
    methods: { String: { params: [], result: "string", fn: () => algorithm } },
  });
  return new GoValue(digest, "digest.Digest", {
    methods: {
      Algorithm: {
        params: [],
        result: "digest.Algorithm",
        fn: () => algorithmValue,
      },
      Encoded: { params: [], result: "string", fn: () => encoded },
      Hex: { params: [], result: "string", fn: () => encoded },
      String: { params: [], result: "string", fn: () => digest },
    },
  });
}

/**
 * Builds skopeo 1.9.3's `inspect.Output` struct from its fields.
 *
 * @example
 * ```ts
 * import { inspectOutputValue } from "./inspect_output.ts";
 * import { parseTemplate } from "./mod.ts";
 * const value = inspectOutputValue({
 *   Digest: "sha256:" + "a".repeat(64), RepoTags: [], Created: "2024-01-02T03:04:05Z",
 *   DockerVersion: "", Labels: null, Architecture: "amd64", Os: "linux", Layers: [], Env: null,
 * });
 * console.assert(parseTemplate("{{.Created}} {{.Labels}}").execute(value) ===
 *   "2024-01-02 03:04:05 +0000 UTC map[]");
 * ```
 *
 * @param info The fields, e.g. from `buildInspectInfo`.
 * @returns The struct to pass to templates.
 * @throws {RangeError} When `Created` is not RFC 3339.
 */
export function inspectOutputValue(info: InspectOutputFields): GoStruct {
  return new GoStruct("inspect.Output", [
    {
      name: "Name",
      value: info.Name ?? "",
      type: "string",
      json: ",omitempty",
    },
    { name: "Tag", value: info.Tag ?? "", type: "string", json: ",omitempty" },
    { name: "Digest", value: goDigest(info.Digest) },
    { name: "RepoTags", value: info.RepoTags, type: "[]string" },
    {
      name: "Created",
      value: info.Created === null ? null : GoTime.parse(info.Created),
      type: "*time.Time",
    },
    { name: "DockerVersion", value: info.DockerVersion, type: "string" },
    { name: "Labels", value: info.Labels, type: "map[string]string" },
    { name: "Architecture", value: info.Architecture, type: "string" },
    { name: "Os", value: info.Os, type: "string" },
    { name: "Layers", value: info.Layers, type: "[]string" },
    { name: "Env", value: info.Env, type: "[]string" },
  ]);
}
