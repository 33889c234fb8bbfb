/**
 * Archives of real engines: what `podman save` and `buildah push` write
 * (docker-archive, oci-archive, docker-dir, oci-dir) our CLI reads, with the
 * digests and diffIDs podman/buildah report; and podman/buildah load the
 * archives we write. Images are built offline (`podman import` of a tarball,
 * `buildah from scratch`) in a private vfs store that is removed afterwards.
 */
import assert from "node:assert/strict";
import { digestOf } from "../../core/digest.ts";
import { componentTest } from "../support/components.ts";
import { runOurs, runSkopeo } from "../support/skopeo.ts";
import { makeTempDir, type TempDir } from "../support/temp_dir.ts";

const DEMO = "oci:tests/fixtures/oci:demo";
const decoder = new TextDecoder();

/** What `podman inspect` reports of an image. */
interface PodmanImage {
  Id: string;
  Digest: string;
  RepoTags: string[];
  RepoDigests: string[];
  RootFS: { Layers: string[] };
}

/** podman and buildah bound to a private store, never the host's. */
interface Engine {
  podman(args: string[]): Promise<string>;
  buildah(args: string[]): Promise<string>;
  inspect(name: string): Promise<PodmanImage>;
}

async function exec(command: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(
    out.success,
    `${command} ${args.join(" ")}: ${decoder.decode(out.stderr)}`,
  );
  return decoder.decode(out.stdout);
}

async function engine(tmp: TempDir): Promise<Engine> {
  const dirs = ["root", "runroot", "tmp", "home"].map((d) => tmp.join(d));
  for (const dir of dirs) await Deno.mkdir(dir);
  const [root, runroot, tmpdir, home] = dirs as [
    string,
    string,
    string,
    string,
  ];
  const registries = tmp.join("registries.conf");
  await Deno.writeTextFile(registries, "");
  const storage = [
    "--root",
    root,
    "--runroot",
    runroot,
    "--storage-driver",
    "vfs",
  ];
  // Runs podman/buildah with no route off loopback and no host config.
  const run = async (command: string, args: string[]): Promise<string> => {
    const out = await new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      clearEnv: true,
      env: {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        HOME: home,
        TMPDIR: tmpdir,
        CONTAINERS_REGISTRIES_CONF: registries,
        HTTP_PROXY: "http://127.0.0.1:9",
        HTTPS_PROXY: "http://127.0.0.1:9",
      },
    }).output();
    assert.ok(
      out.success,
      `${command} ${args.join(" ")}: ${decoder.decode(out.stderr)}`,
    );
    return decoder.decode(out.stdout);
  };
  const podman = (args: string[]): Promise<string> =>
    run("podman", [
      ...storage,
      "--tmpdir",
      tmpdir,
      "--cgroup-manager=cgroupfs",
      "--events-backend=none",
      ...args,
    ]);
  return {
    podman,
    buildah: (args) => run("buildah", [...storage, ...args]),
    async inspect(name) {
      const [image] = JSON.parse(await podman(["image", "inspect", name]));
      return image as PodmanImage;
    },
  };
}

/** Imports a one-file rootfs as a single-layer image. */
async function importImage(
  tmp: TempDir,
  eng: Engine,
  name: string,
): Promise<PodmanImage> {
  const ctx = tmp.join(`ctx-${name.replaceAll(/[/:]/g, "_")}`);
  await Deno.mkdir(ctx);
  await Deno.writeTextFile(`${ctx}/file.txt`, `${name}\n`);
  await exec("tar", ["-C", ctx, "-cf", `${ctx}.tar`, "file.txt"]);
  await eng.podman(["import", "-q", `${ctx}.tar`, name]);
  return await eng.inspect(name);
}

