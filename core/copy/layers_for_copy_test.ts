import assert from "node:assert/strict";
import type { Descriptor, Digest } from "../types.ts";
import { layersForCopy } from "./layers_for_copy.ts";

const GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
const d = (c: string) => `sha256:${c.repeat(64)}` as Digest;
const LAYERS: Descriptor[] = [
  { mediaType: GZIP, digest: d("a"), size: 10, annotations: { k: "v" } },
  { mediaType: GZIP, digest: d("b"), size: 20 },
];

Deno.test("layersForCopy() keeps the manifest's layers when the source has no other", () => {
  assert.equal(layersForCopy(LAYERS, undefined), LAYERS);
  const same = LAYERS.map(({ digest, size, mediaType }) => ({
    digest,
    size,
    mediaType,
  }));
  // Equal infos change nothing, even where the manifest must not change.
  assert.equal(
    layersForCopy(LAYERS, same, "Would invalidate signatures"),
    LAYERS,
  );
});

Deno.test("layersForCopy() substitutes the served layers, keeping the other fields", () => {
  const copied = layersForCopy(LAYERS, [
    { digest: d("c"), size: 30, mediaType: GZIP },
    { digest: d("b"), size: 20 },
  ]);
  assert.deepEqual(copied, [
    { mediaType: GZIP, digest: d("c"), size: 30, annotations: { k: "v" } },
    LAYERS[1],
  ]);
});

Deno.test("layersForCopy() refuses a change the manifest cannot take, with containers/image's message", () => {
  const infos = [{ digest: d("c"), size: 30 }, { digest: d("b"), size: 20 }];
  assert.throws(
    () => layersForCopy(LAYERS, infos, "Instructed to preserve digests"),
    {
      message:
        'Copying this image would require changing layer representation, which we cannot do: "Instructed to preserve digests"',
    },
  );
});

Deno.test("layersForCopy() rejects a layer count that differs from the manifest's", () => {
  assert.throws(
    () => layersForCopy(LAYERS, [{ digest: d("c"), size: 1 }]),
    { name: "InvalidContentError" },
  );
});
