import assert from "node:assert/strict";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { digestOf } from "../core/digest.ts";
import { componentTest } from "../tests/support/components.ts";
import { makeTempDir } from "../tests/support/temp_dir.ts";
import { makeTinyTree } from "./_testing.ts";
import { ensureBenchImage } from "./image.ts";
import { verifyStoredImage } from "./verify.ts";

componentTest({
  name: "ensureBenchImage() builds a valid, reproducible image and caches it",
  components: ["tar", "gzip"],
  async fn() {
    await using dir = await makeTempDir("bench-image-");
    await Deno.mkdir(dir.join("tree"));
    const total = await makeTinyTree(dir.join("tree"));
    const layers = [
      {
        label: "one",
        roots: ["/nonexistent-bench-root", dir.join("tree")],
        rawBudget: total,
      },
      { label: "two", roots: [dir.join("tree")], rawBudget: 3100 },
    ];
    const messages: string[] = [];
    const image = await ensureBenchImage("t", layers, {
      cacheDir: dir.join("cache"),
      log: (m) => messages.push(m),
    });
    assert.equal(messages.length, 2);
    assert.equal(image.layers.length, 2);
    assert.equal(image.layers[0]!.root, dir.join("tree"));
    for (const layer of image.layers) {
      const blob = await Deno.readFile(
        join(image.ociDir, "blobs", layer.digest.replace(":", "/")),
      );
      assert.equal(digestOf(blob), layer.digest);
      assert.equal(digestOf(gunzipSync(blob)), layer.diffId);
    }
    assert.ok(image.layers[0]!.rawSize > total);
    assert.ok(image.layers[1]!.rawSize < image.layers[0]!.rawSize);
    await verifyStoredImage({
      kind: "oci",
      path: image.ociDir,
      ref: image.ref,
    });
    await verifyStoredImage({ kind: "dir", path: image.dirDir });
    assert.equal(
      digestOf(await Deno.readFile(image.manifestPath)),
      image.manifestDigest,
    );

    const again = await ensureBenchImage("t", layers, {
      cacheDir: dir.join("cache"),
      log: (m) => messages.push(m),
    });
    assert.equal(messages.length, 2, "the cached image was rebuilt");
    assert.deepEqual(again, image);

    const rebuilt = await ensureBenchImage("t", layers, {
      cacheDir: dir.join("cache"),
      rebuild: true,
    });
    assert.equal(rebuilt.manifestDigest, image.manifestDigest);
  },
});
