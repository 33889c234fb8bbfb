/**
 * Signatures as containers/image keeps them in a store: one big-data item
 * per manifest, the signatures concatenated, with their sizes in the
 * image's metadata. A simple-signing signature is stored as its raw bytes;
 * other formats as a zero byte, the format name, a newline and a JSON
 * object (containers/image's `signature.Blob`).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { InvalidContentError } from "../../core/errors.ts";
import type { Signature } from "../../core/types.ts";

/**
 * Splits a stored signatures item.
 *
 * @param data The concatenated signatures.
 * @param sizes Each signature's size, in order.
 * @returns The signatures.
 * @throws {InvalidContentError} When the sizes do not add up.
 */
export function decodeSignatures(
  data: Uint8Array,
  sizes: readonly number[],
): Signature[] {
  const out: Signature[] = [];
  let offset = 0;
  for (const size of sizes) {
    if (offset + size > data.length) {
      throw new InvalidContentError(
        "stored signatures are shorter than their recorded sizes",
      );
    }
    out.push(decodeOne(data.subarray(offset, offset + size)));
    offset += size;
  }
  return out;
}

function decodeOne(bytes: Uint8Array): Signature {
  if (bytes[0] !== 0) return { format: "simple-signing", bytes: bytes.slice() };
  const newline = bytes.indexOf(0x0a);
  const format = new TextDecoder().decode(bytes.subarray(1, newline));
  if (newline === -1 || format !== "sigstore-json") {
    throw new InvalidContentError(
      `unsupported stored signature format ${JSON.stringify(format)}`,
    );
  }
  const json = JSON.parse(
    new TextDecoder().decode(bytes.subarray(newline + 1)),
  );
  return {
    format: "sigstore",
    mediaType: String(json.mimeType ?? ""),
    bytes: new Uint8Array(Buffer.from(String(json.payload ?? ""), "base64")),
    annotations: json.annotations ?? {},
  };
}

/**
 * Serialises signatures for storage.
 *
 * @param signatures The signatures.
 * @returns The concatenated bytes and each one's size.
 */
export function encodeSignatures(
  signatures: readonly Signature[],
): { data: Uint8Array; sizes: number[] } {
  const parts = signatures.map((s) => {
    if (s.format === "simple-signing") return s.bytes;
    const json = JSON.stringify({
      mimeType: s.mediaType ?? "",
      payload: Buffer.from(s.bytes).toString("base64"),
      annotations: s.annotations ?? {},
    });
    return new Uint8Array([
      0,
      ...new TextEncoder().encode(`sigstore-json\n${json}`),
    ]);
  });
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    data.set(part, at);
    at += part.length;
  }
  return { data, sizes: parts.map((p) => p.length) };
}
