import assert from "node:assert/strict";
import { digestOf } from "../../core/digest.ts";
import type { Digest } from "../../core/types.ts";
import { componentTest } from "../../tests/support/components.ts";
import {
  buildImage,
  writeOciLayout,
} from "../../tests/support/random_image.ts";
import { runSkopeo } from "../../tests/support/skopeo.ts";
import { makeTempDir } from "../../tests/support/temp_dir.ts";
import { IndexedArchive } from "../_archive/indexed_archive.ts";
import {
  legacyImageConfig,
  legacyLayers,
  parseLegacyImageJson,
} from "./legacy.ts";
import { parseTarManifest } from "./types.ts";

const D1 = `sha256:${"1".repeat(64)}` as Digest;
const D2 = `sha256:${"2".repeat(64)}` as Digest;

Deno.test("legacyLayers() chains layers by parent and puts the config fields on the top one", () => {
  const config = JSON.stringify({
    architecture: "arm64",
    os: "linux",
    created: "2024-01-01T00:00:00Z",
    config: { Labels: { a: "<b>" } },
    rootfs: { type: "layers", diff_ids: [D1, D2, D1] },
  });
  const layers = legacyLayers([D1, D2, D1], config);
  assert.equal(layers.length, 3);
  assert.equal(new Set(layers.map((l) => l.id)).size, 3, "IDs are unique");
  const [base, middle, top] = layers.map((l) => JSON.parse(l.json));
  assert.deepEqual(base, { id: layers[0]!.id });
  assert.deepEqual(middle, { id: layers[1]!.id, parent: layers[0]!.id });
  assert.equal(top.parent, layers[1]!.id);
  assert.equal(top.architecture, "arm64");
  assert.equal(top.container, null, "absent fields are null, as in Go");
  assert.match(layers[2]!.json, /\\u003cb\\u003e/, "HTML escaped like Go");
  assert.deepEqual(layers.map((l) => l.digest), [D1, D2, D1]);
  // Deterministic: the same input gives the same IDs.
  assert.deepEqual(legacyLayers([D1, D2, D1], config), layers);
});

Deno.test("legacyImageConfig() builds docker's config from v1 layer JSON", () => {
  const base = parseLegacyImageJson(
    JSON.stringify({ id: "a".repeat(64), created: "2020-01-01T00:00:00Z" }),
    "a/json",
  );
  const top = parseLegacyImageJson(
    JSON.stringify({
      id: "b".repeat(64),
      parent: "a".repeat(64),
      Size: 12,
      os: "linux",
      author: "me",
      container_config: { Cmd: ["/bin/sh", "-c", "make"] },
      config: { Env: ["A=1"] },
    }),
    "b/json",
  );
  assert.equal(top.parent, "a".repeat(64));
  const config = JSON.parse(
    new TextDecoder().decode(legacyImageConfig(top, [base, top], [D1, D2])),
  );
  assert.deepEqual(Object.keys(config), [
    "author",
    "config",
    "container_config",
    "history",
    "os",
    "rootfs",
  ]);
  assert.deepEqual(config.rootfs, { type: "layers", diff_ids: [D1, D2] });
  assert.deepEqual(config.history, [
    { created: "2020-01-01T00:00:00Z" },
    { author: "me", created_by: "/bin/sh -c make" },
  ]);
});

componentTest({
  name:
    "legacyLayers() gives the layer directories skopeo writes, byte for byte",
  components: ["skopeo"],
  async fn() {
    await using dir = await makeTempDir();
    const image = buildImage({
      seed: 7,
      layers: [{ size: 300 }, { size: 200, kind: "text" }, { size: 100 }],
      config: {
        labels: { "x.y": "a<b>&c", n: "1.0" },
        env: ["A=1"],
        exposedPorts: ["80/tcp"],
      },
    });
    await writeOciLayout(dir.join("oci"), [{ tag: "t", image }]);
    const archive = dir.join("a.tar");
    const result = await runSkopeo([
      "copy",
      "-q",
      `oci:${dir.join("oci")}:t`,
      `docker-archive:${archive}:x/y:1`,
    ]);
    assert.equal(result.code, 0, result.stderr);
    await using tar = await IndexedArchive.open(archive);
    const limit = { limit: 1 << 20 };
    const [item] = parseTarManifest(
      await tar.readMember("manifest.json", limit),
    );
    const config = new TextDecoder().decode(
      await tar.readMember(item!.Config, limit),
    );
    const digests = item!.Layers.map((l) =>
      `sha256:${l.replace(/\.tar$/, "")}` as Digest
    );
    const ours = legacyLayers(digests, config);
    for (const layer of ours) {
      const theirs = new TextDecoder().decode(
        await tar.readMember(`${layer.id}/json`, limit),
      );
      assert.equal(layer.json, theirs, layer.id);
      assert.equal(
        tar.member(`${layer.id}/layer.tar`).name,
        `${layer.digest.slice(7)}.tar`,
      );
    }
    const repositories = JSON.parse(
      new TextDecoder().decode(await tar.readMember("repositories", limit)),
    );
    assert.deepEqual(repositories, {
      "docker.io/x/y": { "1": ours.at(-1)!.id },
    });
    // The config digest names the config file, as in the manifest.
    assert.equal(
      item!.Config,
      `${digestOf(new TextEncoder().encode(config)).slice(7)}.json`,
    );
  },
});
