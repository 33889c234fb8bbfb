/**
 * Docker schema1 manifests (signed and unsigned): JSON shapes, parsing into
 * base-first layers with the parsed v1Compatibility history, and the JWS
 * payload a signed manifest's digest covers.
 *
 * @module
 */
import { InvalidContentError } from "../errors.ts";
import type { Descriptor } from "../types.ts";
import {
  checkMediaTypeField,
  checkSchemaVersion,
  rejectAmbiguous,
} from "./_common.ts";
import { normalizeGoTime } from "./_go_time.ts";
import {
  at,
  decodeJson,
  decodeObject,
  field,
  invalid,
  isObject,
  type JsonObject,
  readArray,
  readBoolean,
  readString,
  requireDigest,
  type Where,
} from "./_json.ts";
import {
  MEDIA_TYPE_DOCKER_LAYER_GZIP,
  MEDIA_TYPE_DOCKER_SCHEMA1,
  MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
} from "./media_types.ts";
import type { ParsedImageManifest } from "./parsed_manifest.ts";

/** One JWS signature of a signed schema1 manifest, as JSON (libtrust format). */
export interface Schema1SignatureJson {
  /** The JWS unprotected header: signing key and algorithm. */
  header: { jwk?: Record<string, unknown>; alg: string; x5c?: string[] };
  /** The base64url signature. */
  signature: string;
  /** Base64url JSON holding `formatLength`, `formatTail` and `time`. */
  protected: string;
}

/** A Docker schema1 manifest as JSON. */
export interface DockerSchema1Json {
  /** Format version. */
  schemaVersion: 1;
  /** Repository name. */
  name: string;
  /** Tag. */
  tag: string;
  /** CPU architecture (GOARCH names). */
  architecture: string;
  /** Layer blobs, top-most first. */
  fsLayers: { blobSum: string }[];
  /** One entry per fsLayer, top-most first; each a JSON text. */
  history: { v1Compatibility: string }[];
  /** Present in the `prettyjws` form. */
  signatures?: Schema1SignatureJson[];
}

/** The fields of a v1Compatibility entry that the engine uses. */
export interface Schema1V1Compatibility {
  /** The v1 layer ID (64 hex characters). */
  readonly id: string;
  /** The parent's v1 ID; `""` for the base layer. */
  readonly parent: string;
  /** `created` as Go re-marshals it; Go's zero time when absent. */
  readonly created: string;
  /** Whether the layer is empty ("throwaway"). */
  readonly throwaway: boolean;
  /** The entry's JSON text, for the other fields (config, os, docker_version…). */
  readonly json: string;
}

/** What only schema1 carries, kept for inspect and conversions. */
export interface Schema1Details {
  /** Repository name recorded in the manifest. */
  readonly name: string;
  /** Tag recorded in the manifest. */
  readonly tag: string;
  /** Architecture recorded in the manifest. */
  readonly architecture: string;
  /**
   * The history, top-most layer first as in the manifest, after dropping
   * repeated consecutive IDs like containers/image; `history[0]` holds the
   * image's configuration.
   */
  readonly history: readonly Schema1V1Compatibility[];
}

const V1_ID = /^[a-f0-9]{64}$/;

function readV1Compatibility(
  entry: unknown,
  where: Where,
): Schema1V1Compatibility {
  if (!isObject(entry)) throw invalid(where, "expected an object");
  const text = readString(entry, "v1Compatibility", where);
  const inner = at(where, "v1Compatibility");
  const value = decodeJson(new TextEncoder().encode(text), inner);
  // Go leaves a struct untouched on `null`, and then the ID check fails.
  const object: JsonObject = value === null
    ? {}
    : isObject(value)
    ? value
    : (() => {
      throw invalid(inner, "expected a JSON object");
    })();
  const createdValue = field(object, "created");
  let created = "0001-01-01T00:00:00Z";
  if (typeof createdValue === "string") {
    try {
      created = normalizeGoTime(createdValue);
    } catch (error) {
      throw invalid(at(inner, "created"), (error as Error).message);
    }
  } else if (createdValue !== undefined && createdValue !== null) {
    throw invalid(at(inner, "created"), "expected a string");
  }
  const id = readString(object, "id", inner);
  if (!V1_ID.test(id)) {
    throw invalid(at(inner, "id"), `image ID "${id}" is invalid`);
  }
  return {
    id,
    parent: readString(object, "parent", inner),
    created,
    throwaway: readBoolean(object, "throwaway", inner),
    json: text,
  };
}

