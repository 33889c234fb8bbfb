/**
 * Registry round trips saved by the docker transport and sync, counted on
 * the fault proxy in front of the real registry: blobs confirmed in this
 * process are not asked about again, mounts come before HEADs, a synced
 * image's source manifest is read once, a sync into a new repository asks
 * for no manifest and no small blob there, small uploads are read whole
 * (and their size checked), and a manifest by tag is checked against the
 * registry's `Docker-Content-Digest`.
 */
import assert from "node:assert/strict";
import { digestOf } from "../core/digest.ts";
import type { Digest } from "../core/types.ts";
import {
  copyImage,
  createTransportRegistry,
  type ImageReference,
  parseImageName,
  syncImages,
} from "../mod.ts";
import { componentTest } from "./support/components.ts";
import {
  type FaultProxy,
  type RecordedRequest,
  startFaultProxy,
} from "./support/fault_proxy.ts";
import {
  buildImage,
  type BuiltImage,
  writeOciLayout,
} from "./support/random_image.ts";
import { type RunningRegistry, startRegistry } from "./support/registry.ts";
import { makeTempDir } from "./support/temp_dir.ts";

const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

function context(): { settings: { docker: Record<string, unknown> } } {
  return { settings: { docker: { tlsVerify: false } } };
}

/** The manifest of `repository:tag` read directly (no proxy), or undefined on 404. */
async function directManifest(
  registry: RunningRegistry,
  repository: string,
  tag: string,
): Promise<Uint8Array | undefined> {
  const response = await fetch(
    `${registry.url}/v2/${repository}/manifests/${tag}`,
    { headers: { accept: MANIFEST_ACCEPT } },
  );
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (response.status === 404) return undefined;
  assert.equal(response.status, 200, `GET ${repository}:${tag}`);
  return bytes;
}

