/**
 * Descriptor and platform reading shared by the OCI and Docker formats.
 *
 * @module
 */
import type { Descriptor, Platform } from "../types.ts";
import {
  at,
  invalid,
  isObject,
  type JsonObject,
  readArray,
  readInteger,
  readObject,
  readString,
  readStringArray,
  readStringMap,
  requireDigest,
  type Where,
} from "./_json.ts";

/** Reads a platform object (OCI `platform`, Docker `platform`). */
export function readPlatform(object: JsonObject, where: Where): Platform {
  const platform: Platform = {
    architecture: readString(object, "architecture", where),
    os: readString(object, "os", where),
  };
  const variant = readString(object, "variant", where);
  if (variant !== "") platform.variant = variant;
  const osVersion = readString(object, "os.version", where);
  if (osVersion !== "") platform["os.version"] = osVersion;
  const osFeatures = readStringArray(object, "os.features", where);
  if (osFeatures !== undefined && osFeatures.length > 0) {
    platform["os.features"] = osFeatures;
  }
  return platform;
}

/** Reads one descriptor; digest and size are required, the rest optional. */
export function readDescriptor(value: unknown, where: Where): Descriptor {
  if (!isObject(value)) throw invalid(where, "expected a descriptor object");
  const size = readInteger(value, "size", where);
  if (size === undefined) throw invalid(at(where, "size"), "missing");
  const descriptor: Descriptor = {
    mediaType: readString(value, "mediaType", where),
    digest: requireDigest(value, "digest", where),
    size,
  };
  const urls = readStringArray(value, "urls", where);
  if (urls !== undefined && urls.length > 0) descriptor.urls = urls;
  const annotations = readStringMap(value, "annotations", where);
  if (annotations !== undefined) descriptor.annotations = annotations;
  const platform = readObject(value, "platform", where);
  if (platform !== undefined) {
    descriptor.platform = readPlatform(platform, at(where, "platform"));
  }
  const artifactType = readString(value, "artifactType", where);
  if (artifactType !== "") descriptor.artifactType = artifactType;
  return descriptor;
}

/** Reads a required array of descriptors. */
export function readDescriptors(
  object: JsonObject,
  name: string,
  where: Where,
): Descriptor[] {
  const array = readArray(object, name, where);
  if (array === undefined) throw invalid(at(where, name), "missing");
  return array.map((item, i) => readDescriptor(item, at(at(where, name), i)));
}

/** Reads an optional descriptor (OCI `subject`). */
export function readOptionalDescriptor(
  object: JsonObject,
  name: string,
  where: Where,
): Descriptor | undefined {
  const value = readObject(object, name, where);
  return value === undefined
    ? undefined
    : readDescriptor(value, at(where, name));
}
