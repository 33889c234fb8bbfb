/**
 * Test-data tooling: writes small, deterministic OCI layouts by hand (tar
 * layers gzipped with node:zlib, config, manifest, index.json), so that
 * skopeo can be run on them to record golden outputs.
 *
 * @module
 */
import { gzipSync } from "node:zlib";
import { digestOf } from "../../digest.ts";
import type { Digest } from "../../types.ts";

const ENCODER = new TextEncoder();

/** One regular file of a layer. */
export interface LayerFile {
  /** Path inside the layer. */
  path: string;
  /** File content. */
  content: string;
}

/** A minimal ustar archive of regular files (mode 0644, owner 0, fixed mtime). */
export function tarOf(files: readonly LayerFile[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const file of files) {
    const data = ENCODER.encode(file.content);
    const header = new Uint8Array(512);
    const put = (text: string, offset: number) =>
      header.set(ENCODER.encode(text), offset);
    put(file.path, 0);
    put("0000644\0", 100);
    put("0000000\0", 108);
    put("0000000\0", 116);
    put(data.length.toString(8).padStart(11, "0") + "\0", 124);
    put((1672531200).toString(8).padStart(11, "0") + "\0", 136); // 2023-01-01
    put("        ", 148);
    put("0", 156);
    put("ustar\0", 257);
    put("00", 263);
    const sum = header.reduce((total, byte) => total + byte, 0);
    put(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    const body = new Uint8Array(Math.ceil(data.length / 512) * 512);
    body.set(data);
    chunks.push(header, body);
  }
  chunks.push(new Uint8Array(1024));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** One layer of a test image. */
export interface LayerSpec {
  /** Files in the layer. */
  files: LayerFile[];
  /** Descriptor annotations. */
  annotations?: Record<string, string>;
}

/** One tagged image of a layout. */
export interface ImageSpec {
  /** The `org.opencontainers.image.ref.name`. */
  tag: string;
  /** Config fields; `rootfs` is filled in from the layers. */
  config: Record<string, unknown>;
  /** The layers, base first. */
  layers: LayerSpec[];
}

async function writeBlob(
  dir: string,
  bytes: Uint8Array,
): Promise<{ digest: Digest; size: number }> {
  const digest = digestOf(bytes);
  await Deno.writeFile(
    `${dir}/blobs/sha256/${digest.slice("sha256:".length)}`,
    bytes,
  );
  return { digest, size: bytes.length };
}

/** Writes an OCI layout holding `images`, replacing `dir`. */
export async function writeOciLayout(
  dir: string,
  images: readonly ImageSpec[],
): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${dir}/blobs/sha256`, { recursive: true });
  const manifests = [];
  for (const image of images) {
    const layers = [];
    const diffIds: Digest[] = [];
    for (const layer of image.layers) {
      const tar = tarOf(layer.files);
      diffIds.push(digestOf(tar));
      const blob = await writeBlob(
        dir,
        new Uint8Array(gzipSync(tar, { level: 9 })),
      );
      layers.push({
        mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
        ...blob,
        ...(layer.annotations ? { annotations: layer.annotations } : {}),
      });
    }
    const config = {
      ...image.config,
      rootfs: { type: "layers", diff_ids: diffIds },
    };
    const configBlob = await writeBlob(
      dir,
      ENCODER.encode(JSON.stringify(config)),
    );
    const manifest = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        ...configBlob,
      },
      layers,
    };
    const manifestBlob = await writeBlob(
      dir,
      ENCODER.encode(JSON.stringify(manifest)),
    );
    manifests.push({
      mediaType: manifest.mediaType,
      ...manifestBlob,
      annotations: { "org.opencontainers.image.ref.name": image.tag },
    });
  }
  await Deno.writeTextFile(
    `${dir}/oci-layout`,
    '{"imageLayoutVersion":"1.0.0"}',
  );
  await Deno.writeTextFile(
    `${dir}/index.json`,
    JSON.stringify({ schemaVersion: 2, manifests }),
  );
}

/** Runs a command; returns stdout, or throws with stderr. */
export async function run(
  command: string,
  args: readonly string[],
): Promise<string> {
  const output = await new Deno.Command(command, {
    args: [...args],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const stderr = new TextDecoder().decode(output.stderr);
  if (!output.success) {
    throw new Error(`${command} ${args.join(" ")}: ${stderr}`);
  }
  return new TextDecoder().decode(output.stdout);
}
