import assert from "node:assert/strict";
import { digestOf } from "../../core/digest.ts";
import {
  bigDataFileName,
  findImage,
  type ImageRecord,
  Store,
} from "./store.ts";

const A = "a".repeat(64);
const B = "ab" + "c".repeat(62);

Deno.test("findImage() looks up by ID, then name, then a unique ID prefix", () => {
  const images: ImageRecord[] = [
    { id: A, names: ["docker.io/library/x:1"] },
    { id: B, names: [] },
  ];
  assert.equal(findImage(images, A)?.id, A);
  assert.equal(findImage(images, "docker.io/library/x:1")?.id, A);
  assert.equal(findImage(images, "abc")?.id, B);
  assert.equal(findImage(images, "a"), undefined); // ambiguous
  assert.equal(findImage(images, "docker.io/library/y:1"), undefined);
});

Deno.test("bigDataFileName() encodes keys outside [a-z0-9.] as containers/storage does", () => {
  assert.equal(bigDataFileName("manifest"), "manifest");
  assert.equal(
    bigDataFileName(`manifest-sha256:${"0".repeat(4)}`),
    "=bWFuaWZlc3Qtc2hhMjU2OjAwMDA=",
  );
  assert.equal(bigDataFileName("Signatures"), "=U2lnbmF0dXJlcw==");
});

Deno.test("Store reads complete layers only and records big data on the image", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new Store({
      driver: "vfs",
      graphRoot: root,
      runRoot: `${root}/run`,
      options: [],
    });
    assert.deepEqual(await store.readLayers(), []);
    await store.writeLayers([
      { id: "l1" },
      { id: "l2", flags: { incomplete: true } },
    ]);
    assert.deepEqual((await store.readLayers()).map((l) => l.id), ["l1"]);
    const image: ImageRecord = { id: A };
    const data = new TextEncoder().encode("{}");
    await store.writeBigData(image, "sha256:x", data);
    assert.deepEqual(image["big-data-names"], ["sha256:x"]);
    assert.equal(image["big-data-sizes"]?.["sha256:x"], 2);
    assert.equal(image["big-data-digests"]?.["sha256:x"], digestOf(data));
    assert.deepEqual(await store.readBigData(A, "sha256:x"), data);
    assert.equal(await store.readBigData(A, "missing"), undefined);
    assert.equal(
      (await Deno.stat(`${root}/vfs-images/${A}/=c2hhMjU2Ong=`)).isFile,
      true,
    );
    // Writes hold the (POSIX, with FFI) locks and touch them.
    await store.locked(true, () => store.writeImages([image]));
    assert.match(
      await Deno.readTextFile(`${root}/vfs-images/images.lock`),
      /^[0-9a-f]{64}$/,
    );
    assert.deepEqual(await store.readImages(), [image]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
