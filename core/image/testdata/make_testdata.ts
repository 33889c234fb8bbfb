/**
 * Regenerates the test images of this folder and records what the real
 * skopeo 1.9.3 prints for `skopeo inspect` on each (`golden/<case>.json`).
 *
 * - `oci/`: an OCI layout written by hand (tags `full`, `minimal`,
 *   `escapes`, `empty_maps`, `history`);
 * - `dir_*`: `skopeo copy` of those into `dir:` (as OCI, and converted to
 *   Docker schema2 and schema1), plus the hand-written schema1 samples of
 *   `core/manifest/testdata` laid out as `dir:` images;
 * - `golden/docker_full.json`: `skopeo inspect docker://…` after pushing
 *   `full` to a real registry (`docker-registry`) on a loopback port, for
 *   `Name` and `RepoTags`.
 *
 * `cases.json` lists the cases for `inspect_test.ts`.
 *
 * Run: `deno run -A core/image/testdata/make_testdata.ts` (needs skopeo,
 * docker-registry; run `core/manifest/testdata/make_testdata.ts` first).
 *
 * @module
 */
import { run, writeOciLayout } from "./build_layout.ts";

const HERE = new URL(".", import.meta.url).pathname;
const MANIFEST_TESTDATA =
  new URL("../../manifest/testdata/", import.meta.url).pathname;
const DIR_VERSION = "Directory Transport Version: 1.1\n";

/** One golden case: how to reach the image, and for docker, the inputs the transport supplies. */
export interface InspectCase {
  /** Golden file name without `.json`. */
  name: string;
  /** The image, as `oci:DIR:TAG` or `dir:DIR` relative to this folder. */
  ref: string;
  /** docker:// cases: the reference skopeo inspected (not re-run by tests). */
  skopeoRef?: string;
  /** docker:// cases: Name and RepoTags as the registry gave them. */
  dockerName?: string;
  /** docker:// cases: the registry's tags. */
  repoTags?: string[];
}

async function writeImages(): Promise<void> {
  await writeOciLayout(`${HERE}oci`, [
    {
      tag: "full",
      config: {
        created: "2023-01-01T00:00:00.000000000Z",
        author: "Jane <jane@example.com>",
        architecture: "arm",
        variant: "v7",
        os: "linux",
        docker_version: "20.10.24",
        config: {
          Labels: {
            "org.opencontainers.image.version": "1.0",
            maintainer: "Jane",
            b: "2",
            a: "1",
          },
          Env: ["PATH=/usr/bin:/bin", "HOME=/root"],
          Cmd: ["/bin/sh"],
        },
      },
      layers: [
        {
          files: [{ path: "hello.txt", content: "hello\n" }],
          annotations: {
            "org.opencontainers.image.title": "hello",
            "z": "last",
            "a": "first",
          },
        },
        { files: [{ path: "world.txt", content: "world\n" }] },
      ],
    },
    {
      tag: "minimal",
      config: { architecture: "amd64", os: "linux" },
      layers: [{ files: [{ path: "a", content: "a" }] }],
    },
    {
      tag: "escapes",
      config: {
        // Go keeps the offset, keeps 9 fractional digits and trims zeros.
        created: "2023-06-01T12:30:45.1234567890+05:30",
        architecture: "amd64",
        os: "linux",
        config: {
          Labels: {
            "html": '<a href="x">&amp;</a>',
            "controls": "tab\there\nnew\u0001\u0008\u000c\u007f",
            "unicode": "é ü 日本 😀 \u2028 \u2029",
            "10": "numeric keys sort as text",
            "9": "nine",
            "B": "upper",
            "a": "lower",
            "é": "accented key",
            "\u{1F600}": "astral key",
            "\uFFFD": "replacement key",
            "": "empty key",
          },
          Env: ['QUOTE="x"', "BACKSLASH=a\\b"],
        },
      },
      layers: [{ files: [{ path: "e", content: "e" }] }],
    },
    {
      tag: "empty_maps",
      config: {
        created: "2024-02-29T23:59:59-00:00",
        architecture: "s390x",
        os: "linux",
        config: { Labels: {}, Env: [] },
      },
      layers: [],
    },
    {
      tag: "history",
      config: {
        created: "2023-01-01T00:00:00.5+01:00",
        architecture: "arm64",
        variant: "v8",
        os: "linux",
        docker_version: "20.10.1",
        config: { Labels: { a: "1" }, Env: ["PATH=/bin"], Cmd: ["/bin/sh"] },
        history: [
          { created: "2022-12-31T00:00:00Z", created_by: "ADD hello.txt /" },
          {
            created: "2023-01-01T00:00:00Z",
            created_by: "LABEL a=1",
            empty_layer: true,
          },
        ],
      },
      layers: [{ files: [{ path: "hello.txt", content: "hello\n" }] }],
    },
  ]);
}

