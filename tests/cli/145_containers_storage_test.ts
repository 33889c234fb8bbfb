/**
 * `containers-storage:` against the real podman 4.3 and skopeo 1.9.3, each
 * test in its own graph root and run root (never /var/lib/containers):
 * images we write are listed and inspected by podman and read back by
 * skopeo with the digests skopeo gets from its own writes; images skopeo
 * writes we read with the bytes skopeo reads; layers with whiteouts, opaque
 * directories, symlinks, hard links and other owners are laid out as
 * containers/storage lays them out (vfs and overlay).
 */
import assert from "node:assert/strict";
import { digestOf } from "../../core/digest.ts";
import { componentTest } from "../support/components.ts";
import { runOurs, type RunResult, runSkopeo } from "../support/skopeo.ts";
import { makeTempDir, type TempDir } from "../support/temp_dir.ts";

const DEMO = "oci:tests/fixtures/oci:demo";

function ok(result: RunResult, what: string): RunResult {
  assert.equal(result.code, 0, `${what}: ${result.stderr}`);
  return result;
}

/**
 * A temporary directory for stores. containers/storage's overlay driver
 * bind-mounts `<root>/overlay` onto itself (a private mount): unmount what
 * podman and skopeo left under the directory before removing it.
 */
async function makeStoreDir(prefix: string): Promise<TempDir> {
  const dir = await makeTempDir(prefix);
  return {
    path: dir.path,
    join: dir.join,
    async [Symbol.asyncDispose]() {
      const mounts = (await Deno.readTextFile("/proc/mounts")).split("\n")
        .map((line) => line.split(" ")[1] ?? "")
        .filter((m) => m.startsWith(`${dir.path}/`))
        .reverse();
      for (const mount of mounts) {
        await new Deno.Command("umount", { args: [mount] }).output();
      }
      await dir[Symbol.asyncDispose]();
    },
  };
}

/**
 * `containers-storage:[driver@root+run]name`: the store `side` (ours by
 * default; skopeo's own writes go to another store, so that neither tool
 * reuses the other's layers) inside a temporary directory.
 */
function storeRef(
  dir: TempDir,
  driver: string,
  name: string,
  side = "ours",
): string {
  return `containers-storage:[${driver}@${dir.join(side, driver, "root")}+${
    dir.join(side, driver, "run")
  }]${name}`;
}

