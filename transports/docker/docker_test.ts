import assert from "node:assert/strict";
import { digestOf } from "../../core/digest.ts";
import {
  BlobNotFoundError,
  DigestMismatchError,
  ImageNotFoundError,
  InvalidReferenceError,
  ManifestTypeRejectedError,
  RepositoryNotFoundError,
} from "../../core/errors.ts";
import type { OpenOptions } from "../../core/transport.ts";
import { componentTest } from "../../tests/support/components.ts";
import {
  buildImage,
  buildIndex,
  type BuiltBlob,
  type BuiltImage,
  writeOciLayout,
} from "../../tests/support/random_image.ts";
import {
  type RunningRegistry,
  startRegistry,
} from "../../tests/support/registry.ts";
import { runSkopeo } from "../../tests/support/skopeo.ts";
import { type DockerImageReference, transport } from "./mod.ts";
import { RegistryError, UnauthorizedError } from "./registry_error.ts";
import type { DockerSettings } from "./settings.ts";

const ISOLATED: DockerSettings = {
  getEnv: (name) => name === "HOME" ? "/nonexistent" : undefined,
  certsRoots: [],
};

function open(settings: DockerSettings = {}): OpenOptions {
  return {
    context: {
      settings: { docker: { ...ISOLATED, tlsVerify: false, ...settings } },
    },
  };
}

function ref(text: string): DockerImageReference {
  return transport.parseReference(text) as DockerImageReference;
}

