import assert from "node:assert/strict";
import { gunzipSync, zstdDecompressSync } from "node:zlib";
import { digestOf } from "../../core/digest.ts";
import { componentTest } from "./components.ts";
import {
  buildImage,
  buildIndex,
  type BuiltImage,
  MEDIA_TYPE_DOCKER_LIST,
  MEDIA_TYPE_OCI_INDEX,
  writeDirImage,
  writeOciLayout,
} from "./random_image.ts";
import { runSkopeo } from "./skopeo.ts";
import { makeTempDir } from "./temp_dir.ts";
import { umociStat } from "./umoci.ts";

const decoder = new TextDecoder();

function json(bytes: Uint8Array): Record<string, unknown> {
  return JSON.parse(decoder.decode(bytes));
}

function sample(seed: number): BuiltImage {
  return buildImage({
    seed,
    layers: [{ size: 3000, files: 3 }, { kind: "text", size: 500 }],
    config: { labels: { a: "b" }, env: ["X=1"], cmd: ["/bin/true"] },
  });
}

Deno.test("buildImage() gives byte-identical images for the same seed", () => {
  const a = sample(7);
  const b = sample(7);
  assert.deepEqual(a.manifest.bytes, b.manifest.bytes);
  assert.deepEqual(a.config.bytes, b.config.bytes);
  assert.deepEqual(a.layers.map((l) => l.bytes), b.layers.map((l) => l.bytes));
  const c = sample(8);
  assert.notEqual(c.manifest.digest, a.manifest.digest);
  assert.notEqual(c.layers[0]!.diffId, a.layers[0]!.diffId);
});

Deno.test("buildImage() describes gzip layers by their real digests", () => {
  const image = sample(1);
  const manifest = json(image.manifest.bytes) as {
    config: { digest: string; size: number };
    layers: { digest: string; size: number; mediaType: string }[];
  };
  const config = json(image.config.bytes) as {
    rootfs: { diff_ids: string[] };
    history: unknown[];
    config: { Labels: Record<string, string> };
  };
  assert.equal(image.manifest.digest, digestOf(image.manifest.bytes));
  assert.equal(manifest.config.digest, digestOf(image.config.bytes));
  assert.equal(manifest.config.size, image.config.bytes.length);
  assert.equal(manifest.layers.length, 2);
  image.layers.forEach((layer, i) => {
    const tar = gunzipSync(layer.bytes);
    assert.equal(manifest.layers[i]!.digest, digestOf(layer.bytes));
    assert.equal(manifest.layers[i]!.size, layer.bytes.length);
    assert.equal(
      manifest.layers[i]!.mediaType,
      "application/vnd.oci.image.layer.v1.tar+gzip",
    );
    assert.equal(layer.diffId, digestOf(new Uint8Array(tar)));
    assert.equal(layer.uncompressedSize, tar.length);
  });
  assert.deepEqual(config.rootfs.diff_ids, image.layers.map((l) => l.diffId));
  assert.equal(config.history.length, 2);
  assert.deepEqual(config.config.Labels, { a: "b" });
});

Deno.test("buildImage() text layers compress and random layers do not", () => {
  const image = buildImage({
    seed: 3,
    layers: [{ kind: "text", size: 20_000 }, { kind: "random", size: 20_000 }],
  });
  const [text, random] = image.layers;
  assert.ok(text!.size < 0.3 * text!.uncompressedSize, `text: ${text!.size}`);
  assert.ok(random!.size > 20_000, `random: ${random!.size}`);
});