async function skopeoCopy(
  from: string,
  to: string,
  format?: string,
): Promise<void> {
  await Deno.remove(`${HERE}${to}`, { recursive: true }).catch(() => {});
  const args = ["copy", "-q", ...(format ? ["--format", format] : [])];
  await run("skopeo", [...args, `oci:${HERE}oci:${from}`, `dir:${HERE}${to}`]);
}

async function schema1Dir(sample: string, to: string): Promise<void> {
  await Deno.remove(`${HERE}${to}`, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${HERE}${to}`);
  await Deno.copyFile(
    `${MANIFEST_TESTDATA}${sample}`,
    `${HERE}${to}/manifest.json`,
  );
  await Deno.writeTextFile(`${HERE}${to}/version`, DIR_VERSION);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Pushes `full` to a real registry and inspects it over docker://. */
async function dockerCase(): Promise<InspectCase> {
  const tmp = await Deno.makeTempDir();
  const port = freePort();
  await Deno.writeTextFile(
    `${tmp}/config.yml`,
    `version: 0.1\nlog: { level: error }\nstorage:\n  filesystem: { rootdirectory: ${tmp}/data }\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const registry = new Deno.Command("docker-registry", {
    args: ["serve", `${tmp}/config.yml`],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    for (let i = 0; i < 50; i++) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/v2/`);
        await response.body?.cancel();
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const repo = `127.0.0.1:${port}/test/full`;
    for (const tag of ["v1", "v2"]) {
      await run("skopeo", [
        "copy",
        "-q",
        "--dest-tls-verify=false",
        `oci:${HERE}oci:full`,
        `docker://${repo}:${tag}`,
      ]);
    }
    const out = await run("skopeo", [
      "inspect",
      "--tls-verify=false",
      `docker://${repo}:v1`,
    ]);
    await Deno.writeTextFile(`${HERE}golden/docker_full.json`, out);
    const printed = JSON.parse(out);
    return {
      name: "docker_full",
      ref: "oci:oci:full",
      skopeoRef: `docker://${repo}:v1`,
      dockerName: printed.Name,
      repoTags: printed.RepoTags,
    };
  } finally {
    registry.kill();
    await registry.status;
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) {
  await writeImages();
  await skopeoCopy("full", "dir_oci_full");
  await skopeoCopy("full", "dir_v2s2_full", "v2s2");
  await skopeoCopy("minimal", "dir_v2s2_minimal", "v2s2");
  await skopeoCopy("history", "dir_v2s1_history", "v2s1");
  await schema1Dir("schema1_unsigned.json", "dir_schema1_unsigned");
  await schema1Dir("schema1_signed_pretty.json", "dir_schema1_signed");
  await schema1Dir("schema1_duplicate_ids.json", "dir_schema1_duplicate_ids");

  const cases: InspectCase[] = [
    ...["full", "minimal", "escapes", "empty_maps", "history"].map((tag) => ({
      name: `oci_${tag}`,
      ref: `oci:oci:${tag}`,
    })),
    ...[
      "dir_oci_full",
      "dir_v2s2_full",
      "dir_v2s2_minimal",
      "dir_v2s1_history",
      "dir_schema1_unsigned",
      "dir_schema1_signed",
      "dir_schema1_duplicate_ids",
    ].map((dir) => ({ name: dir, ref: `dir:${dir}` })),
  ];
  await Deno.mkdir(`${HERE}golden`, { recursive: true });
  for (const item of cases) {
    const [transport, ...rest] = item.ref.split(":");
    const out = await run("skopeo", [
      "inspect",
      `${transport}:${HERE}${rest.join(":")}`,
    ]);
    await Deno.writeTextFile(`${HERE}golden/${item.name}.json`, out);
  }
  cases.push(await dockerCase());
  await Deno.writeTextFile(
    `${HERE}cases.json`,
    JSON.stringify(cases, null, 2) + "\n",
  );
}
