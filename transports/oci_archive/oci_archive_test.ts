import assert from "node:assert/strict";
import {
  BlobNotFoundError,
  InvalidReferenceError,
  UnsupportedOperationError,
} from "../../core/errors.ts";
import type { Digest } from "../../core/types.ts";
import { copyImage, parseImageName } from "../../mod.ts";
import { componentTest } from "../../tests/support/components.ts";
import { runSkopeo } from "../../tests/support/skopeo.ts";
import { makeTempDir } from "../../tests/support/temp_dir.ts";
import { transport } from "./mod.ts";

const DEMO = "oci:tests/fixtures/oci:demo";
const fixtureDigests = JSON.parse(
  await Deno.readTextFile(
    new URL("../../tests/fixtures/digests.json", import.meta.url),
  ),
);

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("oci-archive references: PATH[:NAME], printed with the colon as skopeo does", async () => {
  const named = transport.parseReference("/a.tar:app:1.0");
  assert.equal(named.toString(), "/a.tar:app:1.0");
  assert.equal(named.dockerReference, undefined);
  assert.equal(transport.parseReference("a.tar").toString(), "a.tar:");
  assert.equal(transport.parseReference("a.tar:").toString(), "a.tar:");
  for (
    const [text, message] of [
      ["x.tar:@0", "Invalid image @0"],
      ["x.tar:a b", "Invalid image a b"],
      ["", "Invalid OCI reference: path is empty"],
    ]
  ) {
    assert.throws(() => transport.parseReference(text!), (error: unknown) => {
      assert.ok(error instanceof InvalidReferenceError);
      assert.equal(error.message, message);
      return true;
    });
  }
  await assert.rejects(named.deleteImage!(), (error: unknown) => {
    assert.ok(error instanceof UnsupportedOperationError);
    assert.equal(
      error.message,
      "Deleting images not implemented for oci: images",
    );
    return true;
  });
});

componentTest({
  name:
    "oci-archive reads skopeo's archives in place and writes archives skopeo reads",
  components: ["skopeo"],
  async fn() {
    await using dir = await makeTempDir();
    const tmpDir = dir.join("tmp");
    await Deno.mkdir(tmpDir);
    const theirs = dir.join("theirs.tar");
    const made = await runSkopeo([
      "copy",
      "-q",
      DEMO,
      `oci-archive:${theirs}:x`,
    ]);
    assert.equal(made.code, 0, made.stderr);

    // Read without extracting: nothing lands in tmpDir.
    const reference = await parseImageName(`oci-archive:${theirs}:x`);
    {
      await using source = await reference.openSource({ context: { tmpDir } });
      const manifest = await source.getManifest();
      assert.equal(
        manifest.mediaType,
        "application/vnd.oci.image.manifest.v1+json",
      );
      const parsed = JSON.parse(new TextDecoder().decode(manifest.bytes));
      for (const layer of parsed.layers) {
        const blob = await source.getBlob(layer);
        assert.equal(blob.size, layer.size);
        await blob.stream.cancel();
      }
      await assert.rejects(
        source.getBlob({ digest: `sha256:${"0".repeat(64)}` as Digest }),
        BlobNotFoundError,
      );
      assert.deepEqual(await listDir(tmpDir), []);
    }
    await assert.rejects(
      parseImageName(`oci-archive:${theirs}:nope`).then((r) => r.openSource()),
      /no descriptor found for reference "nope"/,
    );

    // Write: skopeo reads it and finds the fixture's manifest.
    const ours = dir.join("ours.tar");
    await copyImage(reference, await parseImageName(`oci-archive:${ours}:y`), {
      destinationContext: { tmpDir },
    });
    assert.deepEqual(await listDir(tmpDir), [], "temporary layout removed");
    const inspect = await runSkopeo(["inspect", `oci-archive:${ours}:y`]);
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.equal(
      JSON.parse(inspect.stdout).Digest,
      fixtureDigests["oci:demo"].manifest,
    );
  },
});

Deno.test("oci-archive replaces an archive only when the copy succeeds", async () => {
  await using dir = await makeTempDir();
  const path = dir.join("a.tar");
  await copyImage(
    await parseImageName(DEMO),
    await parseImageName(`oci-archive:${path}:one`),
  );
  const first = await Deno.readFile(path);
  const destination = await (await parseImageName(`oci-archive:${path}:two`))
    .openDestination!();
  await destination.putBlob(
    ReadableStream.from([new Uint8Array(5)]),
    {},
    { isConfig: false },
  );
  await destination.close(); // no commit
  assert.deepEqual(await Deno.readFile(path), first);
  assert.deepEqual(await listDir(dir.path), ["a.tar"]);
  // A successful copy replaces it (skopeo does not merge archives).
  await copyImage(
    await parseImageName(DEMO),
    await parseImageName(`oci-archive:${path}:two`),
  );
  await assert.rejects(
    (await parseImageName(`oci-archive:${path}:one`)).openSource(),
    /no descriptor found for reference "one"/,
  );
});

Deno.test("oci-archive says so when the tar is not an OCI layout", async () => {
  await using dir = await makeTempDir();
  const path = dir.join("x.tar");
  const tar = await new Deno.Command("tar", {
    args: ["-cf", path, "-C", "tests/fixtures/dir", "docker-v2"],
  }).output();
  assert.ok(tar.success);
  await assert.rejects(
    (await parseImageName(`oci-archive:${path}`)).openSource(),
    new RegExp(
      `^MissingMemberError: ${path} is not an OCI archive: it has no index\\.json$`,
    ),
  );
});
