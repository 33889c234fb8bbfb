/**
 * Schema1 signed manifests through a real registry: distribution signs them
 * anew on every GET, so their raw bytes never repeat and their digest is
 * that of the payload without signatures. Reading them by tag (checked
 * against `Docker-Content-Digest`) and by digest must use that digest.
 */
import assert from "node:assert/strict";
import { copyImage, createTransportRegistry } from "../mod.ts";
import { manifestDigest } from "../core/manifest/mod.ts";
import { componentTest } from "./support/components.ts";
import { startRegistry } from "./support/registry.ts";
import { runSkopeo } from "./support/skopeo.ts";

const FIXTURE = new URL("./fixtures/schema1/signed", import.meta.url)
  .pathname;

componentTest({
  name: "schema1 signed images copy out of a registry by tag and by digest",
  components: ["docker-registry", "skopeo"],
  async fn() {
    await using registry = await startRegistry({ schema1: true });
    const image = `docker://${registry.host}/s1/app`;
    const push = await runSkopeo([
      "copy",
      "--dest-tls-verify=false",
      `dir:${FIXTURE}`,
      `${image}:x`,
    ]);
    assert.equal(push.code, 0, push.stderr);
    // The push rewrites name and tag: skopeo's own pull says what is stored.
    const oracle = await Deno.makeTempDir();
    const pull = await runSkopeo([
      "copy",
      "--src-tls-verify=false",
      `${image}:x`,
      `dir:${oracle}`,
    ]);
    assert.equal(pull.code, 0, pull.stderr);
    const stored = manifestDigest(
      await Deno.readFile(`${oracle}/manifest.json`),
    );
    await Deno.remove(oracle, { recursive: true });
    const registryOf = createTransportRegistry();
    const context = { settings: { docker: { tlsVerify: false } } };
    for (const ref of [`${image}:x`, `${image}@${stored}`]) {
      const out = await Deno.makeTempDir();
      try {
        await copyImage(
          await registryOf.parseImageName(ref),
          await registryOf.parseImageName(`dir:${out}`),
          { sourceContext: context },
        );
        const copied = await Deno.readFile(`${out}/manifest.json`);
        assert.equal(manifestDigest(copied), stored, ref);
      } finally {
        await Deno.remove(out, { recursive: true });
      }
    }
  },
});
