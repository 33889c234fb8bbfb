/**
 * The transport through the copy engine, against skopeo 1.9.3: tags and
 * additional tags, several images in one archive, nothing left behind on
 * failure, tag listing.
 */
import assert from "node:assert/strict";
import { copyImage, parseImageName } from "../../mod.ts";
import { componentTest } from "../../tests/support/components.ts";
import {
  buildImage,
  writeOciLayout,
} from "../../tests/support/random_image.ts";
import { runSkopeo } from "../../tests/support/skopeo.ts";
import { makeTempDir } from "../../tests/support/temp_dir.ts";
import type { DockerArchiveReference } from "./reference.ts";
import { createDockerArchiveBundle } from "./mod.ts";

const DEMO = "oci:tests/fixtures/oci:demo";

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

async function manifestJson(path: string): Promise<
  Array<{ RepoTags: string[]; Layers: string[] }>
> {
  const out = await new Deno.Command("tar", {
    args: ["-xOf", path, "manifest.json"],
    stdout: "piped",
  }).output();
  assert.ok(out.success);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

componentTest({
  name:
    "docker-archive with additionalTags writes skopeo's --additional-tag archive, byte for byte",
  components: ["skopeo", "tar"],
  async fn() {
    await using dir = await makeTempDir();
    const tags = ["foo/bar:2", "quay.io/x/y:z", "foo/bar:2"];
    await copyImage(
      await parseImageName(DEMO),
      await parseImageName(`docker-archive:${dir.join("ours.tar")}:foo/bar:1`),
      {
        destinationContext: {
          settings: { "docker-archive": { additionalTags: tags } },
        },
      },
    );
    const result = await runSkopeo([
      "copy",
      "-q",
      ...tags.flatMap((t) => ["--additional-tag", t]),
      DEMO,
      `docker-archive:${dir.join("theirs.tar")}:foo/bar:1`,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual((await manifestJson(dir.join("ours.tar")))[0]!.RepoTags, [
      "docker.io/foo/bar:1",
      "docker.io/foo/bar:2",
      "quay.io/x/y:z",
    ]);
    // Layers arrive decompressed from the engine, as skopeo stores them.
    assert.deepEqual(
      await Deno.readFile(dir.join("ours.tar")),
      await Deno.readFile(dir.join("theirs.tar")),
    );
  },
});

Deno.test("docker-archive refuses additional tags skopeo refuses", async () => {
  await using dir = await makeTempDir();
  const reference = await parseImageName(`docker-archive:${dir.join("a.tar")}`);
  for (
    const [tag, message] of [
      ["bar", "additional-tag 'bar' must be a tagged reference"],
      [
        "Bar",
        "error parsing additional-tag 'Bar': invalid reference format: repository name must be lowercase",
      ],
    ]
  ) {
    await assert.rejects(
      reference.openDestination!({
        context: { settings: { "docker-archive": { additionalTags: [tag] } } },
      }),
      (error: unknown) => {
        assert.equal((error as Error).message, message);
        return true;
      },
    );
  }
  assert.deepEqual(await listDir(dir.path), []);
});

Deno.test("docker-archive leaves nothing behind when a copy fails, and refuses an existing archive", async () => {
  await using dir = await makeTempDir();
  const target = dir.join("a.tar");
  await assert.rejects(
    copyImage(
      await parseImageName("oci:tests/fixtures/oci:missing"),
      await parseImageName(`docker-archive:${target}`),
    ),
  );
  const reference = await parseImageName(`docker-archive:${target}`);
  const destination = await reference.openDestination!();
  await destination.putBlob(
    ReadableStream.from([new Uint8Array(100)]),
    {},
    { isConfig: false },
  );
  await destination.close();
  assert.deepEqual(await listDir(dir.path), [], "no partial archive");
  await Deno.writeTextFile(target, "something");
  await assert.rejects(
    reference.openDestination!(),
    /^Error: docker-archive doesn't support modifying existing images$/,
  );
});

componentTest({
  name:
    "createDockerArchiveBundle() writes several images skopeo reads by tag and index",
  components: ["skopeo"],
  async fn() {
    await using dir = await makeTempDir();
    const base = { size: 4000 };
    const a = buildImage({ seed: 3, layers: [base, { size: 10 }] });
    const b = buildImage({
      seed: 3,
      layers: [base, { size: 20, kind: "text" }],
      config: { created: "2021-01-01T00:00:00Z" },
    });
    await writeOciLayout(dir.join("oci"), [
      { tag: "a", image: a },
      { tag: "b", image: b },
    ]);
    const path = dir.join("two.tar");
    {
      await using bundle = await createDockerArchiveBundle(path);
      await copyImage(
        await parseImageName(`oci:${dir.join("oci")}:a`),
        bundle.reference("app:a"),
      );
      await copyImage(
        await parseImageName(`oci:${dir.join("oci")}:b`),
        bundle.reference(),
      );
      assert.deepEqual(
        (await listDir(dir.path)).filter((n) => n.endsWith(".tar")),
        [],
        "not visible before finish()",
      );
      await bundle.finish();
    }
    const items = await manifestJson(path);
    assert.deepEqual(items.map((i) => i.RepoTags), [
      ["docker.io/library/app:a"],
      [],
    ]);
    assert.equal(items[0]!.Layers[0], items[1]!.Layers[0], "shared base layer");
    const list = await runSkopeo(["list-tags", `docker-archive:${path}`]);
    assert.equal(list.code, 0, list.stderr);
    const ours = await (await parseImageName(
      `docker-archive:${path}`,
    ) as DockerArchiveReference).listTags();
    assert.deepEqual(JSON.parse(list.stdout).Tags, ours);
    assert.deepEqual(ours, ["docker.io/library/app:a", "@1"]);
    for (const [selector, image] of [["app:a", a], ["@1", b]] as const) {
      const inspect = await runSkopeo([
        "inspect",
        "--config",
        `docker-archive:${path}:${selector}`,
      ]);
      assert.equal(inspect.code, 0, inspect.stderr);
      assert.deepEqual(
        JSON.parse(inspect.stdout).rootfs.diff_ids,
        image.layers.map((l) => l.diffId),
      );
    }
  },
});