Deno.test("buildImage() stores zstd and uncompressed layers", () => {
  const zstd = buildImage({ seed: 4, layers: [{}], compression: "zstd" });
  const layer = zstd.layers[0]!;
  assert.equal(layer.mediaType, "application/vnd.oci.image.layer.v1.tar+zstd");
  assert.deepEqual([...layer.bytes.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
  assert.equal(
    digestOf(new Uint8Array(zstdDecompressSync(layer.bytes))),
    layer.diffId,
  );
  const none = buildImage({ seed: 4, layers: [{}], compression: "none" });
  assert.equal(none.layers[0]!.digest, none.layers[0]!.diffId);
  assert.equal(none.layers[0]!.diffId, layer.diffId);
  assert.equal(
    none.layers[0]!.mediaType,
    "application/vnd.oci.image.layer.v1.tar",
  );
});

Deno.test("buildImage() writes Docker media types and rejects zstd there", () => {
  const image = buildImage({ seed: 5, layers: [{}], format: "docker" });
  const manifest = json(image.manifest.bytes) as {
    mediaType: string;
    config: { mediaType: string };
    layers: { mediaType: string }[];
  };
  assert.equal(
    manifest.mediaType,
    "application/vnd.docker.distribution.manifest.v2+json",
  );
  assert.equal(
    manifest.config.mediaType,
    "application/vnd.docker.container.image.v1+json",
  );
  assert.equal(
    manifest.layers[0]!.mediaType,
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
  );
  assert.throws(
    () =>
      buildImage({
        seed: 5,
        layers: [{}],
        format: "docker",
        compression: "zstd",
      }),
    TypeError,
  );
});

Deno.test("buildIndex() lists each image with the platform of its config", () => {
  const amd64 = buildImage({ seed: 1, layers: [{}] });
  const arm = buildImage({
    seed: 2,
    layers: [{}],
    config: { architecture: "arm", variant: "v7" },
  });
  const index = buildIndex([amd64, arm]);
  const parsed = json(index.manifest.bytes) as {
    mediaType: string;
    manifests: { digest: string; size: number; platform: unknown }[];
  };
  assert.equal(parsed.mediaType, MEDIA_TYPE_OCI_INDEX);
  assert.deepEqual(parsed.manifests.map((m) => m.digest), [
    amd64.manifest.digest,
    arm.manifest.digest,
  ]);
  assert.deepEqual(parsed.manifests[1]!.platform, {
    architecture: "arm",
    os: "linux",
    variant: "v7",
  });
  assert.throws(() => buildIndex([amd64], { format: "docker" }), TypeError);
  const docker = buildIndex([
    buildImage({ seed: 1, layers: [{}], format: "docker" }),
  ]);
  assert.equal(docker.manifest.mediaType, MEDIA_TYPE_DOCKER_LIST);
});

componentTest({
  name: "buildImage() writes ustar layers that GNU tar reads",
  components: ["tar"],
  async fn() {
    const image = buildImage({
      seed: 9,
      layers: [
        { size: 1000, files: 3 },
        {
          files: [{
            path: "a/very/" + "long/".repeat(25) + "name.txt",
            content: "deep\n",
            mode: 0o600,
          }],
        },
      ],
    });
    const list = async (bytes: Uint8Array, ...args: string[]) => {
      const child = new Deno.Command("tar", {
        args,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        env: { TZ: "UTC" },
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(bytes);
      await writer.close();
      const out = await child.output();
      assert.equal(out.code, 0, decoder.decode(out.stderr));
      return decoder.decode(out.stdout);
    };
    const first = await list(
      gunzipSync(image.layers[0]!.bytes),
      "-tv",
      "--numeric-owner",
      "-f",
      "-",
    );
    const lines = first.trim().split("\n").map((l) => l.split(/\s+/));
    // Directories data/, data/layer0/, then three files of 334+333+333 bytes.
    assert.deepEqual(lines.map((l) => l[5]), [
      "data/",
      "data/layer0/",
      "data/layer0/file0.bin",
      "data/layer0/file1.bin",
      "data/layer0/file2.bin",
    ]);
    assert.deepEqual(lines.map((l) => l[2]), ["0", "0", "334", "333", "333"]);
    assert.ok(lines.every((l) => l[1] === "0/0" && l[3] === "1970-01-01"));
    assert.deepEqual(lines.map((l) => l[0]![0]), ["d", "d", "-", "-", "-"]);
    const longName = image.layers[1]!.files[0]!;
    assert.ok(longName.length > 100);
    const second = await list(
      gunzipSync(image.layers[1]!.bytes),
      "-xO",
      "-f",
      "-",
      longName,
    );
    assert.equal(second, "deep\n");
  },
});

componentTest({
  name:
    "writeOciLayout() writes layouts that skopeo reads, for every compression",
  components: ["skopeo"],
  async fn() {
    await using dir = await makeTempDir();
    const images = {
      gzip: sample(1),
      none: buildImage({ seed: 2, layers: [{}], compression: "none" }),
      zstd: buildImage({ seed: 3, layers: [{}], compression: "zstd" }),
    };
    const index = buildIndex([
      images.gzip,
      buildImage({
        seed: 4,
        layers: [{}],
        config: { architecture: "arm64", variant: "v8" },
      }),
    ]);
    await writeOciLayout(dir.join("layout"), [
      ...Object.entries(images).map(([tag, image]) => ({ tag, image })),
      { tag: "multi", image: index },
    ]);
    for (const [tag, image] of Object.entries(images)) {
      const ref = `oci:${dir.join("layout")}:${tag}`;
      const inspected = await runSkopeo(["inspect", ref]);
      assert.equal(inspected.code, 0, inspected.stderr);
      assert.equal(JSON.parse(inspected.stdout).Digest, image.manifest.digest);
      const raw = await runSkopeo(["inspect", "--raw", ref]);
      assert.deepEqual(raw.stdoutBytes, image.manifest.bytes);
    }
    const copied = await runSkopeo([
      "copy",
      "--all",
      `oci:${dir.join("layout")}:multi`,
      `dir:${dir.join("copy")}`,
    ]);
    assert.equal(copied.code, 0, copied.stderr);
    assert.deepEqual(
      await Deno.readFile(dir.join("copy", "manifest.json")),
      index.manifest.bytes,
    );
  },
});

componentTest({
  name: "writeOciLayout() writes layouts that umoci validates",
  components: ["umoci"],
  async fn() {
    await using dir = await makeTempDir();
    const image = sample(11);
    const zstd = buildImage({
      seed: 12,
      layers: [{}, {}],
      compression: "zstd",
    });
    await writeOciLayout(dir.path, [
      { tag: "gzip", image },
      { tag: "zstd", image: zstd },
    ]);
    for (const [tag, built] of [["gzip", image], ["zstd", zstd]] as const) {
      const result = await umociStat(dir.path, tag);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        result.history?.map((h) => h.layer?.digest),
        built.layers.map((l) => l.digest),
      );
      assert.deepEqual(
        result.history?.map((h) => h.diff_id),
        built.layers.map((l) => l.diffId),
      );
    }
    const missing = await umociStat(dir.path, "absent");
    assert.notEqual(missing.code, 0);
  },
});

componentTest({
  name: "writeDirImage() writes Docker images and lists that skopeo reads",
  components: ["skopeo"],
  async fn() {
    await using dir = await makeTempDir();
    const image = buildImage({ seed: 1, layers: [{}, {}], format: "docker" });
    const list = buildIndex([
      image,
      buildImage({
        seed: 2,
        layers: [{}],
        format: "docker",
        config: { architecture: "arm", variant: "v7" },
      }),
    ]);
    await writeDirImage(dir.join("image"), image);
    await writeDirImage(dir.join("list"), list);
    const one = await runSkopeo(["inspect", `dir:${dir.join("image")}`]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(JSON.parse(one.stdout).Digest, image.manifest.digest);
    const arm = await runSkopeo([
      "--override-arch",
      "arm",
      "--override-variant",
      "v7",
      "inspect",
      "--raw",
      "--config",
      `dir:${dir.join("list")}`,
    ]);
    assert.equal(arm.code, 0, arm.stderr);
    assert.equal(digestOf(arm.stdoutBytes), list.images[1]!.config.digest);
  },
});