/** containers/image `fixManifestLayers`: validate the ID chain, drop repeated IDs. */
function fixLayers(
  fsLayers: Descriptor[],
  history: Schema1V1Compatibility[],
  where: Where,
): void {
  const base = history[history.length - 1]!;
  if (base.parent !== "") {
    throw invalid(
      where,
      `the base layer has parent ID "${base.parent}"; it must have none`,
    );
  }
  const seen = new Set<string>();
  let last = "";
  for (const entry of history) {
    if (entry.id !== last && seen.has(entry.id)) {
      throw invalid(where, `ID ${entry.id} appears multiple times in history`);
    }
    last = entry.id;
    seen.add(last);
  }
  for (let i = history.length - 2; i >= 0; i--) {
    if (history[i]!.id === history[i + 1]!.id) {
      history.splice(i, 1);
      fsLayers.splice(i, 1);
    } else if (history[i]!.parent !== history[i + 1]!.id) {
      throw invalid(
        where,
        `history entry ${i} has parent ID "${history[i]!.parent}", expected ${
          history[i + 1]!.id
        }`,
      );
    }
  }
}

/**
 * Parses a Docker schema1 manifest, signed or not. Layers come out base
 * first (fsLayers reversed), with size -1 and the Docker gzip layer type.
 *
 * @example
 * ```ts
 * import { parseDockerSchema1 } from "./docker_schema1.ts";
 * const id = "a".repeat(64);
 * const m = parseDockerSchema1(new TextEncoder().encode(JSON.stringify({
 *   schemaVersion: 1, name: "library/x", tag: "1",
 *   fsLayers: [{ blobSum: "sha256:" + "b".repeat(64) }],
 *   history: [{ v1Compatibility: JSON.stringify({ id }) }],
 * })));
 * console.assert(m.layers[0]?.size === -1 && m.schema1?.tag === "1");
 * ```
 *
 * @param bytes The manifest as stored.
 * @param options `signed`: it was declared as the `prettyjws` type (default: guessed from `signatures`).
 * @returns The parsed manifest.
 * @throws {InvalidContentError} When the bytes are not a valid schema1 manifest.
 */
export function parseDockerSchema1(
  bytes: Uint8Array,
  options: { signed?: boolean } = {},
): ParsedImageManifest {
  const where: Where = { what: "Docker schema1 manifest", path: "" };
  const object = decodeObject(bytes, where);
  const signed = options.signed ??
    (field(object, "signatures") ?? null) !== null;
  const mediaType = signed
    ? MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED
    : MEDIA_TYPE_DOCKER_SCHEMA1;
  checkSchemaVersion(object, 1, where);
  checkMediaTypeField(object, mediaType, where, {
    optional: true,
    alsoAccepted: [MEDIA_TYPE_DOCKER_SCHEMA1, MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED],
  });
  rejectAmbiguous(object, ["fsLayers", "history"], where);
  const name = readString(object, "name", where);
  const tag = readString(object, "tag", where);
  const architecture = readString(object, "architecture", where);
  const fsLayers = (readArray(object, "fsLayers", where) ?? []).map(
    (entry, i): Descriptor => {
      const w = at(at(where, "fsLayers"), i);
      if (!isObject(entry)) throw invalid(w, "expected an object");
      return {
        mediaType: MEDIA_TYPE_DOCKER_LAYER_GZIP,
        digest: requireDigest(entry, "blobSum", w),
        size: -1,
      };
    },
  );
  const historyJson = readArray(object, "history", where) ?? [];
  if (fsLayers.length !== historyJson.length) {
    throw invalid(
      where,
      `history has ${historyJson.length} entries but fsLayers has ${fsLayers.length}`,
    );
  }
  if (fsLayers.length === 0) throw invalid(at(where, "fsLayers"), "no layers");
  const history = historyJson.map((entry, i) =>
    readV1Compatibility(entry, at(at(where, "history"), i))
  );
  fixLayers(fsLayers, history, where);
  return {
    kind: "image",
    mediaType,
    schemaVersion: 1,
    config: undefined,
    layers: fsLayers.reverse(),
    schema1: { name, tag, architecture, history },
  };
}

