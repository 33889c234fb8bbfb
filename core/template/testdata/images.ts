/**
 * Tiny deterministic OCI images for the skopeo differential tests: written
 * as an OCI layout skopeo can inspect offline, and described as the
 * `inspect.Output` fields skopeo 1.9.3 derives from them (a local stand-in
 * for `buildInspectInfo`, limited to these OCI images).
 *
 * @module
 */

import { digestOf } from "../../digest.ts";
import type { InspectOutputFields } from "../inspect_output.ts";

/** One test image. */
export interface FixtureImage {
  /** The ref name in index.json (`oci:DIR:NAME`). */
  readonly name: string;
  /** The OCI image config. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Layer contents and annotations. */
  readonly layers: ReadonlyArray<{ bytes: string; annotations?: Record<string, string> }>;
}

/** The images the golden cases use. */
export const FIXTURE_IMAGES: readonly FixtureImage[] = [
  {
    name: "full",
    config: {
      created: "2024-01-02T03:04:05.123456789Z",
      author: "Jane",
      architecture: "amd64",
      os: "linux",
      config: {
        User: "1000",
        ExposedPorts: { "80/tcp": {}, "443/tcp": {} },
        Entrypoint: ["/bin/sh", "-c"],
        Cmd: ["echo hi"],
        WorkingDir: "/app",
        StopSignal: "SIGTERM",
        Env: ["PATH=/usr/local/bin:/usr/bin", "FOO=bar baz"],
        Labels: {
          "maintainer": "Jane <jane@example.org>",
          "org.opencontainers.image.version": "1.2.3",
          "a.b": "c&d",
          "empty": "",
          "unicode": "héllo wörld",
        },
      },
      rootfs: { type: "layers", diff_ids: ["sha256:" + "1".repeat(64), "sha256:" + "2".repeat(64)] },
      history: [
        { created: "2024-01-01T00:00:00Z", created_by: "RUN x", empty_layer: true },
        { created_by: "COPY y", comment: "c" },
      ],
    },
    layers: [
      { bytes: "layer one", annotations: { "org.example.k": "v" } },
      { bytes: "layer two" },
    ],
  },
  {
    name: "sparse",
    config: {
      created: "2023-05-06T07:08:09+02:00",
      architecture: "arm64",
      variant: "v8",
      os: "linux",
      docker_version: "20.10.1",
      config: {},
      rootfs: { type: "layers", diff_ids: [] },
    },
    layers: [{ bytes: "only layer" }],
  },
  {
    name: "bare",
    config: {
      architecture: "amd64",
      os: "linux",
      config: { Labels: {}, Env: [] },
      rootfs: { type: "layers", diff_ids: [] },
    },
    layers: [],
  },
];

const ENCODER = new TextEncoder();

interface Blob {
  bytes: Uint8Array;
  digest: string;
}

function blob(text: string): Blob {
  const bytes = ENCODER.encode(text);
  return { bytes, digest: digestOf(bytes) };
}

interface BuiltImage {
  manifest: Blob;
  config: Blob;
  layers: Blob[];
}

function build(image: FixtureImage): BuiltImage {
  const config = blob(JSON.stringify(image.config));
  const layers = image.layers.map((l) => blob(l.bytes));
  const manifest = blob(JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      digest: config.digest,
      size: config.bytes.length,
    },
    layers: image.layers.map((l, i) => ({
      mediaType: "application/vnd.oci.image.layer.v1.tar",
      digest: layers[i]!.digest,
      size: layers[i]!.bytes.length,
      ...(l.annotations ? { annotations: l.annotations } : {}),
    })),
  }));
  return { manifest, config, layers };
}

/**
 * Writes every fixture image into an OCI layout at `dir`.
 *
 * @param dir An empty directory.
 */
export async function writeOciLayout(dir: string): Promise<void> {
  await Deno.mkdir(`${dir}/blobs/sha256`, { recursive: true });
  await Deno.writeTextFile(`${dir}/oci-layout`, '{"imageLayoutVersion":"1.0.0"}');
  const manifests = [];
  for (const image of FIXTURE_IMAGES) {
    const built = build(image);
    for (const b of [built.manifest, built.config, ...built.layers]) {
      await Deno.writeFile(`${dir}/blobs/sha256/${b.digest.slice(7)}`, b.bytes);
    }
    manifests.push({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: built.manifest.digest,
      size: built.manifest.bytes.length,
      annotations: { "org.opencontainers.image.ref.name": image.name },
    });
  }
  await Deno.writeTextFile(`${dir}/index.json`, JSON.stringify({ schemaVersion: 2, manifests }));
}

// Go's time.Time JSON round trip: an offset of zero is written "Z".
function normalizeCreated(text: string): string {
  return text.replace(/[+-]00:00$/, "Z");
}

/**
 * The OCI config of a fixture image, as `inspect --config` reads it.
 *
 * @param name The image's ref name.
 */
export function ociConfigOf(name: string): Readonly<Record<string, unknown>> {
  const image = FIXTURE_IMAGES.find((i) => i.name === name);
  if (!image) throw new Error(`no fixture image ${name}`);
  return image.config;
}

/**
 * The inspect output skopeo 1.9.3 prints for a fixture image read through
 * `oci:` (no Name, no RepoTags).
 *
 * @param name The image's ref name.
 */
export function inspectFields(name: string): InspectOutputFields {
  const image = FIXTURE_IMAGES.find((i) => i.name === name);
  if (!image) throw new Error(`no fixture image ${name}`);
  const built = build(image);
  const c = image.config as {
    created?: string;
    architecture: string;
    os: string;
    docker_version?: string;
    config?: { Env?: string[]; Labels?: Record<string, string> };
  };
  return {
    Digest: built.manifest.digest,
    RepoTags: [],
    Created: c.created === undefined ? null : normalizeCreated(c.created),
    DockerVersion: c.docker_version ?? "",
    Labels: c.config?.Labels ?? null,
    Architecture: c.architecture,
    Os: c.os,
    Layers: built.layers.map((l) => l.digest),
    Env: c.config?.Env ?? null,
  };
}
