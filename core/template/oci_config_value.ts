/**
 * The OCI image config as `skopeo inspect --config --format` sees it: a
 * `*v1.Image` of the image-spec version skopeo 1.9.3 vendors (1.1.0-rc2),
 * with Go's field order, types and JSON tags.
 *
 * @module
 */

import { GoTime } from "./go_time.ts";
import { GoStruct, GoValue } from "./values.ts";

type Json = Readonly<Record<string, unknown>>;

// encoding/json matches keys case-insensitively when no exact match exists.
function field(source: Json | undefined, key: string): unknown {
  if (source === undefined) return undefined;
  if (Object.prototype.hasOwnProperty.call(source, key)) return source[key];
  const lower = key.toLowerCase();
  const found = Object.keys(source).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : source[found];
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function strings(v: unknown): string[] | null {
  return Array.isArray(v) ? v.map(String) : null;
}

function object(v: unknown): Json | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? v as Json
    : undefined;
}

function time(v: unknown): GoTime | null {
  return typeof v === "string" ? GoTime.parse(v) : null;
}

const EMPTY_STRUCT = new GoStruct("struct {}", []);

function set(v: unknown): Record<string, GoStruct> | null {
  const o = object(v);
  if (o === undefined) return null;
  return Object.fromEntries(Object.keys(o).map((k) => [k, EMPTY_STRUCT]));
}

function imageConfig(c: Json | undefined): GoStruct {
  const labels = object(field(c, "Labels"));
  return new GoStruct("v1.ImageConfig", [
    {
      name: "User",
      value: str(field(c, "User")),
      type: "string",
      json: "User,omitempty",
    },
    {
      name: "ExposedPorts",
      value: set(field(c, "ExposedPorts")),
      type: "map[string]struct {}",
      json: "ExposedPorts,omitempty",
    },
    {
      name: "Env",
      value: strings(field(c, "Env")),
      type: "[]string",
      json: "Env,omitempty",
    },
    {
      name: "Entrypoint",
      value: strings(field(c, "Entrypoint")),
      type: "[]string",
      json: "Entrypoint,omitempty",
    },
    {
      name: "Cmd",
      value: strings(field(c, "Cmd")),
      type: "[]string",
      json: "Cmd,omitempty",
    },
    {
      name: "Volumes",
      value: set(field(c, "Volumes")),
      type: "map[string]struct {}",
      json: "Volumes,omitempty",
    },
    {
      name: "WorkingDir",
      value: str(field(c, "WorkingDir")),
      type: "string",
      json: "WorkingDir,omitempty",
    },
    {
      name: "Labels",
      value: labels === undefined ? null : Object.fromEntries(
        Object.entries(labels).map(([k, v]) => [k, String(v)]),
      ),
      type: "map[string]string",
      json: "Labels,omitempty",
    },
    {
      name: "StopSignal",
      value: str(field(c, "StopSignal")),
      type: "string",
      json: "StopSignal,omitempty",
    },
    {
      name: "ArgsEscaped",
      value: field(c, "ArgsEscaped") === true,
      type: "bool",
      json: "ArgsEscaped,omitempty",
    },
  ]);
}

function history(h: Json): GoStruct {
  return new GoStruct("v1.History", [
    {
      name: "Created",
      value: time(field(h, "created")),
      type: "*time.Time",
      json: "created,omitempty",
    },
    {
      name: "CreatedBy",
      value: str(field(h, "created_by")),
      type: "string",
      json: "created_by,omitempty",
    },
    {
      name: "Author",
      value: str(field(h, "author")),
      type: "string",
      json: "author,omitempty",
    },
    {
      name: "Comment",
      value: str(field(h, "comment")),
      type: "string",
      json: "comment,omitempty",
    },
    {
      name: "EmptyLayer",
      value: field(h, "empty_layer") === true,
      type: "bool",
      json: "empty_layer,omitempty",
    },
  ]);
}

/**
 * Builds skopeo's `*v1.Image` from an OCI image config JSON object.
 *
 * @example
 * ```ts
 * import { ociConfigValue } from "./oci_config_value.ts";
 * import { formatReport } from "./mod.ts";
 * const value = ociConfigValue({ architecture: "amd64", os: "linux", config: { Env: ["A=1"] } });
 * console.assert(formatReport("{{.OS}} {{.Config.Env}} {{.Config.Labels}}", value) === "linux [A=1] map[]\n");
 * ```
 *
 * @param config The parsed OCI config (docker configs converted to OCI first).
 * @returns The value skopeo formats for `inspect --config --format`.
 * @throws {RangeError} When a timestamp is not RFC 3339.
 */
export function ociConfigValue(
  config: Readonly<Record<string, unknown>>,
): GoValue {
  const rootfs = object(field(config, "rootfs"));
  const hist = field(config, "history");
  const image = new GoStruct("v1.Image", [
    {
      name: "Created",
      value: time(field(config, "created")),
      type: "*time.Time",
      json: "created,omitempty",
    },
    {
      name: "Author",
      value: str(field(config, "author")),
      type: "string",
      json: "author,omitempty",
    },
    {
      name: "Architecture",
      value: str(field(config, "architecture")),
      type: "string",
      json: "architecture",
    },
    {
      name: "Variant",
      value: str(field(config, "variant")),
      type: "string",
      json: "variant,omitempty",
    },
    { name: "OS", value: str(field(config, "os")), type: "string", json: "os" },
    {
      name: "OSVersion",
      value: str(field(config, "os.version")),
      type: "string",
      json: "os.version,omitempty",
    },
    {
      name: "OSFeatures",
      value: strings(field(config, "os.features")),
      type: "[]string",
      json: "os.features,omitempty",
    },
    {
      name: "Config",
      value: imageConfig(object(field(config, "config"))),
      type: "v1.ImageConfig",
      json: "config,omitempty",
    },
    {
      name: "RootFS",
      value: new GoStruct("v1.RootFS", [
        {
          name: "Type",
          value: str(field(rootfs, "type")),
          type: "string",
          json: "type",
        },
        {
          name: "DiffIDs",
          value: strings(field(rootfs, "diff_ids")),
          type: "[]digest.Digest",
          json: "diff_ids",
        },
      ]),
      type: "v1.RootFS",
      json: "rootfs",
    },
    {
      name: "History",
      value: Array.isArray(hist)
        ? hist.map((h) => history(object(h) ?? {}))
        : null,
      type: "[]v1.History",
      json: "history,omitempty",
    },
  ]);
  return new GoValue(image, "*v1.Image");
}
