/**
 * The image config as `skopeo inspect --config` prints it: converted to the
 * OCI image-config structure and indented the way Go's `json.MarshalIndent`
 * does, in Go's struct field order with its omitempty rules.
 *
 * @module
 */
import { InvalidContentError } from "../errors.ts";
import { normalizeGoTime } from "../manifest/mod.ts";

type Json = Record<string, unknown>;

function pick(source: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const key of keys) {
    const value = source[key];
    if (
      value === undefined || value === null || value === "" ||
      value === false || value === 0 ||
      (Array.isArray(value) && value.length === 0) ||
      (typeof value === "object" && !Array.isArray(value) &&
        Object.keys(value as Json).length === 0)
    ) continue;
    out[key] = value;
  }
  return out;
}

/** Go marshals maps with sorted keys. */
function sortMaps(config: Json): Json {
  for (const key of ["ExposedPorts", "Volumes", "Labels"]) {
    const map = config[key];
    if (map && typeof map === "object" && !Array.isArray(map)) {
      config[key] = Object.fromEntries(
        Object.entries(map as Json).sort(([a], [b]) =>
          a < b ? -1 : a > b ? 1 : 0
        ),
      );
    }
  }
  return config;
}

const CONFIG_KEYS = [
  "User",
  "ExposedPorts",
  "Env",
  "Entrypoint",
  "Cmd",
  "Volumes",
  "WorkingDir",
  "Labels",
  "StopSignal",
  "ArgsEscaped",
] as const;
const HISTORY_KEYS = [
  "created",
  "created_by",
  "author",
  "comment",
  "empty_layer",
] as const;

/**
 * Reduces a Docker or OCI image config to the OCI structure, ordered as Go
 * marshals it.
 *
 * @param bytes The raw config blob.
 * @returns The OCI config as an ordered JSON object.
 * @throws {InvalidContentError} When the bytes are not a JSON object.
 */
export function toOciConfig(bytes: Uint8Array): Json {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new InvalidContentError(
      `Invalid image config: ${(error as Error).message}`,
    );
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new InvalidContentError("Invalid image config: not a JSON object");
  }
  const source = raw as Json;
  const out: Json = pick(source, ["created", "author"]);
  if (typeof out.created === "string") {
    out.created = normalizeGoTime(out.created);
  }
  out.architecture = source.architecture ?? "";
  Object.assign(out, pick(source, ["variant"]));
  out.os = source.os ?? "";
  Object.assign(out, pick(source, ["os.version", "os.features"]));
  const config = source.config as Json | undefined;
  out.config = config ? sortMaps(pick(config, CONFIG_KEYS)) : {};
  const rootfs = (source.rootfs ?? {}) as Json;
  out.rootfs = { type: rootfs.type ?? "", diff_ids: rootfs.diff_ids ?? null };
  const history = source.history;
  if (Array.isArray(history) && history.length > 0) {
    out.history = history.map((h) => {
      const entry = pick(h as Json, HISTORY_KEYS);
      if (typeof entry.created === "string") {
        entry.created = normalizeGoTime(entry.created);
      }
      return entry;
    });
  }
  return out;
}

/**
 * Formats a JSON value as Go's `json.MarshalIndent(v, "", "    ")` does
 * (HTML-sensitive characters escaped).
 */
export function goJsonIndent(value: unknown): string {
  return JSON.stringify(value, null, 4).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