async function readAll(
  stream: ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function image(seed: number): BuiltImage {
  return buildImage({
    seed,
    layers: [{ size: 3000 }, { kind: "text" }],
    format: seed % 2 === 0 ? "oci" : "docker",
  });
}

/** Pushes an image through our destination; returns the blobs that were uploaded. */
async function push(
  reference: DockerImageReference,
  built: BuiltImage,
  options: OpenOptions,
  sourceReference?: DockerImageReference,
): Promise<string[]> {
  const uploaded: string[] = [];
  await using dest = await reference.openDestination(options);
  const blobs: [BuiltBlob, boolean][] = [
    [built.config, true],
    ...built.layers.map((l): [BuiltBlob, boolean] => [l, false]),
  ];
  for (const [blob, isConfig] of blobs) {
    const info = { digest: blob.digest, size: blob.size };
    const reused = await dest.tryReusingBlob!(info, {
      canSubstitute: false,
      sourceReference,
    });
    if (reused !== undefined) {
      assert.deepEqual(reused, info);
      continue;
    }
    const put = await dest.putBlob(ReadableStream.from([blob.bytes]), info, {
      isConfig,
    });
    assert.deepEqual(put, info);
    uploaded.push(blob.digest);
  }
  await dest.putManifest(built.manifest);
  await dest.commit({ topLevelManifest: built.manifest });
  return uploaded;
}

/** Reads an image through our source and checks every byte. */
async function pullAndCheck(
  reference: DockerImageReference,
  built: BuiltImage,
  options: OpenOptions,
): Promise<void> {
  await using src = await reference.openSource(options);
  const manifest = await src.getManifest();
  assert.deepEqual(manifest.bytes, built.manifest.bytes);
  assert.equal(manifest.mediaType, built.manifest.mediaType);
  for (const blob of [built.config, ...built.layers]) {
    const { stream, size } = await src.getBlob({ digest: blob.digest });
    assert.equal(size, blob.size);
    assert.equal(digestOf(await readAll(stream)), blob.digest);
  }
}

async function exists(
  registry: RunningRegistry,
  path: string,
): Promise<boolean> {
  try {
    await Deno.stat(
      `${registry.dataDir}/docker/registry/v2/repositories/${path}`,
    );
    return true;
  } catch {
    return false;
  }
}

componentTest({
  name: "docker transport pushes an image and reads it back (plain HTTP)",
  components: ["docker-registry"],
  async fn(t) {
    await using registry = await startRegistry();
    const built = image(1);
    const target = ref(`//${registry.host}/test/app:v1`);

    await t.step("push uploads every blob once", async () => {
      const uploaded = await push(target, built, open());
      assert.equal(uploaded.length, 3);
    });
    await t.step("pull returns identical bytes", async () => {
      await pullAndCheck(target, built, open());
    });
    await t.step("a second push skips every blob (HEAD)", async () => {
      const again = ref(`//${registry.host}/test/app:v2`);
      assert.deepEqual(await push(again, built, open()), []);
      await pullAndCheck(again, built, open());
    });
    await t.step("by digest, the manifest is verified", async () => {
      const digest = digestOf(built.manifest.bytes);
      const byDigest = ref(`//${registry.host}/test/app@${digest}`);
      await pullAndCheck(byDigest, built, open());
    });
    await t.step(
      "a missing tag is ImageNotFoundError with skopeo's text",
      async () => {
        await assert.rejects(
          ref(`//${registry.host}/test/app:missing`).openSource(open()),
          (e) =>
            e instanceof ImageNotFoundError &&
            e.message ===
              `reading manifest missing in ${registry.host}/test/app: manifest unknown: manifest unknown`,
        );
        await assert.rejects(
          ref(`//${registry.host}/test/nothing:v1`).openSource(open()),
          (e) =>
            e instanceof ImageNotFoundError &&
            // distribution 2.8 says MANIFEST_UNKNOWN for unknown repositories too.
            e.message ===
              `reading manifest v1 in ${registry.host}/test/nothing: manifest unknown: manifest unknown`,
        );
      },
    );
    await t.step("a missing blob is BlobNotFoundError", async () => {
      await using src = await target.openSource(open());
      await assert.rejects(
        src.getBlob({ digest: digestOf(new Uint8Array([1])) }),
        BlobNotFoundError,
      );
    });
    await t.step(
      "a wrong Content-Type is a manifest type rejection",
      async () => {
        await using dest = await target.openDestination(open());
        await assert.rejects(
          dest.putManifest({
            bytes: built.manifest.bytes,
            mediaType: "application/x-bogus",
          }),
          (e) =>
            e instanceof ManifestTypeRejectedError &&
            e.mediaType === "application/x-bogus" &&
            /manifest invalid/.test(e.message),
        );
      },
    );
  },
});

componentTest({
  name:
    "docker destination uploads without a known digest and refuses bad data",
  components: ["docker-registry"],
  async fn() {
    await using registry = await startRegistry();
    const target = ref(`//${registry.host}/test/blobs:v1`);
    await using dest = await target.openDestination(open());
    const bytes = new Uint8Array(200_000);
    for (let i = 0; i < bytes.length; i += 65_536) {
      crypto.getRandomValues(bytes.subarray(i, i + 65_536));
    }
    const chunks = [bytes.subarray(0, 70_000), bytes.subarray(70_000)];

    // Unknown digest: PATCH + PUT, digest computed while streaming.
    const put = await dest.putBlob(ReadableStream.from(chunks), {}, {
      isConfig: false,
    });
    assert.deepEqual(put, { digest: digestOf(bytes), size: bytes.length });
    assert.deepEqual(
      await dest.tryReusingBlob!({ digest: put.digest }, {
        canSubstitute: false,
      }),
      { digest: put.digest, size: bytes.length },
    );

    // Bytes that do not match the digest are refused and never exposed.
    const other = crypto.getRandomValues(new Uint8Array(1000));
    const claimed = digestOf(crypto.getRandomValues(new Uint8Array(1000)));
    await assert.rejects(
      dest.putBlob(ReadableStream.from([other]), {
        digest: claimed,
        size: 1000,
      }, {
        isConfig: false,
      }),
      DigestMismatchError,
    );
    assert.equal(
      await dest.tryReusingBlob!({ digest: claimed }, { canSubstitute: false }),
      undefined,
    );

    // A source stream that fails midway fails the upload with its own error.
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(other.subarray(0, 500));
      },
      pull(controller) {
        controller.error(new Error("source broke"));
      },
    });
    await assert.rejects(
      dest.putBlob(failing, { digest: digestOf(other), size: 1000 }, {
        isConfig: false,
      }),
      /source broke/,
    );
    assert.equal(
      await dest.tryReusingBlob!({ digest: digestOf(other) }, {
        canSubstitute: false,
      }),
      undefined,
    );
  },
});

componentTest({
  name:
    "docker destination mounts blobs from another repository of the registry",
  components: ["docker-registry"],
  async fn() {
    await using registry = await startRegistry();
    const built = image(2);
    const from = ref(`//${registry.host}/team/base:1`);
    await push(from, built, open());
    const to = ref(`//${registry.host}/other/app:1`);
    // Every blob is mounted: nothing is uploaded.
    assert.deepEqual(await push(to, built, open(), from), []);
    for (const layer of built.layers) {
      assert.ok(
        await exists(
          registry,
          `other/app/_layers/sha256/${layer.digest.slice(7)}/link`,
        ),
      );
    }
    await pullAndCheck(to, built, open());
  },
});