async function podman(
  dir: TempDir,
  driver: string,
  args: string[],
  side = "ours",
): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command("podman", {
    args: [
      "--root",
      dir.join(side, driver, "root"),
      "--runroot",
      dir.join(side, driver, "run"),
      "--storage-driver",
      driver,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  assert.equal(code, 0, `podman ${args.join(" ")}: ${text.decode(stderr)}`);
  return text.decode(stdout);
}

/** Every file of a `dir:` image, name → sha256. */
async function dirImage(path: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for await (const entry of Deno.readDir(path)) {
    files[entry.name] = digestOf(await Deno.readFile(`${path}/${entry.name}`));
  }
  return files;
}

async function sh(script: string, cwd: string): Promise<void> {
  const { code, stderr } = await new Deno.Command("sh", {
    args: ["-euc", script],
    cwd,
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
}

/**
 * An OCI layout (tag `t`) of two uncompressed layers made by GNU tar: the
 * second has a whiteout, an opaque directory, a symlink, a hard link and
 * files owned by uid 1000.
 */
async function makeTrickyLayout(dir: TempDir): Promise<string> {
  const work = dir.join("tricky");
  await Deno.mkdir(work, { recursive: true });
  await sh(
    `
    mkdir -p l1/etc l1/opt/keep l1/var/old && cd l1
    echo motd > etc/motd; echo gone > etc/gone; echo a > opt/keep/a
    echo old > var/old/file; chmod 0640 etc/motd
    cd .. && mkdir -p l2/etc l2/var/old l2/usr/bin && cd l2
    : > etc/.wh.gone; : > var/old/.wh..wh..opq; echo new > var/old/new
    printf 'big%.0s' $(seq 1 300) > usr/bin/tool; ln usr/bin/tool usr/bin/tool2
    ln -s ../bin/tool usr/bin/link; chown -R 1000:1000 usr; chmod 4755 usr/bin/tool
    cd ..
    for l in l1 l2; do
      tar --sort=name --mtime=@1700000000 --numeric-owner --format=pax \
        --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
        -C $l -cf $l.tar .
    done`,
    work,
  );
  const layers = [];
  for (const name of ["l1", "l2"]) {
    layers.push(await Deno.readFile(`${work}/${name}.tar`));
  }
  return await writeLayout(dir.join("tricky-oci"), layers);
}

/** An OCI layout (tag `t`) of uncompressed layers given as bytes. */
async function writeLayout(
  layout: string,
  layerBytes: Uint8Array[],
): Promise<string> {
  await Deno.mkdir(`${layout}/blobs/sha256`, { recursive: true });
  const put = async (bytes: Uint8Array) => {
    const digest = digestOf(bytes);
    await Deno.writeFile(`${layout}/blobs/sha256/${digest.slice(7)}`, bytes);
    return { digest, size: bytes.length };
  };
  const layers = [];
  for (const bytes of layerBytes) layers.push(await put(bytes));
  const config = await put(
    new TextEncoder().encode(JSON.stringify({
      created: "2023-11-14T22:13:20Z",
      architecture: "amd64",
      os: "linux",
      config: {},
      rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) },
      history: layers.map((_, i) => ({ created_by: `l${i + 1}` })),
    })),
  );
  const manifest = await put(
    new TextEncoder().encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        ...config,
      },
      layers: layers.map((l) => ({
        mediaType: "application/vnd.oci.image.layer.v1.tar",
        ...l,
      })),
    })),
  );
  await Deno.writeTextFile(
    `${layout}/oci-layout`,
    '{"imageLayoutVersion":"1.0.0"}',
  );
  await Deno.writeTextFile(
    `${layout}/index.json`,
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        ...manifest,
        annotations: { "org.opencontainers.image.ref.name": "t" },
      }],
    }),
  );
  return `oci:${layout}:t`;
}

