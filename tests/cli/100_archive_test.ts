/**
 * docker-archive: and oci-archive: end to end, against skopeo 1.9.3 (each
 * reads what the other writes), GNU tar (archives as docker 20.10 writes
 * them, hostile archives) and umoci (OCI layout validity).
 */
import assert from "node:assert/strict";
import { digestOf } from "../../core/digest.ts";
import { componentTest } from "../support/components.ts";
import { runOurs, runSkopeo } from "../support/skopeo.ts";
import { makeTempDir, type TempDir } from "../support/temp_dir.ts";
import { umociStat } from "../support/umoci.ts";

const DEMO = "oci:tests/fixtures/oci:demo";
const fixtureDigests = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/digests.json", import.meta.url)),
);
const DEMO_CONFIG: string = fixtureDigests["oci:demo"].config;

async function ok(
  run: Promise<{ code: number; stderr: string; stdout: string }>,
): Promise<string> {
  const result = await run;
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

async function tar(args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command("tar", {
    args,
    stdout: "piped",
    stderr: "piped",
    ...(cwd ? { cwd } : {}),
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

/** Every file of a directory, by name. */
async function files(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for await (const entry of Deno.readDir(dir)) {
    out.set(entry.name, await Deno.readFile(`${dir}/${entry.name}`));
  }
  return out;
}

/** Checks a dir: image: every blob's name is its content's digest. */
async function assertDirDigests(dir: string): Promise<void> {
  const all = await files(dir);
  const manifest = JSON.parse(
    new TextDecoder().decode(all.get("manifest.json")),
  );
  for (const blob of [manifest.config, ...manifest.layers]) {
    const bytes = all.get(blob.digest.slice(7));
    assert.ok(bytes, `blob ${blob.digest} missing`);
    assert.equal(digestOf(bytes), blob.digest);
    assert.equal(bytes.length, blob.size, `size of ${blob.digest}`);
  }
}

async function assertGone(path: string): Promise<void> {
  await assert.rejects(Deno.lstat(path), Deno.errors.NotFound, path);
}

/**
 * A two-image archive as docker 20.10 saves it: image b's only layer is
 * image a's top layer, stored once, b's entry a symlink to it.
 */
async function dockerSymlinkArchive(tmp: TempDir): Promise<string> {
  const src = tmp.join("skopeo.tar");
  await ok(runSkopeo(["copy", "-q", DEMO, `docker-archive:${src}`]));
  const work = tmp.join("sym");
  await Deno.mkdir(work);
  await tar(["-xf", src, "-C", work]);
  const [item] = JSON.parse(await Deno.readTextFile(`${work}/manifest.json`));
  const [l1, l2] = item.Layers as string[];
  for (const [id, file] of [["a1", l1], ["a2", l2]]) {
    await Deno.mkdir(`${work}/${id}`);
    await Deno.rename(`${work}/${file}`, `${work}/${id}/layer.tar`);
  }
  await Deno.mkdir(`${work}/b1`);
  await Deno.symlink("../a2/layer.tar", `${work}/b1/layer.tar`);
  const config = JSON.parse(await Deno.readTextFile(`${work}/${item.Config}`));
  config.rootfs.diff_ids = [config.rootfs.diff_ids[1]];
  config.history = [config.history[1]];
  config.created = "2024-02-02T00:00:00Z";
  await Deno.writeTextFile(`${work}/b.json`, JSON.stringify(config));
  await Deno.writeTextFile(
    `${work}/manifest.json`,
    JSON.stringify([
      {
        Config: item.Config,
        RepoTags: ["a:1"],
        Layers: ["a1/layer.tar", "a2/layer.tar"],
      },
      { Config: "b.json", RepoTags: ["b:1"], Layers: ["b1/layer.tar"] },
    ]),
  );
  const archive = tmp.join("docker20.tar");
  await tar([
    "-cf",
    archive,
    "-C",
    work,
    "manifest.json",
    item.Config,
    "b.json",
    "a1",
    "a2",
    "b1",
  ]);
  return archive;
}

componentTest({
  name:
    "docker-archive: oci → docker-archive → dir round-trips, and skopeo reads our archive identically",
  components: ["skopeo", "tar"],
  async fn() {
    await using tmp = await makeTempDir();
    const archive = tmp.join("ours.tar");
    await ok(
      runOurs(["copy", "-q", DEMO, `docker-archive:${archive}:foo/bar:1`]),
    );
    // docker load's format: manifest.json names a config and layer files that exist.
    const listing = (await tar(["-tf", archive])).trim().split("\n");
    const [item] = JSON.parse(await tar(["-xOf", archive, "manifest.json"]));
    assert.deepEqual(Object.keys(item), ["Config", "RepoTags", "Layers"]);
    assert.deepEqual(item.RepoTags, ["docker.io/foo/bar:1"]);
    assert.equal(item.Config, `${DEMO_CONFIG.slice(7)}.json`);
    for (const file of [item.Config, ...item.Layers, "repositories"]) {
      assert.ok(listing.includes(file), `${file} not in the archive`);
    }
    // Both tools read it the same, and copy the same bytes out of it.
    assert.equal(
      await ok(runOurs(["inspect", "--raw", `docker-archive:${archive}`])),
      await ok(
        runSkopeo(["inspect", "--raw", `docker-archive:${archive}:foo/bar:1`]),
      ),
    );
    await ok(
      runOurs([
        "copy",
        "-q",
        `docker-archive:${archive}`,
        `dir:${tmp.join("ours")}`,
      ]),
    );
    await ok(
      runSkopeo([
        "copy",
        "-q",
        `docker-archive:${archive}`,
        `dir:${tmp.join("theirs")}`,
      ]),
    );
    await assertDirDigests(tmp.join("ours"));
    assert.deepEqual(
      await files(tmp.join("ours")),
      await files(tmp.join("theirs")),
    );
    const dirManifest = JSON.parse(
      await Deno.readTextFile(tmp.join("ours/manifest.json")),
    );
    assert.equal(dirManifest.config.digest, DEMO_CONFIG);
  },
});

componentTest({
  name:
    "docker-archive: layers are decompressed on the way in, so our archive is skopeo's byte for byte",
  components: ["skopeo", "tar"],
  async fn() {
    await using tmp = await makeTempDir();
    const ours = tmp.join("ours.tar");
    const theirs = tmp.join("theirs.tar");
    await ok(runOurs(["copy", "-q", DEMO, `docker-archive:${ours}:foo/bar:1`]));
    await ok(
      runSkopeo(["copy", "-q", DEMO, `docker-archive:${theirs}:foo/bar:1`]),
    );
    const [item] = JSON.parse(await tar(["-xOf", ours, "manifest.json"]));
    for (const layer of item.Layers as string[]) {
      const head = (await new Deno.Command("tar", {
        args: ["-xOf", ours, layer],
        stdout: "piped",
      }).output()).stdout;
      assert.notDeepEqual(
        [...head.subarray(0, 2)],
        [0x1f, 0x8b],
        `${layer} is gzip`,
      );
      assert.equal(
        new TextDecoder().decode(head.subarray(257, 262)),
        "ustar",
        `${layer} is a plain tar`,
      );
      assert.equal(`sha256:${layer.slice(0, -4)}`, digestOf(head));
    }
    assert.deepEqual(await Deno.readFile(ours), await Deno.readFile(theirs));
  },
});

componentTest({
  name:
    "docker-archive: we read skopeo's archives, by tag, @N, several tags, and from stdin",
  components: ["skopeo"],
  async fn() {
    await using tmp = await makeTempDir();
    const archive = tmp.join("theirs.tar");
    await ok(runSkopeo([
      "copy",
      "-q",
      "--additional-tag",
      "foo/bar:2",
      "--additional-tag",
      "quay.io/x/y:z",
      DEMO,
      `docker-archive:${archive}:foo/bar:1`,
    ]));
    const expected = await ok(
      runSkopeo(["inspect", "--raw", `docker-archive:${archive}`]),
    );
    for (
      const selector of [
        "",
        ":foo/bar:1",
        ":docker.io/foo/bar:2",
        ":quay.io/x/y:z",
        ":@0",
      ]
    ) {
      assert.equal(
        await ok(
          runOurs(["inspect", "--raw", `docker-archive:${archive}${selector}`]),
        ),
        expected,
        selector,
      );
    }
    // Untagged: skopeo lists no RepoTags for archives.
    assert.equal(
      await ok(runOurs(["inspect", `docker-archive:${archive}`])),
      await ok(runSkopeo(["inspect", `docker-archive:${archive}`])),
    );
    assert.equal(
      await ok(runOurs(["inspect", "--raw", "docker-archive:/dev/stdin"], {
        stdin: await Deno.readFile(archive),
      })),
      expected,
    );
    for (
      const [selector, message] of [
        [":foo/bar:3", 'Tag \\"docker.io/foo/bar:3\\" not found'],
        [":@1", "Invalid source index @1, only 1 manifest items available"],
      ] as const
    ) {
      const ours = await runOurs([
        "inspect",
        `docker-archive:${archive}${selector}`,
      ]);
      const theirs = await runSkopeo([
        "inspect",
        `docker-archive:${archive}${selector}`,
      ]);
      assert.equal(ours.code, 1);
      assert.equal(theirs.code, 1);
      assert.ok(ours.stderr.includes(message), ours.stderr);
      assert.ok(theirs.stderr.includes(message), theirs.stderr);
    }
    await ok(
      runOurs([
        "copy",
        "-q",
        `docker-archive:${archive}:quay.io/x/y:z`,
        `dir:${tmp.join("d")}`,
      ]),
    );
    await assertDirDigests(tmp.join("d"));
  },
});

componentTest({
  name:
    "docker-archive: docker 20.10's symlinked duplicate layer is read correctly (skopeo 1.9.3 fails)",
  components: ["skopeo", "tar"],
  async fn() {
    await using tmp = await makeTempDir();
    const archive = await dockerSymlinkArchive(tmp);
    assert.match(
      await tar(["-tvf", archive]),
      /b1\/layer\.tar -> \.\.\/a2\/layer\.tar/,
    );
    // skopeo 1.9.3 reports the linked layer with size 0 and cannot copy it.
    const theirs = await runSkopeo([
      "copy",
      "-q",
      `docker-archive:${archive}:b:1`,
      `dir:${tmp.join("theirs")}`,
    ]);
    assert.equal(theirs.code, 1);
    assert.match(theirs.stderr, /Size mismatch/);
    await ok(
      runOurs([
        "copy",
        "-q",
        `docker-archive:${archive}:b:1`,
        `dir:${tmp.join("b")}`,
      ]),
    );
    await assertDirDigests(tmp.join("b"));
    await ok(
      runOurs([
        "copy",
        "-q",
        `docker-archive:${archive}:@0`,
        `dir:${tmp.join("a")}`,
      ]),
    );
    await assertDirDigests(tmp.join("a"));
    const a = JSON.parse(await Deno.readTextFile(tmp.join("a/manifest.json")));
    const b = JSON.parse(await Deno.readTextFile(tmp.join("b/manifest.json")));
    assert.deepEqual(b.layers, [a.layers[1]]);
    // Two images and no selector: skopeo's error, nothing written.
    const none = await runOurs([
      "copy",
      "-q",
      `docker-archive:${archive}`,
      `dir:${tmp.join("none")}`,
    ]);
    assert.equal(none.code, 1);
    assert.match(
      none.stderr,
      /Unexpected tar manifest\.json: expected 1 item, got 2/,
    );
    assert.equal(none.stderr.trim().split("\n").length, 1, none.stderr);
  },
});

componentTest({
  name:
    "docker-archive: hostile and broken archives fail in one line and write nothing",
  components: ["tar"],
  async fn() {
    await using tmp = await makeTempDir();
    const good = tmp.join("good.tar");
    await ok(runOurs(["copy", "-q", DEMO, `docker-archive:${good}`]));
    const work = tmp.join("x");
    await Deno.mkdir(work);
    await tar(["-xf", good, "-C", work]);
    // A member named ../../etc/x (GNU tar keeps it with -P).
    const evil = tmp.join("evil.tar");
    await Deno.writeTextFile(`${work}/etc-x`, "owned");
    await tar([
      "-cPf",
      evil,
      "--transform",
      "s,^etc-x,../../etc/x,",
      "manifest.json",
      "etc-x",
    ], work);
    assert.match(await tar(["-tPf", evil]), /^\.\.\/\.\.\/etc\/x$/m);
    const truncated = tmp.join("truncated.tar");
    const whole = await Deno.readFile(good);
    await Deno.writeFile(
      truncated,
      whole.subarray(0, Math.floor(whole.length / 2)),
    );
    // manifest.json naming a layer file that is not there.
    const missing = tmp.join("missing.tar");
    const [item] = JSON.parse(await Deno.readTextFile(`${work}/manifest.json`));
    await tar(["-cf", missing, "manifest.json", item.Config], work);
    // A layer whose bytes no longer match its diff ID: fails mid-copy.
    const corrupt = tmp.join("corrupt.tar");
    const layer = await Deno.readFile(`${work}/${item.Layers[1]}`);
    layer[layer.length - 1] = layer.at(-1)! ^ 0xff;
    await Deno.writeFile(`${work}/${item.Layers[1]}`, layer);
    await tar(
      ["-cf", corrupt, "manifest.json", item.Config, ...item.Layers],
      work,
    );
    const cases: Array<[string, RegExp]> = [
      [evil, /entry name .*\.\.\/\.\.\/etc\/x.* has a .* component/],
      [truncated, /truncated/],
      [missing, /loading tar component [0-9a-f]{64}\.tar: file does not exist/],
      [corrupt, /Digest mismatch/],
    ];
    for (const [archive, message] of cases) {
      const name = archive.split("/").pop()!;
      const destination = tmp.join(`out-${name}`);
      // Both archive kinds as destinations: both must clean up.
      const target = name.startsWith("c")
        ? `docker-archive:${destination}`
        : `oci-archive:${destination}`;
      const result = await runOurs([
        "copy",
        "-q",
        `docker-archive:${archive}`,
        target,
      ]);
      assert.equal(result.code, 1, archive);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      await assertGone(destination);
    }
    await assertGone(tmp.join("../etc/x"));
    const listing = [];
    for await (const entry of Deno.readDir(tmp.path)) listing.push(entry.name);
    assert.deepEqual(
      listing.filter((n) => n.startsWith(".")),
      [],
      "no temporary files left",
    );
  },
});

componentTest({
  name: "oci-archive: both directions with skopeo, and umoci validates ours",
  components: ["skopeo", "tar", "umoci"],
  async fn() {
    await using tmp = await makeTempDir();
    const ours = tmp.join("ours.tar");
    const theirs = tmp.join("theirs.tar");
    await ok(runOurs(["copy", "-q", DEMO, `oci-archive:${ours}:demo`]));
    await ok(runSkopeo(["copy", "-q", DEMO, `oci-archive:${theirs}:demo`]));
    const raw = await ok(runSkopeo(["inspect", "--raw", DEMO]));
    assert.equal(
      await ok(runSkopeo(["inspect", "--raw", `oci-archive:${ours}:demo`])),
      raw,
    );
    assert.equal(
      await ok(runOurs(["inspect", "--raw", `oci-archive:${theirs}:demo`])),
      raw,
    );
    assert.equal(
      await ok(runOurs(["inspect", "--raw", `oci-archive:${theirs}`])),
      raw,
    );
    // Out of skopeo's archive into a layout: the fixture's blobs, byte for byte.
    await ok(
      runOurs([
        "copy",
        "-q",
        `oci-archive:${theirs}:demo`,
        `oci:${tmp.join("layout")}:demo`,
      ]),
    );
    for (const [name, bytes] of await files(tmp.join("layout/blobs/sha256"))) {
      assert.deepEqual(
        bytes,
        await Deno.readFile(`tests/fixtures/oci/blobs/sha256/${name}`),
        name,
      );
    }
    // umoci on our archive, extracted.
    await Deno.mkdir(tmp.join("extracted"));
    await tar(["-xf", ours, "-C", tmp.join("extracted")]);
    const stat = await umociStat(tmp.join("extracted"), "demo");
    assert.equal(stat.code, 0, stat.stderr);
    assert.equal(stat.history?.filter((h) => h.layer).length, 2);
  },
});

componentTest({
  name:
    "oci-archive ⇄ docker-archive through skopeo: every step keeps the config",
  components: ["skopeo"],
  async fn() {
    await using tmp = await makeTempDir();
    await ok(
      runOurs([
        "copy",
        "-q",
        DEMO,
        `docker-archive:${tmp.join("d.tar")}:demo:1`,
      ]),
    );
    await ok(
      runSkopeo([
        "copy",
        "-q",
        `docker-archive:${tmp.join("d.tar")}`,
        `oci-archive:${tmp.join("o.tar")}`,
      ]),
    );
    await ok(
      runOurs([
        "copy",
        "-q",
        `oci-archive:${tmp.join("o.tar")}`,
        `docker-archive:${tmp.join("d2.tar")}`,
      ]),
    );
    const config = JSON.parse(
      await ok(
        runSkopeo([
          "inspect",
          "--config",
          `docker-archive:${tmp.join("d2.tar")}`,
        ]),
      ),
    );
    const original = JSON.parse(
      await ok(runSkopeo(["inspect", "--config", DEMO])),
    );
    assert.deepEqual(config.rootfs, original.rootfs);
    assert.deepEqual(config.config, original.config);
  },
});