Deno.test("listTags() follows Link pagination", async () => {
  // distribution 2.8 ignores n= on tags/list, so a loopback server plays a
  // paginating registry (distribution 3, Harbor…), relative and absolute links.
  const seen: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      const url = new URL(request.url);
      seen.push(url.pathname + url.search);
      if (url.pathname === "/v2/") return new Response("{}");
      const last = url.searchParams.get("last");
      const pages: Record<string, [string[], string | undefined]> = {
        "": [["a", "b"], '</v2/p/q/tags/list?last=b&n=2>; rel="next"'],
        b: [
          ["c", "d"],
          `<${url.origin}/v2/p/q/tags/list?last=d&n=2>; rel="next"`,
        ],
        d: [["e"], undefined],
      };
      const [tags, link] = pages[last ?? ""]!;
      return Response.json(
        { name: "p/q", tags },
        { headers: link ? { link } : {} },
      );
    },
  );
  const repo = ref(`//127.0.0.1:${server.addr.port}/p/q`);
  assert.deepEqual(await repo.listTags!(open({ tagPageSize: 2 })), [
    "a",
    "b",
    "c",
    "d",
    "e",
  ]);
  assert.deepEqual(seen.slice(1), [
    "/v2/p/q/tags/list?n=2",
    "/v2/p/q/tags/list?last=b&n=2",
    "/v2/p/q/tags/list?last=d&n=2",
  ]);
  await server.shutdown();
});

componentTest({
  name: "docker transport lists tags",
  components: ["docker-registry"],
  async fn() {
    await using registry = await startRegistry();
    const built = image(3);
    const tags = ["a", "b", "c", "d", "e", "v1.0"];
    for (const tag of tags) {
      await push(ref(`//${registry.host}/test/tags:${tag}`), built, open());
    }
    const repo = ref(`//${registry.host}/test/tags`);
    // Without n= the registry picks the order.
    assert.deepEqual((await repo.listTags!(open())).sort(), tags);
    // A missing repository is its own error (sync reads it as "no tags"),
    // with skopeo's message and the registry's answer as the cause.
    await assert.rejects(
      ref(`//${registry.host}/test/none`).listTags!(open()),
      (e) =>
        e instanceof RepositoryNotFoundError &&
        e.message ===
          "fetching tags list: invalid status code from registry 404 (Not Found)" &&
        e.cause instanceof RegistryError && e.cause.status === 404,
    );
  },
});

componentTest({
  name: "docker transport deletes images like skopeo",
  components: ["docker-registry"],
  async fn() {
    await using registry = await startRegistry();
    const built = image(4);
    const target = ref(`//${registry.host}/test/del:v1`);
    await push(target, built, open());
    await target.deleteImage!(open());
    await assert.rejects(target.openSource(open()), ImageNotFoundError);
    await assert.rejects(
      target.deleteImage!(open()),
      (e) =>
        e instanceof ImageNotFoundError &&
        e.message ===
          `Unable to delete ${registry.host}/test/del:v1. Image may not exist or is not stored with a v2 Schema in a v2 registry`,
    );

    await using readonly = await startRegistry({ deleteEnabled: false });
    const kept = ref(`//${readonly.host}/test/del:v1`);
    await push(kept, built, open());
    await assert.rejects(
      kept.deleteImage!(open()),
      (e) =>
        e instanceof RegistryError && e.status === 405 &&
        e.message.startsWith(
          `Failed to delete /v2/test/del/manifests/${
            digestOf(built.manifest.bytes)
          }: `,
        ) && e.message.endsWith("(405 Method Not Allowed)") &&
        !e.message.includes("\n"),
    );
    await pullAndCheck(kept, built, open());
  },
});