/** `find` listing of a tree: path, type, mode, owner, link target, size. */
async function listTree(path: string): Promise<string> {
  const { stdout } = await new Deno.Command("find", {
    args: [".", "-printf", "%p %y %m %U:%G %l %s %n\\n"],
    cwd: path,
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(stdout).split("\n").map((line) =>
    // Directory sizes depend on the file system's history, not content.
    / d /.test(line) ? line.replace(/ \d+ \d+$/, "") : line
  ).sort().join("\n");
}

async function topLayerDir(
  dir: TempDir,
  driver: string,
  image: string,
  side = "ours",
): Promise<string> {
  const top = JSON.parse(
    await podman(dir, driver, ["inspect", image, "--format", "json"], side),
  )[0].RootFS.Layers.length;
  assert.equal(top, 2);
  const root = dir.join(side, driver, "root");
  const images = JSON.parse(
    await Deno.readTextFile(`${root}/${driver}-images/images.json`),
  );
  const layer =
    images.find((i: { names?: string[] }) =>
      i.names?.includes(`docker.io/library/${image}`)
    ).layer;
  return driver === "vfs"
    ? `${root}/vfs/dir/${layer}`
    : `${root}/overlay/${layer}/diff`;
}

/**
 * Whether the kernel has overlayfs: podman and skopeo need it for the
 * overlay driver (this machine has it; a kernel without it skips those
 * tests, saying so).
 */
function kernelHasOverlay(): boolean {
  try {
    return /\boverlay\b/.test(Deno.readTextFileSync("/proc/filesystems"));
  } catch {
    return false;
  }
}

const DRIVERS = kernelHasOverlay() ? ["vfs", "overlay"] : ["vfs"];
if (!DRIVERS.includes("overlay")) {
  console.error(
    'SKIP containers-storage "overlay" tests: the kernel has no overlay file system (/proc/filesystems)',
  );
}

for (const driver of DRIVERS) {
  componentTest({
    name:
      `copy to containers-storage (${driver}): podman lists and inspects our image, skopeo reads it as its own`,
    components: ["podman", "skopeo"],
    async fn() {
      await using dir = await makeStoreDir("cs-write-");
      ok(
        await runOurs(["copy", "-q", DEMO, storeRef(dir, driver, "demo:1")]),
        "our copy",
      );
      ok(
        await runSkopeo([
          "copy",
          "-q",
          DEMO,
          storeRef(dir, driver, "demo:1", "theirs"),
        ]),
        "skopeo copy",
      );
      const listed = JSON.parse(
        await podman(dir, driver, ["images", "--format", "json"]),
      );
      const ours = listed.find((i: { Names: string[] }) =>
        i.Names.includes("docker.io/library/demo:1")
      );
      const theirs = JSON.parse(
        await podman(dir, driver, ["images", "--format", "json"], "theirs"),
      )[0];
      assert.ok(ours, JSON.stringify(listed));
      assert.equal(listed.length, 1);
      // Our records are containers/storage's (but for creation times).
      for (const file of ["-images/images.json", "-layers/layers.json"]) {
        const records = async (side: string) =>
          JSON.parse(
            await Deno.readTextFile(
              dir.join(side, driver, "root", `${driver}${file}`),
            ),
          ).map((r: Record<string, unknown>) =>
            file.includes("layers") ? { ...r, created: undefined } : r
          );
        assert.deepEqual(await records("ours"), await records("theirs"));
      }
      assert.equal(ours.Id, theirs.Id);
      assert.equal(ours.Digest, theirs.Digest);
      assert.equal(ours.Size, theirs.Size);
      const inspect = JSON.parse(
        await podman(dir, driver, ["inspect", "demo:1", "--format", "json"]),
      )[0];
      const index = JSON.parse(
        await Deno.readTextFile("tests/fixtures/oci/index.json"),
      );
      assert.equal(inspect.Digest, index.manifests[0].digest);
      const config = JSON.parse(
        await Deno.readTextFile(
          `tests/fixtures/oci/blobs/sha256/${inspect.Id}`,
        ),
      );
      assert.deepEqual(inspect.RootFS.Layers, config.rootfs.diff_ids);
      assert.deepEqual(inspect.Labels, config.config.Labels);
      // skopeo reads our layers (tar-split + files) as it reads its own.
      ok(
        await runSkopeo([
          "copy",
          "-q",
          storeRef(dir, driver, "demo:1"),
          `dir:${dir.join("out-ours")}`,
        ]),
        "skopeo reads ours",
      );
      ok(
        await runSkopeo([
          "copy",
          "-q",
          storeRef(dir, driver, "demo:1", "theirs"),
          `dir:${dir.join("out-theirs")}`,
        ]),
        "skopeo reads its own",
      );
      assert.deepEqual(
        await dirImage(dir.join("out-ours")),
        await dirImage(dir.join("out-theirs")),
      );
      // skopeo inspect of our image: the stored manifest digest.
      const inspected = JSON.parse(
        ok(
          await runSkopeo(["inspect", storeRef(dir, driver, "demo:1")]),
          "skopeo inspect",
        ).stdout,
      );
      assert.equal(inspected.Digest, index.manifests[0].digest);
    },
  });

  componentTest({
    name:
      `copy from containers-storage (${driver}): images skopeo and podman wrote come out with skopeo's digests`,
    components: ["skopeo", "podman"],
    async fn() {
      await using dir = await makeStoreDir("cs-read-");
      ok(
        await runSkopeo(["copy", "-q", DEMO, storeRef(dir, driver, "demo:1")]),
        "skopeo copy in",
      );
      await podman(dir, driver, ["pull", "-q", "oci:tests/fixtures/oci:multi"]);
      for (
        const name of ["demo:1", "localhost/tests/fixtures/oci:latest"]
      ) {
        for (const tool of ["ours", "theirs"]) {
          const run = tool === "ours" ? runOurs : runSkopeo;
          ok(
            await run([
              "copy",
              "-q",
              storeRef(dir, driver, name),
              `dir:${dir.join(name, tool)}`,
            ]),
            `${tool} copy out of ${name}`,
          );
        }
        assert.deepEqual(
          await dirImage(dir.join(name, "ours")),
          await dirImage(dir.join(name, "theirs")),
        );
      }
      const ours = await dirImage(dir.join("demo:1", "ours"));
      assert.ok(Object.keys(ours).length >= 4);
      // The layers are the source's uncompressed diffs.
      const manifest = JSON.parse(
        await Deno.readTextFile(dir.join("demo:1", "ours", "manifest.json")),
      );
      const config = JSON.parse(
        await Deno.readTextFile(
          dir.join("demo:1", "ours", manifest.config.digest.slice(7)),
        ),
      );
      assert.deepEqual(
        manifest.layers.map((l: { digest: string }) => l.digest),
        config.rootfs.diff_ids,
      );
      // By image ID and by ID prefix, too.
      const id = manifest.config.digest.slice(7);
      ok(
        await runOurs([
          "copy",
          "-q",
          storeRef(dir, driver, `@${id.slice(0, 12)}`),
          `oci:${dir.join("oci")}:x`,
        ]),
        "copy by ID prefix",
      );
    },
  });

  componentTest({
    name:
      `containers-storage (${driver}): whiteouts, opaque dirs, links and owners are laid out as containers/storage does`,
    components: ["podman", "skopeo", "tar"],
    async fn() {
      await using dir = await makeStoreDir("cs-tricky-");
      const source = await makeTrickyLayout(dir);
      ok(
        await runOurs(["copy", "-q", source, storeRef(dir, driver, "ours:1")]),
        "our copy",
      );
      ok(
        await runSkopeo([
          "copy",
          "-q",
          source,
          storeRef(dir, driver, "ours:1", "theirs"),
        ]),
        "skopeo copy",
      );
      const ours = await listTree(await topLayerDir(dir, driver, "ours:1"));
      const theirs = await listTree(
        await topLayerDir(dir, driver, "ours:1", "theirs"),
      );
      // The tar-split files are containers/storage's, byte for byte.
      for (const layer of ["l1", "l2"]) {
        const tar = await Deno.readFile(dir.join("tricky", `${layer}.tar`));
        const id = digestOf(tar).slice(7);
        const split = async (side: string) => {
          const files = [...Deno.readDirSync(
            dir.join(side, driver, "root", `${driver}-layers`),
          )].map((e) => e.name).filter((n) => n.endsWith(".tar-split.gz"));
          assert.equal(files.length, 2);
          const name = layer === "l1"
            ? `${id}.tar-split.gz`
            : files.find((f) => !f.startsWith(id))!;
          return await new Response(
            (await Deno.open(
              dir.join(side, driver, "root", `${driver}-layers`, name),
            )).readable.pipeThrough(new DecompressionStream("gzip")),
          ).text();
        };
        assert.equal(await split("ours"), await split("theirs"));
      }
      assert.equal(ours, theirs);
      assert.match(ours, /\.\/usr\/bin\/tool f 4755 1000:1000 {2}900 2/);
      if (driver === "vfs") {
        assert.doesNotMatch(ours, /etc\/gone|var\/old\/file/);
      } else {
        // The whiteout is a 0:0 character device; the kernel's overlay
        // mount of our layers hides what the whiteout and opaque dir hide.
        assert.match(ours, /\.\/etc\/gone c 0 0:0/);
        const merged = (await podman(dir, driver, ["image", "mount", "ours:1"]))
          .trim();
        try {
          assert.deepEqual(
            [...Deno.readDirSync(`${merged}/var/old`)].map((e) => e.name),
            ["new"],
          );
          assert.throws(() => Deno.statSync(`${merged}/etc/gone`));
          assert.equal(Deno.readTextFileSync(`${merged}/etc/motd`), "motd\n");
        } finally {
          await podman(dir, driver, ["image", "unmount", "ours:1"]);
        }
      }
      // Identical manifests, so inspect output is skopeo's too.
      const inspect = ["inspect", storeRef(dir, driver, "ours:1")];
      assert.deepEqual(
        JSON.parse(ok(await runOurs(inspect), "our inspect").stdout),
        JSON.parse(ok(await runSkopeo(inspect), "skopeo inspect").stdout),
      );
      for (const [tool, run] of [["ours", runOurs], ["theirs", runSkopeo]]) {
        ok(
          await (run as typeof runOurs)([
            "copy",
            "-q",
            storeRef(dir, driver, "ours:1"),
            `dir:${dir.join(`out-${tool}`)}`,
          ]),
          `${tool} copy out`,
        );
      }
      const out = await dirImage(dir.join("out-ours"));
      assert.deepEqual(out, await dirImage(dir.join("out-theirs")));
      const sourceManifest = await Deno.readDir(
        dir.join("tricky-oci", "blobs", "sha256"),
      );
      const sourceDigests = new Set<string>();
      for await (const e of sourceManifest) sourceDigests.add(e.name);
      for (const name of Object.keys(out)) {
        if (/^[a-f0-9]{64}$/.test(name)) assert.ok(sourceDigests.has(name));
      }
    },
  });
}

componentTest({
  name:
    "containers-storage: a name moves to the newer image; delete removes the image and its unused layers",
  components: ["podman"],
  async fn() {
    await using dir = await makeStoreDir("cs-names-");
    const ref = storeRef(dir, "vfs", "app:latest");
    ok(await runOurs(["copy", "-q", DEMO, ref]), "first copy");
    ok(
      await runOurs([
        "copy",
        "-q",
        "oci:tests/fixtures/oci:multi",
        storeRef(dir, "vfs", "app"),
      ]),
      "second copy",
    );
    const listed = JSON.parse(
      await podman(dir, "vfs", ["images", "--format", "json"]),
    );
    assert.equal(listed.length, 2);
    const named = listed.filter((i: { Names?: string[] }) =>
      i.Names?.includes("docker.io/library/app:latest")
    );
    assert.equal(named.length, 1);
    const demoId = JSON.parse(
      await Deno.readTextFile("tests/fixtures/oci/index.json"),
    ).manifests[0].digest;
    assert.notEqual(named[0].Digest, demoId);
    ok(await runOurs(["delete", ref]), "delete");
    const after = JSON.parse(
      await podman(dir, "vfs", ["images", "--format", "json"]),
    );
    assert.equal(after.length, 1);
    assert.equal(after[0].Digest, demoId);
    const layers = JSON.parse(
      await Deno.readTextFile(
        dir.join("ours", "vfs", "root", "vfs-layers", "layers.json"),
      ),
    );
    const dirs = [];
    for await (
      const e of Deno.readDir(dir.join("ours", "vfs", "root", "vfs", "dir"))
    ) {
      dirs.push(e.name);
    }
    assert.deepEqual(
      dirs.sort(),
      layers.map((l: { id: string }) => l.id).sort(),
    );
    const missing = await runOurs(["inspect", ref]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /does not resolve to an image ID/);
  },
});

componentTest({
  name:
    "containers-storage: names and names-history evolve as with skopeo over a series of copies",
  components: ["skopeo"],
  async fn() {
    await using dir = await makeStoreDir("cs-history-");
    const steps: [string, string][] = [
      [DEMO, "demo:1"],
      [DEMO, "quay.io/x/demo:2"],
      [DEMO, "demo:1"],
      ["oci:tests/fixtures/oci:multi", "demo:1"],
      [DEMO, "localhost:5000/y"],
    ];
    const names: Record<string, unknown>[] = [];
    for (const tool of ["ours", "theirs"]) {
      const run = tool === "ours" ? runOurs : runSkopeo;
      for (const [source, name] of steps) {
        ok(
          await run([
            "copy",
            "-q",
            source,
            `containers-storage:[vfs@${dir.join(tool, "root")}+${
              dir.join(tool, "run")
            }]${name}`,
          ]),
          `${tool}: ${name}`,
        );
      }
      const images = JSON.parse(
        await Deno.readTextFile(
          dir.join(tool, "root", "vfs-images", "images.json"),
        ),
      );
      names.push(
        Object.fromEntries(
          images.map((
            i: { id: string; names?: string[]; "names-history"?: string[] },
          ) => [i.id, [i.names, i["names-history"]]]),
        ),
      );
    }
    assert.deepEqual(names[0], names[1]);
  },
});

componentTest({
  name:
    "containers-storage: signatures stored by either tool are read back by the other",
  components: ["skopeo"],
  async fn() {
    await using dir = await makeStoreDir("cs-sigs-");
    const signed = dir.join("signed");
    // Uncompressed layers: what copies read is the stored, signed manifest.
    ok(
      await runSkopeo([
        "copy",
        "-q",
        "--dest-decompress",
        DEMO,
        `dir:${signed}`,
      ]),
      "to dir",
    );
    // Any bytes that start like an OpenPGP message pass for simple signing.
    const sig = (text: string) =>
      new Uint8Array([0xa3, ...new TextEncoder().encode(text)]);
    await Deno.writeFile(`${signed}/signature-1`, sig("first signature"));
    await Deno.writeFile(`${signed}/signature-2`, sig("second one"));
    const cases: [typeof runOurs, typeof runOurs, string][] = [
      [runOurs, runSkopeo, "ours"],
      [runSkopeo, runOurs, "theirs"],
    ];
    const metadata: string[] = [];
    for (const [writer, reader, side] of cases) {
      const ref = storeRef(dir, "vfs", "signed:1", side);
      ok(await writer(["copy", "-q", `dir:${signed}`, ref]), `${side} write`);
      const images = JSON.parse(
        await Deno.readTextFile(
          dir.join(side, "vfs", "root", "vfs-images", "images.json"),
        ),
      );
      metadata.push(
        JSON.stringify([images[0].metadata, images[0]["big-data-names"]]),
      );
      const out = dir.join(`out-${side}`);
      ok(await reader(["copy", "-q", ref, `dir:${out}`]), `${side} read`);
      for (const name of ["signature-1", "signature-2"]) {
        assert.deepEqual(
          await Deno.readFile(`${out}/${name}`),
          await Deno.readFile(`${signed}/${name}`),
          `${side}: ${name}`,
        );
      }
    }
    // The records say the same as skopeo's.
    assert.equal(metadata[0], metadata[1]);
    // Compressed layers would change the manifest: both tools refuse.
    const compressed = dir.join("compressed");
    ok(await runSkopeo(["copy", "-q", DEMO, `dir:${compressed}`]), "gzip");
    await Deno.writeFile(`${compressed}/signature-1`, sig("x"));
    const ref = storeRef(dir, "vfs", "gz:1");
    ok(await runOurs(["copy", "-q", `dir:${compressed}`, ref]), "gz write");
    const fatal = (result: RunResult) =>
      /level=fatal msg="((?:[^"\\]|\\.)*)"/.exec(result.stderr)?.[1];
    const ours = await runOurs(["copy", "-q", ref, `dir:${dir.join("x1")}`]);
    const theirs = await runSkopeo([
      "copy",
      "-q",
      ref,
      `dir:${dir.join("x2")}`,
    ]);
    assert.match(fatal(theirs) ?? "", /Would invalidate signatures/);
    assert.equal(fatal(ours), fatal(theirs));
  },
});

