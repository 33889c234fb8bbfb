/**
 * Signatures of registry images, as containers/image keeps them: simple
 * signing in lookaside storage (registries.d), sigstore signatures as
 * attachments in the registry itself (an OCI manifest tagged
 * `sha256-<hex>.sig`, one layer per signature payload, the base64
 * signature in a layer annotation), only where `use-sigstore-attachments`
 * is on.
 *
 * @module
 */
import { digestHex, digestOf, verifyBytes } from "../../core/digest.ts";
import { goJsonStringify } from "../../core/copy/go_json.ts";
import {
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_MANIFEST,
} from "../../core/manifest/media_types.ts";
import type { Logger } from "../../core/transport.ts";
import type { Digest, ManifestBlob, Signature } from "../../core/types.ts";
import type { RegistryClient } from "./client.ts";
import {
  deleteLookasideSignatures,
  readLookasideSignatures,
  writeLookasideSignatures,
} from "./lookaside.ts";
import type { DockerName } from "../../core/docker_name.ts";
import { registryErrorFromResponse } from "./registry_error.ts";
import {
  loadRegistriesD,
  lookasideBaseUrl,
  registriesDirPath,
  usesSigstoreAttachments,
} from "./registries_d.ts";
import type { DockerSettings } from "./settings.ts";
import { fetchManifest, MAX_MANIFEST_SIZE, readLimited } from "./source.ts";

/** Largest attachment payload or config read. */
const MAX_ATTACHMENT_SIZE = 4 * 1024 * 1024;

/** What signature storage needs from an open source or destination. */
export interface SignatureContext {
  /** A client of the (physical) repository. */
  client: RegistryClient;
  /** Its name. */
  name: DockerName;
  /** The transport settings (`registriesDirPath`, `getEnv`). */
  settings: DockerSettings;
  /** Debug output. */
  logger?: Logger | undefined;
  /** Cancellation. */
  signal?: AbortSignal | undefined;
}

/** The tag of the sigstore attachment of `digest`. */
export function sigstoreAttachmentTag(digest: Digest): string {
  return `sha256-${digestHex(digest)}.sig`;
}

function config(context: SignatureContext) {
  return loadRegistriesD(registriesDirPath(context.settings));
}

interface OciDescriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string>;
}

interface AttachmentManifest {
  config: OciDescriptor;
  layers: OciDescriptor[];
}

/**
 * The attachment manifest of `digest`, or undefined when there is none (a
 * failed fetch counts as none, as in containers/image).
 */
async function getAttachmentManifest(
  context: SignatureContext,
  digest: Digest,
): Promise<AttachmentManifest | undefined> {
  const tag = sigstoreAttachmentTag(digest);
  let blob: ManifestBlob;
  try {
    blob = await fetchManifest(context.client, tag, {
      signal: context.signal,
      imageName: `${context.name.domain}/${context.name.path}:${tag}`,
    });
  } catch (error) {
    context.signal?.throwIfAborted();
    context.logger?.debug(
      `Fetching sigstore attachment manifest failed, assuming it does not exist: ${
        (error as Error).message
      }`,
    );
    return undefined;
  }
  if (blob.mediaType !== MEDIA_TYPE_OCI_MANIFEST) {
    throw new Error(
      `unexpected MIME type for sigstore attachment manifest ${tag}: ${
        JSON.stringify(blob.mediaType)
      }`,
    );
  }
  const parsed = JSON.parse(new TextDecoder().decode(blob.bytes)) as Partial<
    AttachmentManifest
  >;
  return { config: parsed.config!, layers: parsed.layers ?? [] };
}

async function getBlobBytes(
  context: SignatureContext,
  descriptor: OciDescriptor,
): Promise<Uint8Array> {
  const path = `/v2/${context.client.repository}/blobs/${descriptor.digest}`;
  const response = await context.client.request("GET", path, {
    signal: context.signal,
  });
  if (response.status !== 200) {
    throw await registryErrorFromResponse(response, {
      method: "GET",
      url: context.client.url(path),
      context: `fetching ${descriptor.digest}`,
    });
  }
  const bytes = await readLimited(
    response,
    MAX_ATTACHMENT_SIZE,
    `fetching ${descriptor.digest}`,
  );
  verifyBytes(bytes, descriptor.digest, `blob ${descriptor.digest}`);
  return bytes;
}

/**
 * Reads the signatures of the image whose manifest has `digest`: the
 * lookaside ones, then (when enabled) the sigstore attachments.
 *
 * @returns The signatures, lookaside first.
 */
export async function getDockerSignatures(
  context: SignatureContext,
  digest: Digest,
): Promise<Signature[]> {
  const registries = await config(context);
  const base = lookasideBaseUrl(registries, context.name, {
    write: false,
    getEnv: context.settings.getEnv,
  });
  const signatures = await readLookasideSignatures(base, digest, {
    signal: context.signal,
  });
  if (!usesSigstoreAttachments(registries, context.name)) return signatures;
  const manifest = await getAttachmentManifest(context, digest);
  if (!manifest) return signatures;
  context.logger?.debug(
    `Found a sigstore attachment manifest with ${manifest.layers.length} layers`,
  );
  for (const layer of manifest.layers) {
    // Every attachment, not only signatures: the policy sorts them out.
    signatures.push({
      format: "sigstore",
      bytes: await getBlobBytes(context, layer),
      mediaType: layer.mediaType,
      annotations: layer.annotations ?? {},
    });
  }
  return signatures;
}

