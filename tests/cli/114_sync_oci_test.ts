/**
 * `sync --dest oci` / `--src oci` against the real registry: an air-gap
 * export of 20 tags sharing layers into one OCI layout stores each blob
 * once (disk use equals the unique blob bytes), passes umoci, names images
 * by their fully qualified references, and every tag copies back to the
 * registry with its original digest.
 */
import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import { buildImage, type BuiltImage } from "../support/random_image.ts";
import { writeDirImage } from "../support/random_image.ts";
import { startRegistry } from "../support/registry.ts";
import {
  registryDigest,
  runOurs,
  runSkopeo,
  seedRegistryFromDirs,
} from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";
import { umociStat } from "../support/umoci.ts";

const TLS = ["--src-tls-verify=false", "--dest-tls-verify=false"];
const TAGS = Array.from({ length: 20 }, (_, i) => `1.${i}.0`);

/** OCI images sharing two layers, each with one small layer of its own. */
function image(tag: string): BuiltImage {
  return buildImage({
    seed: 11,
    format: "oci",
    layers: [
      { size: 48 * 1024 },
      { size: 16 * 1024 },
      { files: [{ path: "etc/tag", content: tag }] },
    ],
    config: { labels: { tag } },
  });
}

/** Every blob file under `blobs/` with its size, and the bytes on disk. */
async function blobFiles(
  layout: string,
): Promise<{ files: Map<string, number>; diskBytes: number }> {
  const files = new Map<string, number>();
  let diskBytes = 0;
  const inodes = new Set<number>();
  for await (const algorithm of Deno.readDir(`${layout}/blobs`)) {
    for await (
      const entry of Deno.readDir(`${layout}/blobs/${algorithm.name}`)
    ) {
      const stat = await Deno.stat(
        `${layout}/blobs/${algorithm.name}/${entry.name}`,
      );
      files.set(`${algorithm.name}:${entry.name}`, stat.size);
      if (!inodes.has(stat.ino!)) diskBytes += stat.size;
      inodes.add(stat.ino!);
    }
  }
  return { files, diskBytes };
}

