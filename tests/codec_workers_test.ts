/**
 * Layers recompressed on worker threads (`core/compression/off_thread.ts`):
 * the result is what the same copy gives on one thread, and no worker
 * outlives a copy, whether it succeeds or its destination fails mid-upload
 * (a live worker would keep a library user's process running).
 */
import assert from "node:assert/strict";
import {
  liveCodecWorkers,
  setCodecLanes,
} from "../core/compression/off_thread.ts";
import { copyImage, parseImageName } from "../mod.ts";
import { componentTest } from "./support/components.ts";
import { startFaultProxy } from "./support/fault_proxy.ts";
import { buildImage, writeOciLayout } from "./support/random_image.ts";
import { startRegistry } from "./support/registry.ts";
import { makeTempDir } from "./support/temp_dir.ts";

/** Two layers above the off-thread threshold (1 MiB compressed), one below. */
const IMAGE = buildImage({
  seed: 4242,
  layers: [{ size: 1_500_000 }, { size: 1_300_000 }, { size: 20_000 }],
});

async function sourceLayout(dir: string) {
  await writeOciLayout(dir, [{ tag: "x", image: IMAGE }]);
  return await parseImageName(`oci:${dir}:x`);
}

async function storedManifest(dir: string): Promise<Uint8Array> {
  const index = JSON.parse(await Deno.readTextFile(`${dir}/index.json`));
  const digest: string = index.manifests[0].digest;
  return await Deno.readFile(`${dir}/blobs/${digest.replace(":", "/")}`);
}

Deno.test("a zstd copy with worker lanes writes what one thread writes, and stops its workers", async () => {
  await using temp = await makeTempDir("skopeo-ts-codec-workers-");
  const source = await sourceLayout(temp.join("src"));
  const copy = async (lanes: number, out: string): Promise<Uint8Array> => {
    setCodecLanes(lanes);
    try {
      await copyImage(source, await parseImageName(`oci:${out}:x`), {
        compressionFormat: "zstd",
      });
    } finally {
      setCodecLanes(navigator.hardwareConcurrency || 1);
    }
    assert.equal(liveCodecWorkers(), 0, "no worker left running");
    return await storedManifest(out);
  };
  const one = await copy(1, temp.join("one"));
  const three = await copy(3, temp.join("three"));
  assert.deepEqual(three, one);
  const manifest = JSON.parse(new TextDecoder().decode(three));
  assert.deepEqual(
    [
      ...new Set(
        manifest.layers.map((l: { mediaType: string }) => l.mediaType),
      ),
    ],
    ["application/vnd.oci.image.layer.v1.tar+zstd"],
  );
});

componentTest({
  name: "a recompressing push whose uploads keep failing stops its workers",
  components: ["docker-registry"],
  async fn() {
    await using registry = await startRegistry();
    await using temp = await makeTempDir("skopeo-ts-codec-workers-");
    await using proxy = startFaultProxy({ upstream: registry.url });
    proxy.addRule({
      method: "PUT",
      path: /\/blobs\/uploads\//,
      // Answered before the body is read: the upload stream is abandoned.
      fault: { kind: "status", status: 500 },
      times: Infinity,
    });
    setCodecLanes(3);
    try {
      await assert.rejects(
        copyImage(
          await sourceLayout(temp.join("src")),
          await parseImageName(`docker://${proxy.host}/codec/fail:x`),
          {
            compressionFormat: "zstd",
            destinationContext: {
              settings: { docker: { tlsVerify: false } },
            },
          },
        ),
      );
    } finally {
      setCodecLanes(navigator.hardwareConcurrency || 1);
    }
    assert.ok(
      proxy.requests.some((r) => r.fault !== undefined),
      "the fault was injected",
    );
    assert.equal(liveCodecWorkers(), 0, "no worker left running");
  },
});