/** libtrust `joseBase64UrlDecode`: unpadded base64url, spaces and newlines ignored. */
function joseBase64UrlDecode(text: string, what: string): Uint8Array {
  const compact = text.replaceAll("\n", "").replaceAll(" ", "");
  if (compact.length % 4 === 1 || !/^[A-Za-z0-9_-]*$/.test(compact)) {
    throw new InvalidContentError(
      `Invalid signed schema1 manifest: ${what} is not base64url`,
    );
  }
  const binary = atob(compact.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * The bytes a signed schema1 manifest's digest covers: the manifest with its
 * JWS `signatures` removed, rebuilt from the protected headers'
 * `formatLength` and `formatTail` (libtrust `ParsePrettySignature` +
 * `Payload()`, as containers/image `manifest.Digest` uses them). Signatures
 * are not verified.
 *
 * @example
 * ```ts
 * import { schema1SignedPayload } from "./docker_schema1.ts";
 * const protectedHeader = btoa(JSON.stringify({ formatLength: 18, formatTail: "fQ" }))
 *   .replace(/=+$/, "");
 * const text = `{"schemaVersion":1,"signatures":[{"protected":"${protectedHeader}"}]}`;
 * const payload = new TextDecoder().decode(schema1SignedPayload(new TextEncoder().encode(text)));
 * console.assert(payload === '{"schemaVersion":1}');
 * ```
 *
 * @param bytes The signed manifest as stored.
 * @returns The signed payload.
 * @throws {InvalidContentError} When the JWS part is malformed.
 */
export function schema1SignedPayload(bytes: Uint8Array): Uint8Array {
  const where: Where = { what: "signed schema1 manifest", path: "" };
  const object = decodeObject(bytes, where);
  if (!Object.hasOwn(object, "signatures")) {
    throw invalid(where, "missing signatures");
  }
  const blocks = object["signatures"] ?? [];
  if (!Array.isArray(blocks)) {
    throw invalid(at(where, "signatures"), "expected an array");
  }
  let formatLength = 0;
  let formatTail: Uint8Array = new Uint8Array();
  blocks.forEach((block: unknown, i) => {
    const w = at(at(where, "signatures"), i);
    if (block !== null && !isObject(block)) {
      throw invalid(w, "expected an object");
    }
    const signature = block ?? {};
    const header = field(signature, "header");
    if (header !== undefined && header !== null && !isObject(header)) {
      throw invalid(at(w, "header"), "expected an object");
    }
    const protectedText = readString(signature, "protected", w);
    const decoded = joseBase64UrlDecode(protectedText, `${w.path}.protected`);
    const protectedHeader = decodeJson(decoded, at(w, "protected"));
    const headerObject = isObject(protectedHeader) ? protectedHeader : {};
    const length = headerObject["formatLength"];
    if (
      typeof length !== "number" || !Object.hasOwn(headerObject, "formatLength")
    ) {
      throw invalid(at(w, "protected"), "missing formatLength");
    }
    const tailText = headerObject["formatTail"];
    if (typeof tailText !== "string") {
      throw invalid(at(w, "protected"), "missing formatTail");
    }
    const tail = joseBase64UrlDecode(
      tailText,
      `${w.path}.protected.formatTail`,
    );
    const truncated = Math.trunc(length);
    if (formatLength === 0) formatLength = truncated;
    else if (formatLength !== truncated) {
      throw invalid(where, "conflicting formatLength in signatures");
    }
    if (formatTail.length === 0) formatTail = tail;
    else if (!sameBytes(formatTail, tail)) {
      throw invalid(where, "conflicting formatTail in signatures");
    }
    const jwk = isObject(header) ? field(header, "jwk") : undefined;
    if (
      jwk !== undefined && !(isObject(jwk) && typeof jwk["kty"] === "string")
    ) {
      throw invalid(at(at(w, "header"), "jwk"), "not a JSON web key");
    }
  });
  if (formatLength > bytes.length || formatLength < 0) {
    throw invalid(
      where,
      `formatLength ${formatLength} is outside the manifest (${bytes.length} bytes)`,
    );
  }
  const payload = new Uint8Array(formatLength + formatTail.length);
  payload.set(bytes.subarray(0, formatLength));
  payload.set(formatTail, formatLength);
  return payload;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
