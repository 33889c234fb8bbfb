/**
 * Which manifest conversions exist, without the conversions themselves: the
 * copy engine decides from media types alone, and loads the converters
 * (`convert_manifest.ts`, `schema1_convert.ts`, `schema1_sign.ts`) only
 * for a copy that converts.
 *
 * @module
 */
import {
  MEDIA_TYPE_DOCKER_MANIFEST_LIST as DOCKER_LIST,
  MEDIA_TYPE_DOCKER_SCHEMA1,
  MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
  MEDIA_TYPE_DOCKER_SCHEMA2 as DOCKER_V2,
  MEDIA_TYPE_OCI_INDEX as OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST as OCI_MANIFEST,
} from "../manifest/media_types.ts";

/** Whether `mediaType` is one of the two schema1 types. */
export function isSchema1(mediaType: string): boolean {
  return mediaType === MEDIA_TYPE_DOCKER_SCHEMA1 ||
    mediaType === MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED;
}

/** Whether `schema1_convert.ts` converts `from` to `to`. */
export function canConvertSchema1(from: string, to: string): boolean {
  if (isSchema1(from)) {
    return to === DOCKER_V2 || to === OCI_MANIFEST || isSchema1(to);
  }
  return isSchema1(to) && (from === DOCKER_V2 || from === OCI_MANIFEST);
}

/** Whether `convert_manifest.ts` converts `from` to `to`. */
export function canConvertManifest(from: string, to: string): boolean {
  return (from === DOCKER_V2 && to === OCI_MANIFEST) ||
    (from === OCI_MANIFEST && to === DOCKER_V2) ||
    (from === DOCKER_LIST && to === OCI_INDEX) ||
    (from === OCI_INDEX && to === DOCKER_LIST);
}
