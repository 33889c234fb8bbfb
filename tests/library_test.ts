import assert from "node:assert/strict";
import {
  type CopyEvent,
  copyImage,
  createTransportRegistry,
  DigestMismatchError,
  inspectImage,
  listTags,
  login,
  logout,
  parseImageName,
  UnsupportedOperationError,
} from "../mod.ts";
import { componentTest } from "./support/components.ts";
import { startRegistry } from "./support/registry.ts";
import { makeTempDir } from "./support/temp_dir.ts";

const digests = JSON.parse(
  await Deno.readTextFile("tests/fixtures/digests.json"),
);

Deno.test("mod.ts copyImage() copies with events and returns the digest", async () => {
  await using tmp = await makeTempDir();
  const events: CopyEvent[] = [];
  const result = await copyImage(
    await parseImageName("oci:tests/fixtures/oci:demo"),
    await parseImageName(`dir:${tmp.path}/d`),
    { onEvent: (e) => events.push(e) },
  );
  assert.equal(result.digest, digests["oci:demo"].manifest);
  const finished = events.filter((e) => e.type === "blob-finished").length;
  assert.equal(finished, 3);
  assert.equal(events.at(-1)?.type, "signatures-storing");
});

Deno.test("mod.ts copyImage() stops when its signal aborts", async () => {
  await using tmp = await makeTempDir();
  const controller = new AbortController();
  controller.abort(new Error("stop now"));
  await assert.rejects(
    copyImage(
      await parseImageName("oci:tests/fixtures/oci:demo"),
      await parseImageName(`dir:${tmp.path}/d`),
      { signal: controller.signal },
    ),
    /stop now/,
  );
  await assert.rejects(Deno.stat(`${tmp.path}/d/manifest.json`));
});

Deno.test("mod.ts inspectImage() reads the platform and digest", async () => {
  const info = await inspectImage(
    await parseImageName("oci:tests/fixtures/oci:multi"),
    {
      platform: { architecture: "arm", variant: "v7", os: "linux" },
    },
  );
  assert.equal(info.Digest, digests["oci:multi"].manifest);
  assert.equal(info.Architecture, "arm");
});

Deno.test("mod.ts listTags() on a transport without tags is a clear error", async () => {
  await assert.rejects(
    listTags(await parseImageName("oci:tests/fixtures/oci:demo")),
    UnsupportedOperationError,
  );
});

Deno.test("mod.ts createTransportRegistry() lists names without loading", () => {
  const names = createTransportRegistry().names();
  assert.ok(names.includes("oci") && names.includes("dir"));
});

Deno.test("DigestMismatchError is exported for callers to catch", () => {
  assert.ok(new DigestMismatchError("a", "b") instanceof Error);
});

componentTest({
  name: "mod.ts login() checks and stores credentials; logout() removes them",
  components: ["docker-registry", "htpasswd"],
  async fn() {
    await using registry = await startRegistry({ auth: "htpasswd" });
    await using tmp = await makeTempDir();
    const authFile = `${tmp.path}/auth.json`;
    await assert.rejects(
      login(registry.host, {
        username: registry.username!,
        password: "wrong",
        authFile,
        tlsVerify: false,
      }),
      /invalid username\/password|unauthorized/,
    );
    const lines = await login(registry.host, {
      username: registry.username!,
      password: registry.password!,
      authFile,
      tlsVerify: false,
    });
    assert.deepEqual(lines, ["Login Succeeded!"]);
    const stored = JSON.parse(await Deno.readTextFile(authFile));
    assert.ok(stored.auths[registry.host].auth);
    assert.equal((await Deno.stat(authFile)).mode! & 0o777, 0o600);
    assert.deepEqual(await logout(registry.host, { authFile }), [
      `Removed login credentials for ${registry.host}`,
    ]);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(authFile)).auths, {});
  },
});