componentTest({
  name: "docker transport stores manifest lists and reads instances",
  components: ["docker-registry"],
  async fn() {
    await using registry = await startRegistry();
    const amd64 = buildImage({ seed: 5, layers: [{ size: 100 }] });
    const arm64 = buildImage({
      seed: 6,
      layers: [{ size: 100 }],
      config: { architecture: "arm64" },
    });
    const index = buildIndex([amd64, arm64]);
    const target = ref(`//${registry.host}/test/multi:1`);
    {
      await using dest = await target.openDestination(open());
      assert.ok(dest.capabilities.storesManifestLists);
      for (const one of [amd64, arm64]) {
        for (const blob of [one.config, ...one.layers]) {
          await dest.putBlob(ReadableStream.from([blob.bytes]), blob, {
            isConfig: false,
          });
        }
        await dest.putManifest(one.manifest, {
          instance: one.manifest.digest,
        });
      }
      await dest.putManifest(index.manifest);
      await dest.commit({ topLevelManifest: index.manifest });
    }
    await using src = await target.openSource(open());
    assert.deepEqual((await src.getManifest()).bytes, index.manifest.bytes);
    const instance = await src.getManifest({ instance: arm64.manifest.digest });
    assert.deepEqual(instance.bytes, arm64.manifest.bytes);
    assert.equal(instance.mediaType, arm64.manifest.mediaType);
  },
});

componentTest({
  name:
    "docker transport authenticates with htpasswd and reports wrong passwords",
  components: ["docker-registry", "htpasswd"],
  async fn() {
    await using registry = await startRegistry({ auth: "htpasswd" });
    const built = image(7);
    const target = ref(`//${registry.host}/secure/app:v1`);
    const credentials = {
      username: registry.username!,
      password: registry.password!,
    };
    await push(target, built, open({ credentials }));
    await pullAndCheck(target, built, open({ credentials }));
    await assert.rejects(
      target.openSource(
        open({ credentials: { username: "testuser", password: "wrong" } }),
      ),
      (e) =>
        e instanceof UnauthorizedError &&
        e.message ===
          `reading manifest v1 in ${registry.host}/secure/app: unauthorized: authentication required`,
    );
    // Credentials from an auth file, as `--authfile`.
    const dir = await Deno.makeTempDir();
    await Deno.writeTextFile(
      `${dir}/auth.json`,
      JSON.stringify({
        auths: { [registry.host]: { auth: btoa("testuser:testpassword") } },
      }),
    );
    await pullAndCheck(target, built, open({ authFile: `${dir}/auth.json` }));
    await Deno.remove(dir, { recursive: true });
  },
});

componentTest({
  name: "docker transport verifies TLS with a cert dir",
  components: ["docker-registry", "openssl"],
  async fn() {
    await using registry = await startRegistry({ tls: true });
    const built = image(8);
    const target = ref(`//${registry.host}/tls/app:v1`);
    const verified = { tlsVerify: true, certDir: registry.certDir };
    await push(target, built, open(verified));
    await pullAndCheck(target, built, open(verified));
    await assert.rejects(
      target.openSource(open({ tlsVerify: true })),
      /pinging container registry/,
    );
  },
});

componentTest({
  name: "docker transport runs the bearer token flow, mounts included",
  components: ["docker-registry", "openssl"],
  async fn() {
    await using registry = await startRegistry({ auth: "token" });
    const credentials = {
      username: registry.username!,
      password: registry.password!,
    };
    const built = image(9);
    const from = ref(`//${registry.host}/tok/base:1`);
    await push(from, built, open({ credentials }));
    const to = ref(`//${registry.host}/tok/app:1`);
    assert.deepEqual(await push(to, built, open({ credentials }), from), []);
    await pullAndCheck(to, built, open({ credentials }));
    assert.ok(
      registry.tokenRequests.some((r) =>
        r.scopes.includes("repository:tok/base:pull") &&
        r.scopes.includes("repository:tok/app:pull,push")
      ),
    );
    await assert.rejects(
      to.openSource(open({ noCreds: true })),
      UnauthorizedError,
    );

    // An identitytoken in an auth file is exchanged by an OAuth2 POST.
    const dir = await Deno.makeTempDir();
    const authFile = `${dir}/auth.json`;
    await Deno.writeTextFile(
      authFile,
      JSON.stringify({
        auths: {
          [registry.host]: {
            auth: btoa("testuser:"),
            identitytoken: "test-identity-token",
          },
        },
      }),
    );
    await pullAndCheck(to, built, open({ authFile }));
    assert.equal(registry.tokenRequests.at(-1)!.method, "POST");
    assert.equal(registry.tokenRequests.at(-1)!.status, 200);
    await Deno.remove(dir, { recursive: true });
  },
});