componentTest({
  name:
    "containers-storage: an image without layers is recorded as skopeo records it",
  components: ["skopeo"],
  async fn() {
    await using dir = await makeStoreDir("cs-empty-");
    const source = await writeLayout(dir.join("empty-oci"), []);
    const records: string[] = [];
    for (const [run, side] of [[runOurs, "ours"], [runSkopeo, "theirs"]]) {
      const ref = storeRef(dir, "vfs", "empty:1", side as string);
      ok(await (run as typeof runOurs)(["copy", "-q", source, ref]), "copy");
      records.push(
        await Deno.readTextFile(
          dir.join(side as string, "vfs", "root", "vfs-images", "images.json"),
        ),
      );
    }
    // Byte for byte: field order, sorted maps, metadata text.
    assert.equal(records[0], records[1]);
  },
});

componentTest({
  name:
    "containers-storage: a copy failing in the middle of a commit leaves no image and no partial layer",
  components: ["podman", "tar"],
  async fn() {
    await using dir = await makeStoreDir("cs-fail-");
    await Deno.mkdir(dir.join("good"));
    await sh("echo ok > ok && tar -cf ../good.tar ok", dir.join("good"));
    // The second layer has the right digest but is not a tar.
    const source = await writeLayout(dir.join("bad-oci"), [
      await Deno.readFile(dir.join("good.tar")),
      new TextEncoder().encode("not a tar archive ".repeat(64)),
    ]);
    const result = await runOurs([
      "copy",
      "-q",
      source,
      storeRef(dir, "vfs", "x"),
    ]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Invalid tar archive/);
    assert.deepEqual(
      JSON.parse(await podman(dir, "vfs", ["images", "--format", "json"])),
      [],
    );
    const root = dir.join("ours", "vfs", "root");
    const layers = JSON.parse(
      await Deno.readTextFile(`${root}/vfs-layers/layers.json`),
    );
    const dirs = [...Deno.readDirSync(`${root}/vfs/dir`)].map((e) => e.name);
    // Only the complete first layer exists, recorded and on disk.
    assert.deepEqual(dirs, layers.map((l: { id: string }) => l.id));
    assert.equal(dirs.length, 1);
    assert.deepEqual([...Deno.readDirSync(`${root}/tmp`)], []);
    assert.ok(
      [...Deno.readDirSync(`${root}/vfs-layers`)].every((e) =>
        !e.name.includes(".tmp")
      ),
    );
  },
});

