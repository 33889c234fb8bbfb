/**
 * JSON text as Go's `encoding/json` writes it, so manifests we generate have
 * the same bytes (and digests) as skopeo's.
 *
 * @module
 */

/**
 * Serialises like Go's `json.Marshal`: compact, keys in object order, and
 * `<`, `>`, `&`, U+2028, U+2029 escaped.
 *
 * @param value A JSON value whose objects list keys in Go struct order.
 * @returns The JSON text.
 */
export function goJsonStringify(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