/** Uploads bytes as a blob of the repository (the destination's `putBlob`). */
export type PutBlobBytes = (bytes: Uint8Array, digest: Digest) => Promise<void>;

function sameAnnotations(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  const left = Object.entries(a ?? {}).sort();
  const right = Object.entries(b ?? {}).sort();
  return JSON.stringify(left) === JSON.stringify(right);
}

async function putAttachments(
  context: SignatureContext,
  digest: Digest,
  signatures: readonly Signature[],
  putBlob: PutBlobBytes,
): Promise<void> {
  const existing = await getAttachmentManifest(context, digest);
  const layers = [...existing?.layers ?? []];
  let diffIds: string[] = [];
  let configObject: Record<string, unknown> = {
    architecture: "",
    os: "",
    config: {},
    rootfs: { type: "layers", diff_ids: diffIds },
  };
  if (existing) {
    configObject = JSON.parse(
      new TextDecoder().decode(await getBlobBytes(context, existing.config)),
    );
    const rootfs =
      (configObject.rootfs ??= { type: "layers", diff_ids: [] }) as {
        diff_ids?: string[];
      };
    diffIds = rootfs.diff_ids ??= [];
  }
  for (const signature of signatures) {
    const payloadDigest = digestOf(signature.bytes);
    if (
      layers.some((layer) =>
        layer.mediaType === signature.mediaType &&
        layer.digest === payloadDigest &&
        sameAnnotations(layer.annotations, signature.annotations)
      )
    ) {
      context.logger?.debug(
        `Signature with digest ${payloadDigest} already exists on the registry`,
      );
      continue;
    }
    await putBlob(signature.bytes, payloadDigest);
    const layer: OciDescriptor = {
      mediaType: signature.mediaType ?? "",
      digest: payloadDigest,
      size: signature.bytes.length,
    };
    if (signature.annotations && Object.keys(signature.annotations).length) {
      layer.annotations = sortedObject(signature.annotations);
    }
    layers.push(layer);
    diffIds.push(payloadDigest);
  }
  const configBytes = new TextEncoder().encode(goJsonStringify(configObject));
  const configDigest = digestOf(configBytes);
  await putBlob(configBytes, configDigest);
  const manifest = new TextEncoder().encode(goJsonStringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    config: {
      mediaType: MEDIA_TYPE_OCI_CONFIG,
      digest: configDigest,
      size: configBytes.length,
    },
    layers,
  }));
  if (manifest.length > MAX_MANIFEST_SIZE) {
    throw new Error("sigstore attachment manifest too large");
  }
  const tag = sigstoreAttachmentTag(digest);
  const path = `/v2/${context.client.repository}/manifests/${tag}`;
  const response = await context.client.request("PUT", path, {
    headers: { "Content-Type": MEDIA_TYPE_OCI_MANIFEST },
    body: manifest,
    signal: context.signal,
  });
  if (response.status < 200 || response.status >= 300) {
    throw await registryErrorFromResponse(response, {
      method: "PUT",
      url: context.client.url(path),
      context:
        `uploading manifest ${tag} to ${context.name.domain}/${context.name.path}`,
    });
  }
  await response.body?.cancel();
}

/** Go marshals maps with sorted keys. */
function sortedObject(
  record: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
  );
}

/**
 * Deletes the lookaside signatures of a deleted manifest (write location),
 * as containers/image does after a successful `DELETE`.
 *
 * @throws {Error} When the location cannot be changed (not `file://`).
 */
export async function deleteDockerSignatures(
  context: Pick<SignatureContext, "name" | "settings">,
  digest: Digest,
): Promise<void> {
  const registries = await loadRegistriesD(registriesDirPath(context.settings));
  const base = lookasideBaseUrl(registries, context.name, {
    write: true,
    getEnv: context.settings.getEnv,
  });
  await deleteLookasideSignatures(base, digest);
}

/**
 * Stores the signatures of the manifest with `digest`: sigstore ones as
 * attachments (refused unless `use-sigstore-attachments` is on), the
 * others in lookaside storage.
 *
 * @throws {Error} containers/image's messages when storage is not possible.
 */
export async function putDockerSignatures(
  context: SignatureContext,
  digest: Digest,
  signatures: readonly Signature[],
  putBlob: PutBlobBytes,
): Promise<void> {
  if (signatures.length === 0) return;
  const sigstore = signatures.filter((s) => s.format === "sigstore");
  const others = signatures.filter((s) => s.format !== "sigstore");
  const registries = await config(context);
  if (sigstore.length > 0) {
    if (!usesSigstoreAttachments(registries, context.name)) {
      throw new Error(
        "writing sigstore attachments is disabled by configuration",
      );
    }
    await putAttachments(context, digest, sigstore, putBlob);
  }
  if (others.length > 0) {
    const base = lookasideBaseUrl(registries, context.name, {
      write: true,
      getEnv: context.settings.getEnv,
    });
    await writeLookasideSignatures(base, digest, others);
  }
}
