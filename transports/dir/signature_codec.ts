/**
 * Signatures as skopeo stores them in files (`dir:` `signature-N`, lookaside
 * storage): simple-signing bytes as they are; other formats behind a
 * `\0<format>\n` header, sigstore as JSON with a base64 payload.
 *
 * @module
 */
import { InvalidContentError } from "../../core/errors.ts";
import type { Signature } from "../../core/types.ts";
import { decodeSignature, encodeSignature } from "./layout.ts";

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** Serialises a signature for a file. */
export function signatureToFile(signature: Signature): Uint8Array {
  if (signature.format === "simple-signing") {
    return encodeSignature("simple-signing", signature.bytes);
  }
  const json = JSON.stringify({
    mimeType: signature.mediaType ?? "",
    payload: toBase64(signature.bytes),
    annotations: signature.annotations ?? {},
  });
  return encodeSignature("sigstore-json", new TextEncoder().encode(json));
}

/**
 * Parses a signature file.
 *
 * @throws {InvalidContentError} For an unknown format or bad JSON.
 */
export function signatureFromFile(data: Uint8Array, name: string): Signature {
  const { format, bytes } = decodeSignature(data);
  if (format === "simple-signing") return { format, bytes };
  if (format !== "sigstore-json") {
    throw new InvalidContentError(
      `Unsupported signature format "${format}" in ${name}`,
    );
  }
  try {
    const json = JSON.parse(new TextDecoder().decode(bytes)) as {
      mimeType?: string;
      payload?: string;
      annotations?: Record<string, string>;
    };
    return {
      format: "sigstore",
      bytes: fromBase64(json.payload ?? ""),
      mediaType: json.mimeType ?? "",
      annotations: json.annotations ?? {},
    };
  } catch (error) {
    throw new InvalidContentError(`Invalid sigstore signature in ${name}`, {
      cause: error,
    });
  }
}
