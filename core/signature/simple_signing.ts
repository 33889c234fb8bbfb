/**
 * The "atomic container signature" payload of simple signing: which manifest
 * digest a key vouches for, under which Docker reference. Built byte-for-byte
 * as containers/image writes it (Go map order: sorted keys) and parsed as
 * strictly (unknown critical keys are errors; unknown optional keys are not).
 *
 * @module
 */
import { goJsonStringify } from "../copy/go_json.ts";

/** The `critical.type` every simple-signing payload carries. */
export const SIGNATURE_TYPE = "atomic container signature";

/** The payload's content, before any key has vouched for it. */
export interface SimpleSigningPayload {
  /** `critical.image["docker-manifest-digest"]`. */
  dockerManifestDigest: string;
  /** `critical.identity["docker-reference"]`. */
  dockerReference: string;
  /** `optional.creator`, e.g. `atomic 5.23.1`. */
  creator?: string | undefined;
  /** `optional.timestamp`, seconds since the epoch. */
  timestamp?: number | undefined;
}

/** A signature or payload that is not acceptable. */
export class InvalidSignatureError extends Error {
  /**
   * Creates an instance.
   *
   * @param message What is wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "InvalidSignatureError";
  }
}

/** Options of {@linkcode buildPayload} and {@linkcode parsePayload}. */
export interface PayloadOptions {
  /** `critical.type`: {@linkcode SIGNATURE_TYPE} by default; sigstore has its own. */
  type?: string | undefined;
}

/**
 * Serialises a payload as containers/image does.
 *
 * @throws {InvalidSignatureError} When the digest or reference is empty.
 */
export function buildPayload(
  payload: SimpleSigningPayload,
  options: PayloadOptions = {},
): Uint8Array {
  if (!payload.dockerManifestDigest || !payload.dockerReference) {
    throw new InvalidSignatureError("Unexpected empty signature content");
  }
  const optional: Record<string, unknown> = {};
  if (payload.creator !== undefined) optional.creator = payload.creator;
  if (payload.timestamp !== undefined) optional.timestamp = payload.timestamp;
  return new TextEncoder().encode(goJsonStringify({
    critical: {
      identity: { "docker-reference": payload.dockerReference },
      image: { "docker-manifest-digest": payload.dockerManifestDigest },
      type: options.type ?? SIGNATURE_TYPE,
    },
    optional,
  }));
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidSignatureError(`${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** The object's fields, which must be exactly `keys`. */
function exactFields(
  value: unknown,
  what: string,
  keys: readonly string[],
): Record<string, unknown> {
  const fields = object(value, what);
  for (const key of Object.keys(fields)) {
    if (!keys.includes(key)) {
      throw new InvalidSignatureError(`Unknown key "${key}" in ${what}`);
    }
  }
  for (const key of keys) {
    if (!(key in fields)) {
      throw new InvalidSignatureError(`Key "${key}" missing in ${what}`);
    }
  }
  return fields;
}

function string(value: unknown, what: string): string {
  if (typeof value !== "string") {
    throw new InvalidSignatureError(`${what} is not a string`);
  }
  return value;
}

/**
 * Parses a payload (the content of a verified OpenPGP message).
 *
 * @throws {InvalidSignatureError} When it is not a valid payload.
 */
export function parsePayload(
  bytes: Uint8Array,
  options: PayloadOptions = {},
): SimpleSigningPayload {
  const expectedType = options.type ?? SIGNATURE_TYPE;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new InvalidSignatureError((error as Error).message);
  }
  const top = exactFields(json, "the signature", ["critical", "optional"]);
  const critical = exactFields(top.critical, "critical", [
    "type",
    "image",
    "identity",
  ]);
  const type = string(critical.type, "critical.type");
  if (type !== expectedType) {
    throw new InvalidSignatureError(`Unrecognized signature type ${type}`);
  }
  const image = exactFields(critical.image, "critical.image", [
    "docker-manifest-digest",
  ]);
  const identity = exactFields(critical.identity, "critical.identity", [
    "docker-reference",
  ]);
  const payload: SimpleSigningPayload = {
    dockerManifestDigest: string(
      image["docker-manifest-digest"],
      "docker-manifest-digest",
    ),
    dockerReference: string(identity["docker-reference"], "docker-reference"),
  };
  // Unknown optional keys are ignored, as containers/image does.
  // cosign writes `"optional": null` when it has nothing to say.
  const optional = top.optional === null && expectedType !== SIGNATURE_TYPE
    ? {}
    : object(top.optional, "optional");
  if ("creator" in optional) {
    payload.creator = string(optional.creator, "optional.creator");
  }
  if ("timestamp" in optional) {
    const timestamp = optional.timestamp;
    if (typeof timestamp !== "number" || !Number.isSafeInteger(timestamp)) {
      throw new InvalidSignatureError(
        "Field optional.timestamp is not an integer",
      );
    }
    payload.timestamp = timestamp;
  }
  return payload;
}