async function ours(args: string[]): Promise<string> {
  const result = await runOurs(args);
  assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** What our CLI sees of an image: manifest digest, config digest, diffIDs. */
async function seen(
  ref: string,
): Promise<{ digest: string; config: string; diffIds: string[] }> {
  const [raw, info, config] = await Promise.all([
    runOurs(["inspect", "--raw", ref]),
    ours(["inspect", ref]).then(JSON.parse),
    ours(["inspect", "--config", ref]).then(JSON.parse),
  ]);
  assert.equal(raw.code, 0, `${ref}: ${raw.stderr}`);
  assert.equal(info.Digest, digestOf(raw.stdoutBytes), ref);
  return {
    digest: info.Digest,
    config: JSON.parse(raw.stdout).config.digest,
    diffIds: config.rootfs.diff_ids,
  };
}

/** Asserts our CLI reads `ref` as podman's `image`. */
async function assertSameImage(ref: string, image: PodmanImage): Promise<void> {
  const got = await seen(ref);
  assert.equal(got.config, `sha256:${image.Id}`, ref);
  assert.deepEqual(got.diffIds, image.RootFS.Layers, ref);
}

/**
 * Copies `ref` to a dir: image and checks it is podman's `image`: config
 * digest, diffIDs, and every blob against its digest.
 */
async function assertCopies(
  tmp: TempDir,
  ref: string,
  image: PodmanImage,
): Promise<void> {
  const dir = await Deno.makeTempDir({ dir: tmp.path, prefix: "copy-" });
  await ours(["copy", "-q", ref, `dir:${dir}`]);
  const manifest = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
  assert.equal(manifest.config.digest, `sha256:${image.Id}`, ref);
  for (const blob of [manifest.config, ...manifest.layers]) {
    const bytes = await Deno.readFile(`${dir}/${blob.digest.slice(7)}`);
    assert.equal(digestOf(bytes), blob.digest, ref);
    assert.equal(bytes.length, blob.size, ref);
  }
  const config = JSON.parse(
    await Deno.readTextFile(`${dir}/${manifest.config.digest.slice(7)}`),
  );
  assert.deepEqual(config.rootfs.diff_ids, image.RootFS.Layers, ref);
}

componentTest({
  name:
    "podman save archives (docker-archive, oci-archive, -m, dirs) read as podman reports them",
  components: ["podman", "tar"],
  async fn() {
    await using tmp = await makeTempDir("skopeo-ts-podman-");
    const eng = await engine(tmp);
    await importImage(tmp, eng, "localhost/podman/a:1");
    const b = await importImage(tmp, eng, "localhost/podman/b:2");
    await eng.podman(["tag", "localhost/podman/a:1", "localhost/podman/a:x"]);
    const a = await eng.inspect("localhost/podman/a:1");
    assert.equal(a.RepoTags.length, 2);
    const save = (args: string[], out: string, ...names: string[]) =>
      eng.podman(["save", "-q", ...args, "-o", out, ...names]);
    const path = (name: string): string => tmp.join(name);
    // podman's docker-archive symlinks each layer.tar to a digest-named file;
    // its oci-archive compresses layers unless told not to (the stored
    // manifest, digest included, is then kept); -m puts several images (and
    // several tags of one) in one docker-archive.
    await save(
      ["--format", "docker-archive"],
      path("a.tar"),
      "localhost/podman/a:1",
    );
    await save(
      ["--format", "oci-archive"],
      path("a.oci"),
      "localhost/podman/a:1",
    );
    await save(
      ["--uncompressed", "--format", "oci-archive"],
      path("a.plain"),
      "localhost/podman/a:1",
    );
    await save(["-m"], path("m.tar"), ...a.RepoTags, ...b.RepoTags);
    await save(
      ["--format", "docker-dir"],
      path("b.dir"),
      "localhost/podman/b:2",
    );
    await save(
      ["--compress", "--format", "docker-dir"],
      path("b.gz"),
      "localhost/podman/b:2",
    );
    await save(["--format", "oci-dir"], path("b.oci"), "localhost/podman/b:2");

    const multi = `docker-archive:${path("m.tar")}`;
    // `seen` runs our inspect; `assertCopies` our copy (one run each).
    const [plain, tags] = await Promise.all([
      seen(`oci-archive:${path("a.plain")}`),
      ours(["list-tags", multi]).then((out) => JSON.parse(out).Tags),
      assertSameImage(`${multi}:localhost/podman/a:x`, a),
      assertCopies(tmp, `docker-archive:${path("a.tar")}`, a),
      assertCopies(tmp, `oci-archive:${path("a.oci")}:localhost/podman/a:1`, a),
      assertCopies(tmp, `${multi}:@1`, b),
      assertCopies(tmp, `dir:${path("b.dir")}`, b),
      assertCopies(tmp, `dir:${path("b.gz")}`, b),
      assertCopies(tmp, `oci:${path("b.oci")}`, b),
    ]);
    assert.equal(plain.config, `sha256:${a.Id}`);
    assert.deepEqual(plain.diffIds, a.RootFS.Layers);
    assert.equal(plain.digest, a.Digest);
    assert.deepEqual(tags.sort(), [...a.RepoTags, ...b.RepoTags].sort());
  },
});

componentTest({
  name: "podman load takes the docker-archive and oci-archive we write",
  components: ["podman"],
  async fn() {
    await using tmp = await makeTempDir("skopeo-ts-podman-");
    const eng = await engine(tmp);
    const docker = tmp.join("ours.tar");
    const oci = tmp.join("ours.oci.tar");
    await ours([
      "copy",
      "-q",
      "--additional-tag",
      "localhost/ours/extra:e",
      DEMO,
      `docker-archive:${docker}:localhost/ours/d:1`,
    ]);
    await ours(["copy", "-q", DEMO, `oci-archive:${oci}:localhost/ours/o:1`]);
    const dockerSeen = await seen(`docker-archive:${docker}`);
    const ociSeen = await seen(`oci-archive:${oci}`);
    assert.equal(ociSeen.config, dockerSeen.config);

    await eng.podman(["load", "-q", "-i", docker]);
    await eng.podman(["load", "-q", "-i", oci]);
    // `podman images` lists one row per name.
    const listed: { Id: string; Names: string[] }[] = JSON.parse(
      await eng.podman(["images", "--format", "json"]),
    );
    assert.deepEqual(
      [...new Set(listed.map((row) => `sha256:${row.Id}`))],
      [dockerSeen.config],
    );
    assert.deepEqual([...new Set(listed.flatMap((row) => row.Names))].sort(), [
      "localhost/ours/d:1",
      "localhost/ours/extra:e",
      "localhost/ours/o:1",
    ]);
    const image = await eng.inspect("localhost/ours/o:1");
    assert.equal(`sha256:${image.Id}`, dockerSeen.config);
    assert.deepEqual(image.RootFS.Layers, dockerSeen.diffIds);
    // podman keeps each manifest as loaded: both digests are the image's.
    const digests = image.RepoDigests.map((d) => d.split("@")[1]);
    assert.ok(digests.includes(dockerSeen.digest), image.RepoDigests.join());
    assert.ok(digests.includes(ociSeen.digest), image.RepoDigests.join());
  },
});

componentTest({
  name:
    "buildah push archives read as buildah built them, and buildah pulls ours",
  components: ["buildah", "podman", "skopeo"],
  async fn() {
    await using tmp = await makeTempDir("skopeo-ts-buildah-");
    const eng = await engine(tmp);
    const ctx = tmp.join("ctx");
    await Deno.mkdir(ctx);
    await Deno.writeTextFile(`${ctx}/one.txt`, "one\n");
    await Deno.writeTextFile(`${ctx}/two.txt`, "two\n");
    // Two images; the second's first layer is the first's only layer.
    const build = async (from: string, file: string, name: string) => {
      const c = (await eng.buildah(["from", "-q", from])).trim();
      await eng.buildah(["copy", "-q", c, `${ctx}/${file}`, `/${file}`]);
      await eng.buildah(["config", "--label", `file=${file}`, c]);
      await eng.buildah(["commit", "-q", c, name]);
      await eng.buildah(["rm", c]);
      return await eng.inspect(name);
    };
    const base = await build("scratch", "one.txt", "localhost/b/base:1");
    const top = await build(
      "localhost/b/base:1",
      "two.txt",
      "localhost/b/top:1",
    );
    assert.equal(top.RootFS.Layers.length, 2);
    assert.equal(top.RootFS.Layers[0], base.RootFS.Layers[0]);
    // buildah's own account agrees with podman's.
    const built = JSON.parse(
      await eng.buildah(["inspect", "--type", "image", "localhost/b/top:1"]),
    );
    assert.equal(built.FromImageID, top.Id);
    assert.equal(built.FromImageDigest, top.Digest);

    const dockerTar = tmp.join("top.tar");
    const ociTar = tmp.join("top.oci.tar");
    await eng.buildah([
      "push",
      "-q",
      "localhost/b/top:1",
      `docker-archive:${dockerTar}:localhost/b/top:1`,
    ]);
    await eng.buildah([
      "push",
      "-q",
      "localhost/b/top:1",
      `oci-archive:${ociTar}:top`,
    ]);
    await Promise.all([
      assertCopies(tmp, `docker-archive:${dockerTar}:localhost/b/top:1`, top),
      assertSameImage(`oci-archive:${ociTar}:top`, top),
    ]);

    // Shared layer stored once in a multi-image podman archive.
    const multi = tmp.join("multi.tar");
    await eng.podman([
      "save",
      "-q",
      "-m",
      "-o",
      multi,
      "localhost/b/base:1",
      "localhost/b/top:1",
    ]);
    // The shared layer is one member, linked from both images' layer.tar.
    const links = (await exec("tar", ["-tvf", multi])).split("\n")
      .filter((line) => line.startsWith("l"))
      .map((line) => line.split(" -> ")[1]);
    assert.equal(links.length, 3);
    assert.equal(new Set(links).size, 2);
    const ref = `docker-archive:${multi}:@1`;
    const [sk, us] = await Promise.all([
      runSkopeo(["inspect", ref]),
      runOurs(["inspect", ref]),
      assertCopies(tmp, `docker-archive:${multi}:localhost/b/base:1`, base),
      assertCopies(tmp, ref, top),
    ]);
    assert.equal(us.code, 0, us.stderr);
    assert.equal(us.stdout, sk.stdout);

    // buildah reads the archives we write.
    const ours1 = tmp.join("ours.tar");
    await ours(["copy", "-q", DEMO, `oci-archive:${ours1}:demo`]);
    const [pulled, raw] = await Promise.all([
      eng.buildah(["pull", "-q", `oci-archive:${ours1}:demo`]),
      ours(["inspect", "--raw", `oci-archive:${ours1}:demo`]),
    ]);
    assert.equal(`sha256:${pulled.trim()}`, JSON.parse(raw).config.digest);
  },
});
