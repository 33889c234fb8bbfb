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
  /** The content's MIME type. */
  mediaType: string;
  /** The content's digest. */
  digest: Digest;
  /** The content's size in bytes. */
  size: number;
  /** Where foreign (non-distributable) content can be fetched. */
  urls?: string[];
  /** Arbitrary metadata (e.g. `org.opencontainers.image.ref.name`). */
  annotations?: Record<string, string>;
  /** The platform of an image in an index. */
  platform?: Platform;
  /** The artifact type, for OCI artifacts. */
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
  /** CPU architecture, Go's names (`amd64`, `arm64`, `arm`…). */
  architecture: string;
  /** Operating system (`linux`, `windows`…). */
  os: string;
  /** CPU variant (`v8`, `v7`…). */
  variant?: string;
  /** OS version (Windows). */
  "os.version"?: string;
  /** Required OS features. */
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
