import assert from "node:assert/strict";
import { InvalidContentError } from "../../core/errors.ts";
import { formatTarManifest, parseTarManifest } from "./types.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("parseTarManifest() reads items as Go would, null fields empty", () => {
  const items = parseTarManifest(bytes(JSON.stringify([
    { Config: "c.json", RepoTags: ["a:1"], Layers: ["l/layer.tar"], X: 1 },
    { Config: "d.json", RepoTags: null, Layers: null, Parent: "sha256:p" },
  ])));
  assert.deepEqual(items, [
    { Config: "c.json", RepoTags: ["a:1"], Layers: ["l/layer.tar"] },
    { Config: "d.json", RepoTags: [], Layers: [], Parent: "sha256:p" },
  ]);
  assert.deepEqual(parseTarManifest(bytes("null")), []);
});

Deno.test("parseTarManifest() refuses malformed manifest.json with one-line errors", () => {
  for (
    const text of [
      "{",
      "{}",
      '["x"]',
      '[{"Config":1}]',
      '[{"Config":"c","Layers":"l"}]',
      '[{"Config":"c","RepoTags":[1]}]',
    ]
  ) {
    assert.throws(() => parseTarManifest(bytes(text)), (error: unknown) => {
      assert.ok(error instanceof InvalidContentError, text);
      assert.match(error.message, /^decoding tar manifest\.json: [^\n]+$/);
      return true;
    });
  }
});

Deno.test("formatTarManifest() writes Go's field order, optional fields only when set", () => {
  assert.equal(
    formatTarManifest([
      { Layers: ["l.tar"], RepoTags: ["docker.io/a/b:1"], Config: "c.json" },
      { Config: "d.json", RepoTags: [], Layers: [], Parent: "p" },
    ]),
    '[{"Config":"c.json","RepoTags":["docker.io/a/b:1"],"Layers":["l.tar"]},' +
      '{"Config":"d.json","RepoTags":[],"Layers":[],"Parent":"p"}]',
  );
});
