import assert from "node:assert/strict";
import { findDirImages, hasTagOrDigest } from "./plan.ts";

Deno.test("hasTagOrDigest() tells repositories from images", () => {
  assert.equal(hasTagOrDigest("127.0.0.1:5000/ns/app"), false);
  assert.equal(hasTagOrDigest("127.0.0.1:5000/ns/app:1.0"), true);
  assert.equal(hasTagOrDigest("busybox@sha256:" + "0".repeat(64)), true);
  assert.equal(hasTagOrDigest("localhost:5000"), true); // `localhost` tagged 5000
});

Deno.test("findDirImages() walks like filepath.WalkDir and stops in an image", async () => {
  const root = await Deno.makeTempDir();
  try {
    const touch = async (path: string) => {
      await Deno.mkdir(`${root}/${path}`.replace(/\/[^/]+$/, ""), {
        recursive: true,
      });
      await Deno.writeTextFile(`${root}/${path}`, "{}");
    };
    await touch("b/manifest.json");
    await touch("a/base/manifest.json");
    await touch("a/manifest.json");
    // Sorted after manifest.json inside an image: never visited.
    await touch("a/zz/manifest.json");
    await touch("./d/./e/manifest.json");
    await touch("c/blob");
    assert.deepEqual(await findDirImages(`${root}/`), [
      `${root}/a/base`,
      `${root}/a`,
      `${root}/b`,
      `${root}/d/e`,
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