componentTest({
  name: "containers-storage: bad references fail with skopeo's messages",
  components: ["skopeo"],
  async fn() {
    await using dir = await makeStoreDir("cs-bad-");
    const store = `[vfs@${dir.join("root")}+${dir.join("run")}]`;
    const fatal = (result: RunResult) =>
      /level=fatal msg="((?:[^"\\]|\\.)*)"/.exec(result.stderr)?.[1];
    for (
      const text of [
        "containers-storage:",
        "containers-storage:[vfs@relative+/run]x",
        "containers-storage:[vfs@/a+/b",
        "containers-storage:[@/a+/b]x",
        `containers-storage:${store}UPPER`,
        `containers-storage:${store}x@`,
        `containers-storage:${store}x@zzz`,
        `containers-storage:${store}@abc`,
        `containers-storage:${store}missing:1`,
        `containers-storage:${store}x:1@sha256:${"0".repeat(64)}`,
      ]
    ) {
      const ours = await runOurs(["inspect", text]);
      const theirs = await runSkopeo(["inspect", text]);
      assert.notEqual(ours.code, 0, text);
      assert.ok(fatal(theirs), theirs.stderr);
      assert.equal(fatal(ours), fatal(theirs), text);
    }
  },
});

componentTest({
  name:
    "containers-storage: one instance of a list is stored with the list, as skopeo stores it; podman sees the same",
  components: ["skopeo", "podman"],
  async fn() {
    await using dir = await makeStoreDir("cs-list-");
    const source = "oci:tests/fixtures/oci:multi";
    const records: unknown[] = [];
    for (const [run, side] of [[runOurs, "ours"], [runSkopeo, "theirs"]]) {
      const ref = storeRef(dir, "vfs", "multi:1", side as string);
      ok(await (run as typeof runOurs)(["copy", "-q", source, ref]), "copy");
      records.push(
        JSON.parse(
          await Deno.readTextFile(
            dir.join(
              side as string,
              "vfs",
              "root",
              "vfs-images",
              "images.json",
            ),
          ),
        ).map((r: Record<string, unknown>) => ({ ...r, created: undefined })),
      );
    }
    assert.deepEqual(records[0], records[1]);
    const index = JSON.parse(
      await Deno.readTextFile("tests/fixtures/oci/index.json"),
    );
    const list = index.manifests.find((
      m: { annotations?: Record<string, string> },
    ) => m.annotations?.["org.opencontainers.image.ref.name"] === "multi");
    const seen = async (side: string) =>
      JSON.parse(
        await podman(dir, "vfs", ["images", "--format", "json"], side),
      ).map((i: Record<string, unknown>) => [i.Id, i.Digest, i.Names]);
    assert.deepEqual(await seen("ours"), await seen("theirs"));
    assert.equal((await seen("ours"))[0][1], list.digest);
    // The list's digest finds the image, for both tools.
    const byList = storeRef(dir, "vfs", `multi@${list.digest}`);
    assert.deepEqual(
      JSON.parse(ok(await runOurs(["inspect", byList]), "ours").stdout),
      JSON.parse(ok(await runSkopeo(["inspect", byList]), "theirs").stdout),
    );
    for (const [run, side] of [[runOurs, "ours"], [runSkopeo, "theirs"]]) {
      ok(
        await (run as typeof runOurs)([
          "copy",
          "-q",
          byList,
          `dir:${dir.join(`out-${side}`)}`,
        ]),
        `${side} copy out by the list's digest`,
      );
    }
    assert.deepEqual(
      await dirImage(dir.join("out-ours")),
      await dirImage(dir.join("out-theirs")),
    );
  },
});