componentTest({
  name: "docker transport streams blobs between repositories of one registry",
  components: ["docker-registry"],
  async fn() {
    await using registry = await startRegistry();
    const built = image(13);
    const from = ref(`//${registry.host}/stream/from:1`);
    await push(from, built, open());
    // One slot per direction: reads held while writing must not deadlock.
    const settings = open({ maxConcurrentPerHost: 1 });
    await using src = await from.openSource(settings);
    const to = ref(`//${registry.host}/stream/to:1`);
    await using dest = await to.openDestination(settings);
    const blobs = [built.config, ...built.layers];
    const results = await Promise.all(blobs.map(async (blob) => {
      const { stream, size } = await src.getBlob({ digest: blob.digest });
      return await dest.putBlob(stream, {
        digest: blob.digest,
        size: size ?? -1,
      }, {
        isConfig: false,
      });
    }));
    assert.deepEqual(
      results,
      blobs.map((b) => ({ digest: b.digest, size: b.size })),
    );
    await dest.putManifest(built.manifest);
    await pullAndCheck(to, built, open());
  },
});

componentTest({
  name: "docker transport interoperates with skopeo 1.9.3",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using registry = await startRegistry();
    const ours = image(10);
    const target = ref(`//${registry.host}/interop/ours:v1`);
    await push(target, ours, open());
    const inspect = await runSkopeo([
      "inspect",
      "--tls-verify=false",
      `docker://${registry.host}/interop/ours:v1`,
    ]);
    assert.equal(inspect.code, 0, inspect.stderr);
    const info = JSON.parse(inspect.stdout);
    assert.equal(info.Digest, digestOf(ours.manifest.bytes));
    assert.deepEqual(info.Layers, ours.layers.map((l) => l.digest));
    const copy = await runSkopeo([
      "copy",
      "--src-tls-verify=false",
      `docker://${registry.host}/interop/ours:v1`,
      `dir:${registry.dataDir}/../skopeo-dir`,
    ]);
    assert.equal(copy.code, 0, copy.stderr);

    // skopeo 1.9.3 finds only OCI manifests by ref.name in an OCI layout.
    const theirs = image(12);
    const layout = `${registry.dataDir}/../layout`;
    await writeOciLayout(layout, [{ tag: "t", image: theirs }]);
    const pushed = await runSkopeo([
      "copy",
      "--dest-tls-verify=false",
      `oci:${layout}:t`,
      `docker://${registry.host}/interop/theirs:v1`,
    ]);
    assert.equal(pushed.code, 0, pushed.stderr);
    await pullAndCheck(
      ref(`//${registry.host}/interop/theirs:v1`),
      theirs,
      open(),
    );

    const tags = await runSkopeo([
      "list-tags",
      "--tls-verify=false",
      `docker://${registry.host}/interop/ours`,
    ]);
    assert.equal(tags.code, 0, tags.stderr);
    assert.deepEqual(
      JSON.parse(tags.stdout).Tags.sort(),
      (await ref(`//${registry.host}/interop/ours`).listTags!(open())).sort(),
    );
  },
});

Deno.test("transport.parseReference() follows skopeo's docker: syntax", () => {
  const busybox = ref("//busybox");
  assert.equal(busybox.toString(), "//busybox:latest");
  assert.equal(busybox.dockerReference, "docker.io/library/busybox:latest");
  assert.equal(
    ref("//127.0.0.1:5000/a/b:1").dockerReference,
    "127.0.0.1:5000/a/b:1",
  );
  const digest = digestOf(new Uint8Array());
  assert.equal(
    ref(`//quay.io/a@${digest}`).toString(),
    `//quay.io/a@${digest}`,
  );
  // toString() round-trips.
  for (
    const text of ["//busybox:1", "//localhost:5000/x/y:z", `//a.b/c@${digest}`]
  ) {
    assert.equal(
      ref(ref(text).toString()).dockerReference,
      ref(text).dockerReference,
    );
  }
  assert.throws(
    () => transport.parseReference("busybox"),
    (e) =>
      e instanceof InvalidReferenceError &&
      e.message === "docker: image reference busybox does not start with //" &&
      e.input === "docker:busybox",
  );
  assert.throws(
    () => transport.parseReference(`//a:t@${digest}`),
    /Docker references with both a tag and digest are currently not supported/,
  );
  assert.throws(
    () => transport.parseReference("//Foo"),
    (e) =>
      e instanceof InvalidReferenceError &&
      e.message ===
        "invalid reference format: repository name must be lowercase",
  );
});