componentTest({
  name: "sync --dest oci exports 20 tags into one layout with shared blobs",
  components: ["docker-registry", "skopeo", "umoci"],
  async fn(t) {
    await using registry = await startRegistry();
    await using temp = await makeTempDir("skopeo-ts-sync-oci-");
    const host = registry.host;
    const built = new Map(TAGS.map((tag) => [tag, image(tag)]));
    for (const [tag, img] of built) {
      await writeDirImage(temp.join("seed", `app:${tag}`), img);
    }
    await seedRegistryFromDirs(temp.join("seed"), `${host}/org`);

    const layout = temp.join("layout");
    await t.step("registry → oci stores each blob once", async () => {
      const ours = await runOurs([
        "sync",
        ...TLS,
        "--src",
        "docker",
        "--dest",
        "oci",
        `${host}/org/app`,
        layout,
      ]);
      assert.equal(ours.code, 0, ours.stderr);
      assert.match(ours.stderr, /msg="Synced 20 images from 1 sources"\n$/);
      const unique = new Map<string, number>();
      for (const img of built.values()) {
        for (const blob of [img.manifest, img.config, ...img.layers]) {
          unique.set(blob.digest, blob.size);
        }
      }
      const uniqueBytes = [...unique.values()].reduce((a, b) => a + b, 0);
      const { files, diskBytes } = await blobFiles(layout);
      assert.deepEqual(
        [...files.keys()].sort(),
        [...unique.keys()].sort(),
        "blobs/ holds exactly the unique blobs",
      );
      assert.equal(diskBytes, uniqueBytes, "disk use = unique blob bytes");
      // 2 shared layers + 20 × (own layer, config, manifest).
      assert.equal(unique.size, 2 + 3 * TAGS.length);
      const index = JSON.parse(await Deno.readTextFile(`${layout}/index.json`));
      const names = index.manifests.map((
        d: { annotations: Record<string, string> },
      ) => d.annotations["org.opencontainers.image.ref.name"]).sort();
      assert.deepEqual(
        names,
        TAGS.map((tag) => `${host}/org/app:${tag}`).sort(),
      );
      for (const d of index.manifests) {
        const tag = d.annotations["org.opencontainers.image.ref.name"]
          .split(":").pop();
        assert.equal(d.digest, built.get(tag)!.manifest.digest);
      }
    });

    await t.step("the layout passes umoci", async () => {
      for (const tag of [TAGS[0]!, TAGS[7]!, TAGS[19]!]) {
        const stat = await umociStat(layout, `${host}/org/app:${tag}`);
        assert.equal(stat.code, 0, stat.stderr);
        assert.equal(stat.history?.length, 3);
      }
    });

    await t.step("a re-sync into the layout copies nothing", async () => {
      const again = await runOurs([
        "sync",
        ...TLS,
        "--src",
        "docker",
        "--dest",
        "oci",
        `${host}/org/app`,
        layout,
      ]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(
        again.stdout.split("Skipping: image already present").length - 1,
        TAGS.length,
      );
    });

    await t.step(
      "oci → registry copies every tag back with its digest",
      async () => {
        const back = await runOurs([
          "sync",
          ...TLS,
          "--src",
          "oci",
          "--dest",
          "docker",
          layout,
          `${host}/back`,
        ]);
        assert.equal(back.code, 0, back.stderr);
        assert.match(back.stderr, /msg="Synced 20 images from 1 sources"\n$/);
        const listed = await runSkopeo([
          "list-tags",
          "--tls-verify=false",
          `docker://${host}/back/app`,
        ]);
        assert.deepEqual(
          [...JSON.parse(listed.stdout).Tags].sort(),
          [...TAGS].sort(),
        );
        for (const tag of TAGS) {
          assert.equal(
            await registryDigest(`${host}/back/app:${tag}`),
            built.get(tag)!.manifest.digest,
            tag,
          );
        }
      },
    );

    await t.step(
      "uncompressed layers are compressed once each, with many images at once",
      async () => {
        for (const tag of TAGS.slice(0, 12)) {
          await writeDirImage(
            temp.join("plain", `plain:${tag}`),
            buildImage({
              seed: 12,
              format: "oci",
              compression: "none",
              layers: [{ size: 32 * 1024 }, {
                files: [{ path: "etc/tag", content: tag }],
              }],
              config: { labels: { tag } },
            }),
          );
        }
        await seedRegistryFromDirs(temp.join("plain"), `${host}/org`);
        const plain = temp.join("plain-layout");
        const exported = await runOurs([
          "sync",
          ...TLS,
          "--parallel-images",
          "12",
          "--src",
          "docker",
          "--dest",
          "oci",
          `${host}/org/plain`,
          plain,
        ], { timeout: 30_000 });
        assert.equal(exported.code, 0, exported.stderr);
        const index = JSON.parse(
          await Deno.readTextFile(`${plain}/index.json`),
        );
        assert.equal(index.manifests.length, 12);
        const stat = await umociStat(plain, `${host}/org/plain:${TAGS[3]}`);
        assert.equal(stat.code, 0, stat.stderr);
        // One shared compressed layer, 12 own layers, configs, manifests.
        const { files } = await blobFiles(plain);
        assert.equal(files.size, 1 + 3 * 12);
      },
    );

    await t.step("oci → oci and bad layout paths are refused", async () => {
      const same = await runOurs([
        "sync",
        "--src",
        "oci",
        "--dest",
        "oci",
        layout,
        temp.join("other"),
      ]);
      assert.equal(same.code, 1);
      assert.match(same.stderr, /sync from 'oci' to 'oci' not implemented/);
      const colon = await runOurs([
        "sync",
        ...TLS,
        "--src",
        "docker",
        "--dest",
        "oci",
        `${host}/org/app:1.0.0`,
        temp.join("a:b"),
      ]);
      assert.equal(colon.code, 1);
      assert.match(colon.stderr, /OCI layout path .* must not contain/);
    });
  },
});
