import assert from "node:assert/strict";
import { componentTest } from "./components.ts";
import { runSkopeo } from "./skopeo.ts";
import { makeTempDir } from "./temp_dir.ts";

componentTest({
  name: "runSkopeo() reads no auth file but the isolated one it is given",
  components: ["skopeo"],
  async fn() {
    await using home = await makeTempDir();
    const fresh = await runSkopeo(["login", "--get-login", "127.0.0.1:1"]);
    assert.notEqual(fresh.code, 0);
    assert.match(fresh.stderr, /not logged into 127\.0\.0\.1:1/);
    // skopeo's default auth file is $XDG_RUNTIME_DIR/containers/auth.json.
    await Deno.mkdir(home.join("run", "containers"), { recursive: true });
    await Deno.writeTextFile(
      home.join("run", "containers", "auth.json"),
      JSON.stringify({
        auths: { "127.0.0.1:1": { auth: btoa("alice:secret") } },
      }),
    );
    const kept = await runSkopeo(["login", "--get-login", "127.0.0.1:1"], {
      home: home.path,
    });
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal(kept.stdout.trim(), "alice");
  },
});

componentTest({
  name: "runSkopeo() reports skopeo's exit code and output",
  components: ["skopeo"],
  async fn() {
    const version = await runSkopeo(["--version"]);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^skopeo version \d+\.\d+\.\d+/);
    const bad = await runSkopeo(["inspect", "nosuchtransport:x"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /nosuchtransport/);
  },
});