componentTest({
  name:
    "containers-storage: inspect shows the stored manifest, copies refuse --preserve-digests and whole lists, as skopeo does",
  components: ["skopeo"],
  async fn() {
    await using dir = await makeStoreDir("cs-stored-");
    // Layers stored compressed: copies rewrite the layer descriptors.
    const ref = storeRef(dir, "vfs", "demo:1");
    ok(await runOurs(["copy", "-q", DEMO, ref]), "copy in");
    for (const args of [["inspect", ref], ["inspect", "--raw", ref]]) {
      const ours = ok(await runOurs(args), "our inspect");
      const theirs = ok(await runSkopeo(args), "skopeo inspect");
      assert.equal(ours.stdout, theirs.stdout, args.join(" "));
    }
    const fatal = (result: RunResult) =>
      /level=fatal msg="((?:[^"\\]|\\.)*)"/.exec(result.stderr)?.[1];
    const refusals = [
      ["copy", "--preserve-digests", ref, `dir:${dir.join("pd")}`],
      ["copy", "--all", "oci:tests/fixtures/oci:multi", ref],
      [
        "copy",
        "--multi-arch",
        "index-only",
        "oci:tests/fixtures/oci:multi",
        ref,
      ],
    ];
    for (const args of refusals) {
      const ours = await runOurs(args);
      const theirs = await runSkopeo(args);
      assert.ok(fatal(theirs), theirs.stderr);
      assert.equal(fatal(ours), fatal(theirs), args.join(" "));
      assert.equal(ours.stdout, theirs.stdout, args.join(" "));
    }
  },
});
