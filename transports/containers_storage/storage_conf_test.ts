import assert from "node:assert/strict";
import { defaultStoreSpec } from "./storage_conf.ts";

Deno.test("defaultStoreSpec() reads $CONTAINERS_STORAGE_CONF and STORAGE_* overrides", async () => {
  const conf = await Deno.makeTempFile({ suffix: ".conf" });
  try {
    await Deno.writeTextFile(
      conf,
      '[storage]\ndriver = "overlay"\ngraphroot = "/srv/g"\nrunroot = "/srv/r"\n',
    );
    const env: Record<string, string> = { CONTAINERS_STORAGE_CONF: conf };
    assert.deepEqual(defaultStoreSpec({ env: (n) => env[n], uid: 0 }), {
      driver: "overlay",
      graphRoot: "/srv/g",
      runRoot: "/srv/r",
      options: [],
    });
    env.STORAGE_DRIVER = "vfs";
    env.STORAGE_OPTS = "a=1,b=2";
    assert.deepEqual(defaultStoreSpec({ env: (n) => env[n], uid: 0 }), {
      driver: "vfs",
      graphRoot: "/srv/g",
      runRoot: "/srv/r",
      options: ["a=1", "b=2"],
    });
  } finally {
    await Deno.remove(conf);
  }
});

Deno.test("defaultStoreSpec() falls back to podman's root and rootless paths", () => {
  const none = "/nonexistent/storage.conf";
  const rootEnv: Record<string, string> = { CONTAINERS_STORAGE_CONF: none };
  assert.deepEqual(defaultStoreSpec({ env: (n) => rootEnv[n], uid: 0 }), {
    driver: "",
    graphRoot: "/var/lib/containers/storage",
    runRoot: "/run/containers/storage",
    options: [],
  });
  const userEnv: Record<string, string> = {
    CONTAINERS_STORAGE_CONF: none,
    HOME: "/home/u",
    XDG_RUNTIME_DIR: "/run/user/1000",
  };
  const user = defaultStoreSpec({ env: (n) => userEnv[n], uid: 1000 });
  assert.equal(user.graphRoot, "/home/u/.local/share/containers/storage");
  assert.equal(user.runRoot, "/run/user/1000/containers");
});

Deno.test("defaultStoreSpec() reports a malformed storage.conf", async () => {
  const conf = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(conf, "[storage\n");
    const env: Record<string, string> = { CONTAINERS_STORAGE_CONF: conf };
    assert.throws(
      () => defaultStoreSpec({ env: (n) => env[n], uid: 0 }),
      /parsing storage configuration/,
    );
  } finally {
    await Deno.remove(conf);
  }
});
