/**
 * The copy engine's optional contract hooks, through real transports:
 * `layerInfosForCopy` (a containers-storage source serving uncompressed
 * layers under its stored manifest), `supportsSignatures` (asked before any
 * blob moves), and destinations that cannot store lists.
 */
import assert from "node:assert/strict";
import { type CopyEvent, copyImage, parseImageName } from "../mod.ts";
import { digestOf } from "../core/digest.ts";
import { makeTempDir } from "./support/temp_dir.ts";

const DEMO = "oci:tests/fixtures/oci:demo";

function storeRef(root: string, name: string): string {
  return `containers-storage:[vfs@${root}/root+${root}/run]${name}`;
}

async function demoDigest(): Promise<string> {
  const index = JSON.parse(
    await Deno.readTextFile("tests/fixtures/oci/index.json"),
  );
  return index.manifests[0].digest;
}

Deno.test("copyImage() copies the layers layerInfosForCopy gives and rewrites the manifest's descriptors", async () => {
  await using tmp = await makeTempDir("hooks-lic-");
  const stored = await parseImageName(storeRef(tmp.path, "demo:1"));
  await copyImage(await parseImageName(DEMO), stored);
  // The source shows the stored manifest (gzip layers)…
  await using source = await stored.openSource();
  const manifest = await source.getManifest();
  assert.equal(digestOf(manifest.bytes), await demoDigest());
  const infos = await source.layerInfosForCopy!();
  assert.ok(infos && infos.length > 0);
  // …and copies come out with the uncompressed layers it serves.
  const out = await copyImage(
    stored,
    await parseImageName(`dir:${tmp.path}/d`),
  );
  const written = JSON.parse(new TextDecoder().decode(out.manifest.bytes));
  assert.deepEqual(
    written.layers.map((l: { digest: string }) => l.digest),
    infos.map((i) => i.digest),
  );
  assert.notEqual(out.digest, await demoDigest());
  const config = JSON.parse(
    await Deno.readTextFile(`${tmp.path}/d/${written.config.digest.slice(7)}`),
  );
  assert.deepEqual(
    written.layers.map((l: { digest: string }) => l.digest),
    config.rootfs.diff_ids,
  );
  // The media types stay the stored ones, as skopeo 1.9.3 keeps them.
  const original = JSON.parse(new TextDecoder().decode(manifest.bytes));
  assert.deepEqual(
    written.layers.map((l: { mediaType: string }) => l.mediaType),
    original.layers.map((l: { mediaType: string }) => l.mediaType),
  );
  await assert.rejects(
    copyImage(stored, await parseImageName(`dir:${tmp.path}/p`), {
      preserveDigests: true,
    }),
    {
      message:
        'Copying this image would require changing layer representation, which we cannot do: "Instructed to preserve digests"',
    },
  );
});

Deno.test("copyImage() asks whether the destination stores signatures before copying any blob", async () => {
  await using tmp = await makeTempDir("hooks-sig-");
  const signed = `${tmp.path}/signed`;
  await copyImage(
    await parseImageName(DEMO),
    await parseImageName(`dir:${signed}`),
  );
  // Bytes that start like an OpenPGP message pass for a simple signature.
  await Deno.writeFile(`${signed}/signature-1`, new Uint8Array([0xa3, 1, 2]));
  const events: CopyEvent["type"][] = [];
  const onEvent = (event: CopyEvent) => events.push(event.type);
  await assert.rejects(
    copyImage(
      await parseImageName(`dir:${signed}`),
      await parseImageName(`oci:${tmp.path}/oci:x`),
      { onEvent },
    ),
    {
      message:
        `Can not copy signatures to oci:${tmp.path}/oci:x: Pushing signatures for OCI images is not supported`,
    },
  );
  assert.deepEqual(events, ["signatures-reading", "signatures-checking"]);
  // Without signatures nothing is asked; with a destination that stores
  // them, the question comes before the first blob.
  events.length = 0;
  await copyImage(
    await parseImageName(`dir:${signed}`),
    await parseImageName(`oci:${tmp.path}/oci:x`),
    { onEvent, removeSignatures: true },
  );
  assert.ok(!events.includes("signatures-checking"));
  events.length = 0;
  await copyImage(
    await parseImageName(`dir:${signed}`),
    await parseImageName(`dir:${tmp.path}/copy`),
    { onEvent },
  );
  assert.equal(events.indexOf("signatures-checking"), 1);
  assert.ok(events.indexOf("blob-started") > 1);
});

Deno.test("copyImage() of a whole list to containers-storage refuses with skopeo's message", async () => {
  await using tmp = await makeTempDir("hooks-list-");
  for (const selection of ["all", "index-only"] as const) {
    await assert.rejects(
      copyImage(
        await parseImageName("oci:tests/fixtures/oci:multi"),
        await parseImageName(storeRef(tmp.path, "multi:1")),
        { imageListSelection: selection },
      ),
      {
        message:
          'copying multiple images: destination transport "containers-storage" does not support copying multiple images as a group',
      },
    );
  }
});
