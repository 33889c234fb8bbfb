/**
 * Value types shared by the whole engine: digests, blob descriptions,
 * manifests as raw bytes, platforms and signatures.
 *
 * @module
 */

/** A content digest such as `sha256:<64 hex>`; create one with `parseDigest()`. */
export type Digest = string & { readonly __brand: "Digest" };

/** What is known about a blob before or after it moves. */
export interface BlobInfo {
  /** The blob's digest; absent only when a destination must compute it. */
  readonly digest?: Digest;
  /** Size in bytes; -1 or absent when unknown. */
  readonly size?: number;
  /** Media type from the manifest, when known. */
  readonly mediaType?: string;
  /** Foreign-layer URLs from the manifest. */
  readonly urls?: readonly string[];
  /** Descriptor annotations from the manifest. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An OCI content descriptor as it appears in manifests and indexes. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

/** A manifest exactly as stored: its bytes are what the digest covers. */
export interface ManifestBlob {
  /** The raw manifest bytes; never re-serialised. */
  readonly bytes: Uint8Array;
  /** The MIME type, from the transport or guessed from the content. */
  readonly mediaType: string;
}

/** An image platform, as in OCI image indexes. */
export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  "os.version"?: string;
  "os.features"?: string[];
}

/** An image signature in one of the formats skopeo knows. */
export interface Signature {
  /** `simple-signing` (OpenPGP) or `sigstore` (cosign attachment). */
  readonly format: "simple-signing" | "sigstore";
  /** The signature bytes (for sigstore: the payload). */
  readonly bytes: Uint8Array;
  /** Sigstore: the payload's media type. */
  readonly mediaType?: string;
  /** Sigstore: annotations such as the base64 signature. */
  readonly annotations?: Readonly<Record<string, string>>;
}
