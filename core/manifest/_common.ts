/**
 * Checks every manifest format applies: schema version, the `mediaType`
 * field against the declared type, and fields that belong to other formats.
 *
 * @module
 */
import {
  hasField,
  invalid,
  type JsonObject,
  readInteger,
  readString,
  type Where,
} from "./_json.ts";

/** Fields that identify a format (containers/image `ValidateUnambiguousManifestFormat`). */
const FORMAT_FIELDS = [
  "config",
  "fsLayers",
  "history",
  "layers",
  "manifests",
] as const;

/** The format-identifying field names. */
export type FormatField = typeof FORMAT_FIELDS[number];

/** Rejects a document that also carries another format's essential fields. */
export function rejectAmbiguous(
  object: JsonObject,
  allowed: readonly FormatField[],
  where: Where,
): void {
  const unexpected = FORMAT_FIELDS.filter((name) =>
    !allowed.includes(name) && hasField(object, name)
  );
  if (unexpected.length > 0) {
    throw invalid(
      where,
      `ambiguous manifest, unexpected fields ${
        unexpected.map((n) => `"${n}"`).join(", ")
      }`,
    );
  }
}

/** Requires `schemaVersion` to be `expected`. */
export function checkSchemaVersion(
  object: JsonObject,
  expected: number,
  where: Where,
): void {
  const version = readInteger(object, "schemaVersion", where);
  if (version === undefined) {
    throw invalid(where, `missing schemaVersion (expected ${expected})`);
  }
  if (version !== expected) {
    throw invalid(
      where,
      `unsupported schemaVersion ${version} (expected ${expected})`,
    );
  }
}

/**
 * Requires the `mediaType` field to agree with the type the manifest was
 * declared as; `optional` allows it to be absent (OCI, schema1).
 */
export function checkMediaTypeField(
  object: JsonObject,
  declared: string,
  where: Where,
  options: { optional: boolean; alsoAccepted?: readonly string[] },
): void {
  const value = readString(object, "mediaType", where);
  if (value === "" && options.optional) return;
  if (value === declared || options.alsoAccepted?.includes(value)) return;
  throw invalid(
    where,
    value === ""
      ? `missing mediaType (expected "${declared}")`
      : `mediaType "${value}" does not match the declared type "${declared}"`,
  );
}
