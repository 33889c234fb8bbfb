import assert from "node:assert/strict";
import type { Digest } from "../../core/types.ts";
import { componentTest } from "../../tests/support/components.ts";
import {
  blobPath,
  decodeSignature,
  DIR_VERSION,
  encodeSignature,
  isFormatFile,
  KNOWN_DIR_VERSIONS,
  manifestPath,
  signaturePath,
} from "./layout.ts";

const HEX = "ab".repeat(32);
const SHA256 = `sha256:${HEX}` as Digest;
const SHA512 = `sha512:${"cd".repeat(64)}` as Digest;

Deno.test("blobPath() names sha256 blobs by hex and others algorithm-hex", () => {
  assert.equal(blobPath("/d", SHA256), `/d/${HEX}`);
  assert.equal(blobPath("/d", SHA512), `/d/sha512-${"cd".repeat(64)}`);
});

Deno.test("manifestPath() names the top manifest and instance manifests", () => {
  assert.equal(manifestPath("/d"), "/d/manifest.json");
  assert.equal(manifestPath("/d", SHA256), `/d/${HEX}.manifest.json`);
});

Deno.test("signaturePath() numbers signatures from 1, per instance", () => {
  assert.equal(signaturePath("/d", 0), "/d/signature-1");
  assert.equal(signaturePath("/d", 9), "/d/signature-10");
  assert.equal(signaturePath("/d", 1, SHA256), `/d/${HEX}.signature-2`);
});

Deno.test("isFormatFile() accepts the names the format writes, nothing else", () => {
  for (
    const name of [
      "manifest.json",
      "version",
      HEX,
      `sha512-${"cd".repeat(64)}`,
      `${HEX}.manifest.json`,
      "signature-1",
      "signature-12",
      `${HEX}.signature-3`,
    ]
  ) {
    assert.equal(isFormatFile(name), true, name);
  }
  for (
    const name of [
      "notes.txt",
      "manifest.json.bak",
      ".manifest.json.tmp-1234abcd",
      HEX.toUpperCase(),
      HEX.slice(1),
      `${HEX}.manifest.json.tmp`,
      "signature-",
      "signature-x",
      `${HEX}/x`,
      "",
      "version2",
    ]
  ) {
    assert.equal(isFormatFile(name), false, name);
  }
});

Deno.test("DIR_VERSION is the text skopeo writes, and is a known version", () => {
  assert.equal(DIR_VERSION, "Directory Transport Version: 1.1\n");
  assert.ok(KNOWN_DIR_VERSIONS.includes(DIR_VERSION));
});

Deno.test("encodeSignature() stores simple signing raw, others behind a header", () => {
  const payload = new Uint8Array([1, 2, 3]);
  assert.deepEqual(encodeSignature("simple-signing", payload), payload);
  const encoded = encodeSignature("sigstore-json", payload);
  assert.deepEqual(
    encoded,
    new Uint8Array([
      0,
      ...new TextEncoder().encode("sigstore-json\n"),
      1,
      2,
      3,
    ]),
  );
  assert.deepEqual(decodeSignature(encoded), {
    format: "sigstore-json",
    bytes: payload,
  });
  assert.deepEqual(decodeSignature(payload), {
    format: "simple-signing",
    bytes: payload,
  });
  // A header without a newline has an empty payload.
  assert.deepEqual(decodeSignature(new Uint8Array([0, 0x78])), {
    format: "x",
    bytes: new Uint8Array(),
  });
});

componentTest({
  name: "dir layout paths name exactly the files skopeo writes",
  components: ["skopeo"],
  async fn() {
    const fixtures = new URL("../../tests/fixtures/", import.meta.url).pathname;
    const dir = await Deno.makeTempDir({ prefix: "dir_layout_" });
    try {
      const out = await new Deno.Command("skopeo", {
        args: [
          "copy",
          "--quiet",
          "--insecure-policy",
          "--all",
          `oci:${fixtures}oci:multi`,
          `dir:${dir}`,
        ],
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const written = new Set<string>();
      for await (const entry of Deno.readDir(dir)) written.add(entry.name);
      // Every file skopeo wrote is one isFormatFile() recognises…
      for (const name of written) assert.ok(isFormatFile(name), name);
      assert.equal(await Deno.readTextFile(`${dir}/version`), DIR_VERSION);
      // …and our paths for the list's instances and blobs are those files.
      const list = JSON.parse(await Deno.readTextFile(manifestPath(dir)));
      assert.ok(list.manifests.length > 1);
      for (const instance of list.manifests) {
        const path = manifestPath(dir, instance.digest);
        assert.ok(written.has(path.slice(dir.length + 1)), path);
        const manifest = JSON.parse(await Deno.readTextFile(path));
        for (const blob of [manifest.config, ...manifest.layers]) {
          const blobFile = blobPath(dir, blob.digest);
          assert.ok(written.has(blobFile.slice(dir.length + 1)), blobFile);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