/** Asserts the registry holds `image` under `repository:tag`, every blob intact. */
async function assertStored(
  registry: RunningRegistry,
  repository: string,
  tag: string,
  image: BuiltImage,
): Promise<void> {
  const manifest = await directManifest(registry, repository, tag);
  assert.ok(manifest, `${repository}:${tag} exists`);
  assert.equal(digestOf(manifest), image.manifest.digest);
  for (const blob of [image.config, ...image.layers]) {
    const response = await fetch(
      `${registry.url}/v2/${repository}/blobs/${blob.digest}`,
    );
    assert.equal(response.status, 200, `blob ${blob.digest}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.equal(digestOf(bytes), blob.digest);
  }
}

/** Requests of `method` on `/v2/<repository>/blobs/<digest>`. */
function blobRequests(
  requests: readonly RecordedRequest[],
  method: string,
  repository: string,
  digest: Digest,
): RecordedRequest[] {
  const path = `/v2/${repository}/blobs/${digest}`;
  return requests.filter((r) => r.method === method && r.path === path);
}

/** Mount POSTs of `digest` into `repository`. */
function mountRequests(
  requests: readonly RecordedRequest[],
  repository: string,
  digest: Digest,
): RecordedRequest[] {
  return requests.filter((r) => {
    if (r.method !== "POST") return false;
    const url = new URL(r.path, "http://x");
    return url.pathname === `/v2/${repository}/blobs/uploads/` &&
      url.searchParams.get("mount") === digest;
  });
}

/** Upload PUTs that complete `digest` (in any repository). */
function uploadPuts(
  requests: readonly RecordedRequest[],
  digest: Digest,
): RecordedRequest[] {
  return requests.filter((r) =>
    r.method === "PUT" &&
    new URL(r.path, "http://x").searchParams.get("digest") === digest
  );
}

componentTest({
  name: "docker transport and sync save registry round trips",
  components: ["docker-registry"],
  async fn(t) {
    await using registry = await startRegistry();
    await using tmp = await makeTempDir("skopeo-ts-economy-");
    let layouts = 0;
    /** Writes `image` to a fresh OCI layout; returns its `oci:` reference. */
    const layoutOf = async (image: BuiltImage): Promise<ImageReference> => {
      const dir = `${tmp.path}/layout-${++layouts}`;
      await writeOciLayout(dir, [{ tag: "x", image }]);
      return await parseImageName(`oci:${dir}:x`);
    };
    const via = (proxy: FaultProxy, name: string): Promise<ImageReference> =>
      parseImageName(`docker://${proxy.host}/${name}`);
    const push = async (
      image: BuiltImage,
      destination: ImageReference,
    ): Promise<Digest> =>
      (await copyImage(await layoutOf(image), destination, {
        destinationContext: context(),
      })).digest;

    await t.step(
      "a second push of shared layers into the same repository sends no HEAD for them",
      async () => {
        // Each step's images are its own: what the process remembers of
        // earlier steps (a proxy port may be reused) does not apply.
        await using proxy = startFaultProxy({ upstream: registry.url });
        const first = buildImage({
          seed: 9101,
          layers: [{ size: 3000 }, { size: 2000, kind: "text" }],
        });
        const second = buildImage({
          seed: 9101,
          layers: [{ size: 3000 }, { size: 2000, kind: "text" }, { size: 500 }],
        });
        const shared = first.layers.map((l) => l.digest);
        assert.deepEqual(
          second.layers.slice(0, 2).map((l) => l.digest),
          shared,
        );
        assert.notEqual(second.config.digest, first.config.digest);

        assert.equal(
          await push(first, await via(proxy, "economy-a:1")),
          first.manifest.digest,
        );
        const before = proxy.requests.length;
        for (const digest of shared) {
          // The first push had to ask: the repository was empty.
          assert.equal(
            blobRequests(proxy.requests, "HEAD", "economy-a", digest).length,
            1,
            `first push asks about ${digest} once`,
          );
          assert.equal(uploadPuts(proxy.requests, digest).length, 1);
        }
        assert.equal(
          await push(second, await via(proxy, "economy-a:2")),
          second.manifest.digest,
        );
        const later = proxy.requests.slice(before);
        for (const digest of shared) {
          assert.deepEqual(
            blobRequests(later, "HEAD", "economy-a", digest),
            [],
            `no HEAD for ${digest} in the second push`,
          );
          assert.deepEqual(mountRequests(later, "economy-a", digest), []);
          assert.deepEqual(uploadPuts(later, digest), []);
        }
        // The new layer was uploaded.
        assert.equal(uploadPuts(later, second.layers[2]!.digest).length, 1);
        await assertStored(registry, "economy-a", "1", first);
        await assertStored(registry, "economy-a", "2", second);
      },
    );

    await t.step(
      "pushing the same image to another repository mounts its blobs without a HEAD first",
      async () => {
        await using proxy = startFaultProxy({ upstream: registry.url });
        const image = buildImage({
          seed: 9201,
          layers: [{ size: 4000 }, { size: 1500, kind: "text" }],
        });
        await push(image, await via(proxy, "economy-b1:x"));
        const before = proxy.requests.length;
        assert.equal(
          await push(image, await via(proxy, "economy-b2:x")),
          image.manifest.digest,
        );
        const later = proxy.requests.slice(before);
        for (const blob of [image.config, ...image.layers]) {
          const mounts = mountRequests(later, "economy-b2", blob.digest);
          assert.equal(mounts.length, 1, `one mount of ${blob.digest}`);
          assert.equal(mounts[0]!.status, 201, "mounted");
          assert.equal(
            new URL(mounts[0]!.path, "http://x").searchParams.get("from"),
            "economy-b1",
          );
          assert.deepEqual(
            blobRequests(later, "HEAD", "economy-b2", blob.digest),
            [],
            `no HEAD for mounted ${blob.digest}`,
          );
          assert.deepEqual(uploadPuts(later, blob.digest), []);
        }
        await assertStored(registry, "economy-b2", "x", image);
      },
    );

    /** Pushes one image per tag (a shared base layer, one own layer). */
    const seedRepository = async (
      repository: string,
      tags: readonly string[],
      seed: number,
    ): Promise<BuiltImage[]> => {
      const images = tags.map((_, i) =>
        buildImage({
          seed,
          layers: [{ size: 2500 }, { size: 300 + i * 100, kind: "text" }],
          config: { labels: { tag: String(i) } },
        })
      );
      for (const [i, tag] of tags.entries()) {
        await copyImage(
          await layoutOf(images[i]!),
          await parseImageName(
            `docker://${registry.host}/${repository}:${tag}`,
          ),
          { destinationContext: context() },
        );
      }
      return images;
    };

    /** `syncImages` of a docker repository into a registry path. */
    const dockerSync = (
      source: string,
      destination: string,
    ): ReturnType<typeof syncImages> =>
      syncImages(source, destination, {
        registry: createTransportRegistry(),
        sourceKind: "docker",
        destinationKind: "docker",
        sourceContext: context(),
        destinationContext: context(),
      });

    await t.step(
      "sync registry → registry reads each source manifest once",
      async () => {
        const tags = ["1", "2", "3", "4"];
        const images = await seedRepository("economy-c/src", tags, 9301);
        await using proxy = startFaultProxy({ upstream: registry.url });
        const sync = () =>
          dockerSync(
            `${proxy.host}/economy-c/src`,
            `${registry.host}/economy-c-dst`,
          );
        const result = await sync();
        assert.equal(result.images, tags.length);
        assert.equal(result.skipped, 0);
        assert.deepEqual(result.failures, []);
        for (const [i, tag] of tags.entries()) {
          const gets = proxy.requests.filter((r) =>
            r.method === "GET" &&
            r.path === `/v2/economy-c/src/manifests/${tag}`
          );
          assert.equal(gets.length, 1, `one source manifest GET for ${tag}`);
          const record = result.records.find((r) =>
            r.source.endsWith(`:${tag}`)
          );
          assert.equal(record?.status, "copied");
          assert.equal(record?.digest, images[i]!.manifest.digest);
          await assertStored(registry, "economy-c-dst/src", tag, images[i]!);
        }
        // Nothing else fetched the manifests (by digest, say).
        const manifestGets = proxy.requests.filter((r) =>
          r.method === "GET" && r.path.includes("/manifests/")
        );
        assert.equal(manifestGets.length, tags.length);

        // Again: every image is present; each check reads its manifest
        // once and nothing else is read.
        proxy.reset();
        const again = await sync();
        assert.equal(again.skipped, tags.length);
        for (const tag of tags) {
          assert.equal(
            proxy.requests.filter((r) =>
              r.method === "GET" &&
              r.path === `/v2/economy-c/src/manifests/${tag}`
            ).length,
            1,
          );
        }
        assert.deepEqual(
          proxy.requests.filter((r) => r.path.includes("/blobs/")),
          [],
        );
      },
    );

    await t.step(
      "sync into a new repository asks neither for its manifests nor for its small blobs",
      async () => {
        const tags = ["a", "b", "c"];
        const images = await seedRepository("economy-n/src", tags, 9401);
        await using dest = startFaultProxy({ upstream: registry.url });
        const sync = () =>
          dockerSync(
            `${registry.host}/economy-n/src`,
            `${dest.host}/economy-n-dst`,
          );
        const result = await sync();
        assert.equal(result.images, tags.length);
        assert.deepEqual(result.failures, []);
        const heads = dest.requests.filter((r) => r.method === "HEAD");
        assert.deepEqual(heads.map((r) => r.path), [], "no HEAD at all");
        const lists = dest.requests.filter((r) =>
          r.path.startsWith("/v2/economy-n-dst/src/tags/list")
        );
        assert.equal(lists.length, 1, "one tag list for the repository");
        for (const [i, tag] of tags.entries()) {
          await assertStored(registry, "economy-n-dst/src", tag, images[i]!);
        }
        // Again (no cache here): the tags are listed now, so each image's
        // manifest is asked for, and all are skipped.
        dest.reset();
        const again = await sync();
        assert.equal(again.skipped, tags.length);
        const manifestHeads = dest.requests.filter((r) =>
          r.method === "HEAD" && r.path.includes("/manifests/")
        );
        assert.equal(manifestHeads.length, tags.length);
        assert.deepEqual(
          dest.requests.filter((r) => r.path.includes("/blobs/")),
          [],
        );
      },
    );

    for (const delta of [-40, 40]) {
      const shape = delta < 0 ? "shorter" : "longer";
      await t.step(
        `a small blob ${shape} than its declared size fails the push in one line, no manifest written`,
        async () => {
          await using proxy = startFaultProxy({ upstream: registry.url });
          const image = buildImage({
            seed: delta < 0 ? 9401 : 9402,
            layers: [{ size: 2000 }],
          });
          const layer = image.layers[0]!;
          // The manifest declares a size the layer's bytes do not have.
          const parsed = JSON.parse(
            new TextDecoder().decode(image.manifest.bytes),
          );
          parsed.layers[0].size = layer.size - delta;
          const bytes = new TextEncoder().encode(JSON.stringify(parsed));
          const lying: BuiltImage = {
            ...image,
            manifest: {
              ...image.manifest,
              bytes,
              digest: digestOf(bytes),
              size: bytes.byteLength,
            },
          };
          const repository = `economy-d-${shape}`;
          const error = await copyImage(
            await layoutOf(lying),
            await via(proxy, `${repository}:x`),
            { destinationContext: context() },
          ).then(() => undefined, (e: unknown) => e);
          assert.ok(error instanceof Error, "the push fails");
          assert.doesNotMatch(error.message, /\n/);
          assert.match(error.message, /size/i);
          assert.match(error.message, new RegExp(String(layer.size - delta)));
          assert.deepEqual(uploadPuts(proxy.requests, layer.digest), []);
          assert.equal(
            await directManifest(registry, repository, "x"),
            undefined,
            "no manifest after the failed push",
          );
          assert.deepEqual(
            proxy.requests.filter((r) =>
              r.method === "PUT" && r.path.includes("/manifests/")
            ),
            [],
          );
        },
      );
    }

    await t.step(
      "putBlob() reads a small blob whole and checks its size before any upload request",
      async () => {
        await using proxy = startFaultProxy({ upstream: registry.url });
        const reference = await via(proxy, "economy-d-direct:x");
        await using destination = await reference.openDestination!({
          context: context(),
        });
        const bytes = new TextEncoder().encode("a small blob, ".repeat(50));
        const digest = digestOf(bytes);
        const streamOf = (chunks: Uint8Array[]): ReadableStream<Uint8Array> =>
          ReadableStream.from(chunks);
        const halves = [bytes.slice(0, 300), bytes.slice(300)];
        for (
          const [declared, chunks] of [
            [bytes.byteLength + 1, halves], // the stream ends early
            [bytes.byteLength - 1, halves], // the stream goes on
          ] as const
        ) {
          await assert.rejects(
            destination.putBlob(streamOf([...chunks]), {
              digest,
              size: declared,
            }, { isConfig: false }),
            (error: Error) => {
              assert.equal(error.name, "DigestMismatchError");
              assert.match(error.message, /^Size mismatch for blob sha256:/);
              assert.match(error.message, new RegExp(`expected ${declared} `));
              return true;
            },
          );
        }
        // Refused before an upload session was even started.
        assert.deepEqual(
          proxy.requests.filter((r) => r.path.includes("/blobs/")),
          [],
        );
        const uploaded = await destination.putBlob(
          streamOf([...halves]),
          { digest, size: bytes.byteLength },
          { isConfig: false },
        );
        assert.deepEqual(uploaded, { digest, size: bytes.byteLength });
        assert.equal(uploadPuts(proxy.requests, digest).length, 1);
        const stored = await fetch(
          `${registry.url}/v2/economy-d-direct/blobs/${digest}`,
        );
        assert.deepEqual(new Uint8Array(await stored.arrayBuffer()), bytes);
      },
    );

    const tagged = buildImage({
      seed: 9501,
      layers: [{ size: 1200 }],
      config: { labels: { purpose: "content digest" } },
    });
    await push(
      tagged,
      await parseImageName(`docker://${registry.host}/economy-e:1`),
    );
    const manifestByTag = /^\/v2\/economy-e\/manifests\/1$/;
    const copyByTag = async (
      proxy: FaultProxy,
      to: string,
    ): Promise<Digest> =>
      (await copyImage(
        await via(proxy, "economy-e:1"),
        await parseImageName(`docker://${registry.host}/${to}:1`),
        { sourceContext: context(), destinationContext: context() },
      )).digest;
    const manifestGets = (proxy: FaultProxy): RecordedRequest[] =>
      proxy.requests.filter((r) =>
        r.method === "GET" && manifestByTag.test(r.path)
      );

    await t.step(
      "a manifest by tag damaged once in transfer is fetched again",
      async () => {
        await using proxy = startFaultProxy({ upstream: registry.url });
        proxy.addRule({
          method: "GET",
          path: manifestByTag,
          fault: { kind: "corrupt" },
        });
        assert.equal(
          await copyByTag(proxy, "economy-e1"),
          tagged.manifest.digest,
        );
        assert.deepEqual(manifestGets(proxy).map((r) => r.fault), [
          "corrupt",
          undefined,
        ]);
        await assertStored(registry, "economy-e1", "1", tagged);
      },
    );

    await t.step(
      "a manifest by tag whose Docker-Content-Digest is always wrong is taken when the bytes repeat",
      async () => {
        await using proxy = startFaultProxy({ upstream: registry.url });
        proxy.addRule({
          method: "GET",
          path: manifestByTag,
          times: Infinity,
          fault: {
            kind: "header",
            name: "docker-content-digest",
            value: digestOf(new TextEncoder().encode("something else")),
          },
        });
        assert.equal(
          await copyByTag(proxy, "economy-e2"),
          tagged.manifest.digest,
        );
        // Two identical answers settle it.
        assert.deepEqual(manifestGets(proxy).map((r) => r.fault), [
          "header",
          "header",
        ]);
        await assertStored(registry, "economy-e2", "1", tagged);
      },
    );

    await t.step(
      "a manifest by tag that differs on every attempt fails in one line",
      async () => {
        await using proxy = startFaultProxy({ upstream: registry.url });
        // Each attempt damaged at another byte: never the same bytes twice.
        for (let nth = 1; nth <= 10; nth++) {
          proxy.addRule({
            method: "GET",
            path: manifestByTag,
            nth,
            fault: { kind: "corrupt", offset: 10 * nth },
          });
        }
        const error = await copyByTag(proxy, "economy-e3").then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(error instanceof Error, "the copy fails");
        assert.equal(error.name, "DigestMismatchError");
        assert.doesNotMatch(error.message, /\n/);
        const gets = manifestGets(proxy);
        assert.ok(gets.length >= 2 && gets.length <= 5, `${gets.length} GETs`);
        assert.ok(gets.every((r) => r.fault === "corrupt"));
        assert.equal(
          await directManifest(registry, "economy-e3", "1"),
          undefined,
        );
      },
    );
  },
});
