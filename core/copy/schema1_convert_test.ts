/**
 * Schema1 conversions: pure checks of the building blocks, then end to end
 * through our CLI against skopeo 1.9.3 on the schema1 fixtures and the
 * OCI demo image.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { componentTest } from "../../tests/support/components.ts";
import { runOurs, runSkopeo } from "../../tests/support/skopeo.ts";
import { makeTempDir } from "../../tests/support/temp_dir.ts";
import { digestOf } from "../digest.ts";
import { parseManifest } from "../manifest/mod.ts";
import type { ParsedImageManifest } from "../manifest/parsed_manifest.ts";
import {
  GZIPPED_EMPTY_LAYER,
  GZIPPED_EMPTY_LAYER_DIGEST,
  schema1ToSchema2,
  schema2ToSchema1,
} from "./schema1_convert.ts";
import {
  goCompact,
  goMarshalRawMembers,
  rawJsonMembers,
} from "./schema1_raw_json.ts";

const SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+prettyjws";
const OCI = "application/vnd.oci.image.manifest.v1+json";
const FIXTURES = new URL("../../tests/fixtures/", import.meta.url);

async function readTree(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const walk = async (sub: string): Promise<void> => {
    for await (const entry of Deno.readDir(join(dir, sub))) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory) await walk(rel);
      else out.set(rel, await Deno.readFile(join(dir, rel)));
    }
  };
  await walk("");
  return out;
}

function assertSameTree(
  ours: Map<string, Uint8Array>,
  theirs: Map<string, Uint8Array>,
  what: string,
): void {
  assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort(), what);
  const text = new TextDecoder();
  for (const [name, bytes] of ours) {
    assert.equal(
      text.decode(bytes),
      text.decode(theirs.get(name)!),
      `${what}: ${name}`,
    );
  }
}

Deno.test("GZIPPED_EMPTY_LAYER hashes to its digest", () => {
  assert.equal(digestOf(GZIPPED_EMPTY_LAYER), GZIPPED_EMPTY_LAYER_DIGEST);
});

Deno.test("rawJsonMembers() keeps raw values; goMarshalRawMembers() sorts and compacts like Go", () => {
  const members = rawJsonMembers(
    '{ "b": 1.50, "a": { "x" : [1, 2e3] , "s": "<&> \\" x" }, "b": true }',
  );
  assert.deepEqual([...members.keys()], ["b", "a"]);
  assert.equal(members.get("b"), "true");
  assert.equal(
    goMarshalRawMembers(members),
    '{"a":{"x":[1,2e3],"s":"\\u003c\\u0026\\u003e \\" x"},"b":true}',
  );
  assert.equal(goCompact('[ 1.0 , "a b\\\\" ]'), '[1.0,"a b\\\\"]');
  assert.throws(() => rawJsonMembers("[1]"), /Expected a JSON object/);
  assert.throws(() => rawJsonMembers("{"), /Invalid JSON/);
});

Deno.test("schema1ToSchema2() drops throwaway layers and fills diffIDs", async () => {
  const bytes = await Deno.readFile(
    new URL("schema1/unsigned/manifest.json", FIXTURES),
  );
  const parsed = parseManifest({ bytes, mediaType: SCHEMA1 });
  assert.equal(parsed.kind, "image");
  const image = parsed as ParsedImageManifest;
  const diffIds = [
    "sha256:" + "1".repeat(64),
    "sha256:" + "2".repeat(64),
    "sha256:" + "3".repeat(64),
  ] as ParsedImageManifest["layers"][number]["digest"][];
  const converted = schema1ToSchema2(
    image,
    diffIds.map((diffId, i) => ({ size: 100 + i, diffId })),
  );
  const manifest = JSON.parse(new TextDecoder().decode(converted.bytes));
  assert.deepEqual(
    manifest.layers.map((l: { size: number }) => l.size),
    [100, 101],
  );
  assert.equal(manifest.config.digest, digestOf(converted.config));
  const config = JSON.parse(new TextDecoder().decode(converted.config));
  assert.deepEqual(config.rootfs, {
    type: "layers",
    diff_ids: diffIds.slice(0, 2),
  });
  assert.equal(config.history.length, 3);
  assert.equal(config.history[2].empty_layer, true);
  assert.equal(config.id, undefined);
  assert.equal(config.throwaway, undefined);
  assert.throws(
    () => schema1ToSchema2(image, []),
    /Inconsistent schema 1 manifest/,
  );
});

Deno.test("schema2ToSchema1() refuses a config without history", () => {
  const parsed = parseManifest({
    mediaType: OCI,
    bytes: new TextEncoder().encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI,
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: "sha256:" + "4".repeat(64),
        size: 2,
      },
      layers: [],
    })),
  }) as ParsedImageManifest;
  assert.throws(
    () => schema2ToSchema1(parsed, new TextEncoder().encode("{}")),
    /0 history entries/,
  );
});

componentTest({
  name:
    "copy of schema1 images to oci: and --format v2s2 writes skopeo 1.9.3's bytes",
  components: ["skopeo"],
  fn: async () => {
    await using tmp = await makeTempDir();
    for (const variant of ["signed", "unsigned"]) {
      const src = `dir:${new URL(`schema1/${variant}`, FIXTURES).pathname}`;
      for (
        const [label, args, dest] of [
          [
            "oci",
            [],
            (who: string) => `oci:${tmp.path}/${who}-${variant}-oci:s1`,
          ],
          [
            "v2s2",
            ["--format", "v2s2"],
            (who: string) => `dir:${tmp.path}/${who}-${variant}-v2s2`,
          ],
        ] as const
      ) {
        const ours = await runOurs(["copy", "-q", ...args, src, dest("ours")]);
        assert.equal(ours.code, 0, ours.stderr);
        const theirs = await runSkopeo([
          "copy",
          "-q",
          ...args,
          src,
          dest("skopeo"),
        ]);
        assert.equal(theirs.code, 0, theirs.stderr);
        const path = (who: string) => dest(who).split(":")[1]!;
        assertSameTree(
          await readTree(path("ours")),
          await readTree(path("skopeo")),
          `${variant} → ${label}`,
        );
      }
    }
  },
});

componentTest({
  name:
    "copy --format v2s1 writes skopeo 1.9.3's schema1 (but for the signature), which skopeo reads back",
  components: ["skopeo"],
  fn: async () => {
    await using tmp = await makeTempDir();
    const demo = "oci:tests/fixtures/oci:demo";
    const ours = await runOurs([
      "copy",
      "--format",
      "v2s1",
      demo,
      `dir:${tmp.path}/ours`,
    ]);
    assert.equal(ours.code, 0, ours.stderr);
    // skopeo writes the empty layer silently and no config.
    assert.doesNotMatch(ours.stdout, /Copying config/);
    const theirs = await runSkopeo([
      "copy",
      "-q",
      "--format",
      "v2s1",
      demo,
      `dir:${tmp.path}/skopeo`,
    ]);
    assert.equal(theirs.code, 0, theirs.stderr);
    const [a, b] = [
      await readTree(`${tmp.path}/ours`),
      await readTree(`${tmp.path}/skopeo`),
    ];
    const unsigned = (bytes: Uint8Array) => {
      const text = new TextDecoder().decode(bytes);
      return text.slice(0, text.indexOf(',"signatures":'));
    };
    assert.equal(
      unsigned(a.get("manifest.json")!),
      unsigned(b.get("manifest.json")!),
    );
    // schema1 digests leave the signatures out: the same image for skopeo.
    const digests = await Promise.all(
      ["ours", "skopeo"].map((who) =>
        runSkopeo(["manifest-digest", `${tmp.path}/${who}/manifest.json`])
      ),
    );
    assert.equal(digests[0]!.code, 0, digests[0]!.stderr);
    assert.equal(digests[0]!.stdout, digests[1]!.stdout);
    a.delete("manifest.json");
    b.delete("manifest.json");
    assertSameTree(a, b, "blobs");

    const inspect = await runSkopeo(["inspect", `dir:${tmp.path}/ours`]);
    assert.equal(inspect.code, 0, inspect.stderr);
    const info = JSON.parse(inspect.stdout);
    assert.equal(info.Architecture, "amd64");
    assert.equal(info.Layers.at(-1), GZIPPED_EMPTY_LAYER_DIGEST);

    // Both tools read our schema1 back into the same OCI image.
    const back = await runSkopeo([
      "copy",
      "-q",
      `dir:${tmp.path}/ours`,
      `oci:${tmp.path}/back-skopeo:x`,
    ]);
    assert.equal(back.code, 0, back.stderr);
    const backOurs = await runOurs([
      "copy",
      "-q",
      `dir:${tmp.path}/ours`,
      `oci:${tmp.path}/back-ours:x`,
    ]);
    assert.equal(backOurs.code, 0, backOurs.stderr);
    assertSameTree(
      await readTree(`${tmp.path}/back-ours`),
      await readTree(`${tmp.path}/back-skopeo`),
      "schema1 → oci",
    );
  },
});
