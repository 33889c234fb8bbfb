/**
 * A signature as one file (containers/image `signature.Blob`): the bytes of
 * a simple signing as they are; any other format behind a `\0<format>\n`
 * header, sigstore as JSON `{mimeType, payload (base64), annotations}`.
 * Used by lookaside storage; `dir:` writes the same bytes.
 *
 * @module
 */
import type { Signature } from "../types.ts";
import { InvalidSignatureError } from "./simple_signing.ts";

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

/**
 * Serialises a signature as one file.
 *
 * @returns The file's bytes.
 */
export function signatureToBlob(signature: Signature): Uint8Array {
  if (signature.format === "simple-signing") return signature.bytes;
  const body = JSON.stringify({
    mimeType: signature.mediaType ?? "",
    payload: toBase64(signature.bytes),
    annotations: signature.annotations ?? {},
  });
  return new TextEncoder().encode(`\0sigstore-json\n${body}`);
}

/**
 * Parses a signature file.
 *
 * @throws {InvalidSignatureError} For an unknown format or bad JSON.
 */
export function signatureFromBlob(data: Uint8Array): Signature {
  if (data[0] !== 0) return { format: "simple-signing", bytes: data };
  const newline = data.indexOf(0x0a);
  const end = newline < 0 ? data.length : newline;
  const format = new TextDecoder().decode(data.subarray(1, end));
  const body = data.subarray(newline < 0 ? data.length : newline + 1);
  if (format === "simple-signing") return { format, bytes: body };
  if (format !== "sigstore-json") {
    throw new InvalidSignatureError(
      `unrecognized signature format "${format}"`,
    );
  }
  try {
    const json = JSON.parse(new TextDecoder().decode(body)) as {
      mimeType?: string;
      payload?: string;
      annotations?: Record<string, string>;
    };
    return {
      format: "sigstore",
      bytes: Uint8Array.from(atob(json.payload ?? ""), (c) => c.charCodeAt(0)),
      mediaType: json.mimeType ?? "",
      annotations: json.annotations ?? {},
    };
  } catch (error) {
    throw new InvalidSignatureError(
      `invalid sigstore signature: ${(error as Error).message}`,
    );
  }
}
