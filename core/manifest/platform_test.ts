import assert from "node:assert/strict";
import { componentTest } from "../../tests/support/components.ts";
import { digestOf } from "../digest.ts";
import type { Platform } from "../types.ts";
import { parseDockerManifestList } from "./docker_v2.ts";
import { parseOciIndex } from "./oci.ts";
import type { ParsedManifestList } from "./parsed_manifest.ts";
import {
  choosePlatformInstance,
  NoMatchingPlatformError,
  systemPlatform,
  wantedPlatforms,
} from "./platform.ts";

const ENCODER = new TextEncoder();
const AMD64_LINUX: Platform = { architecture: "amd64", os: "linux" };

/** Instance digests: sha256:000…0N for the N-th entry (1-based). */
function instanceDigest(i: number): string {
  return `sha256:${String(i + 1).padStart(64, "0")}`;
}

/** A list document from "arch/variant/os" entries; null = no platform. */
function listDocument(
  kind: "oci" | "docker",
  entries: (string | null)[],
): string {
  const manifests = entries.map((entry, i) => {
    const descriptor: Record<string, unknown> = {
      mediaType: kind === "oci"
        ? "application/vnd.oci.image.manifest.v1+json"
        : "application/vnd.docker.distribution.manifest.v2+json",
      digest: instanceDigest(i),
      size: 1,
    };
    if (entry !== null) {
      const [architecture, variant, os] = entry.split("/");
      descriptor.platform = variant
        ? { architecture, os, variant }
        : { architecture, os };
    }
    return descriptor;
  });
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: kind === "oci"
      ? "application/vnd.oci.image.index.v1+json"
      : "application/vnd.docker.distribution.manifest.list.v2+json",
    manifests,
  });
}

function parseList(
  kind: "oci" | "docker",
  entries: (string | null)[],
): ParsedManifestList {
  const bytes = ENCODER.encode(listDocument(kind, entries));
  return kind === "oci" ? parseOciIndex(bytes) : parseDockerManifestList(bytes);
}

interface ChoiceCase {
  name: string;
  kind: "oci" | "docker";
  entries: (string | null)[];
  wanted: Partial<Platform>;
  /** The system; default linux/amd64 without variant (the CI host). */
  system?: Platform;
  /** Index of the chosen entry, or the exact error message. */
  expected: number | string;
}

// Expected choices and messages were observed with skopeo 1.9.3
// (`skopeo --override-arch/--override-variant/--override-os inspect`).
const CASES: ChoiceCase[] = [
  {
    name: "the system platform by default",
    kind: "oci",
    entries: ["arm64//linux", "amd64//linux"],
    wanted: {},
    expected: 1,
  },
  {
    name: "an overridden architecture",
    kind: "oci",
    entries: ["amd64//linux", "arm64//linux"],
    wanted: { architecture: "arm64" },
    expected: 1,
  },
  {
    name: "no amd64 variant when none is wanted",
    kind: "oci",
    entries: ["amd64/v2/linux"],
    wanted: {},
    expected:
      'no image found in image index for architecture amd64, variant "", OS linux',
  },
  {
    name: "arm without variant: a variant-less image first",
    kind: "oci",
    entries: ["arm/v7/linux", "arm/v6/linux", "arm//linux"],
    wanted: { architecture: "arm" },
    expected: 2,
  },
  {
    name: "arm without variant: then the most capable variant",
    kind: "oci",
    entries: ["arm/v6/linux", "arm/v7/linux"],
    wanted: { architecture: "arm" },
    expected: 1,
  },
  {
    name: "arm v7 exactly",
    kind: "oci",
    entries: ["arm/v6/linux", "arm//linux", "arm/v7/linux"],
    wanted: { architecture: "arm", variant: "v7" },
    expected: 2,
  },
  {
    name: "arm v7 accepts v6 before v5",
    kind: "oci",
    entries: ["arm/v5/linux", "arm/v6/linux"],
    wanted: { architecture: "arm", variant: "v7" },
    expected: 1,
  },
  {
    name: "arm v6 refuses v7",
    kind: "oci",
    entries: ["arm/v7/linux", "arm//linux"],
    wanted: { architecture: "arm", variant: "v6" },
    expected: 1,
  },
  {
    name: "arm v8 accepts v7",
    kind: "oci",
    entries: ["arm/v7/linux", "arm/v6/linux"],
    wanted: { architecture: "arm", variant: "v8" },
    expected: 0,
  },
  {
    name: "arm v5 refuses v6 and v7",
    kind: "oci",
    entries: ["arm/v7/linux", "arm/v6/linux"],
    wanted: { architecture: "arm", variant: "v5" },
    expected:
      'no image found in image index for architecture arm, variant "v5", OS linux',
  },
  {
    name: "arm64 without variant prefers no variant",
    kind: "oci",
    entries: ["arm64/v8/linux", "arm64//linux"],
    wanted: { architecture: "arm64" },
    expected: 1,
  },
  {
    name: "arm64 without variant accepts v8",
    kind: "oci",
    entries: ["amd64//linux", "arm64/v8/linux"],
    wanted: { architecture: "arm64" },
    expected: 1,
  },
  {
    name: "arm64 v8 prefers v8",
    kind: "oci",
    entries: ["arm64//linux", "arm64/v8/linux"],
    wanted: { architecture: "arm64", variant: "v8" },
    expected: 1,
  },
  {
    name: "arm64 refuses an unknown variant",
    kind: "oci",
    entries: ["arm64/v9/linux"],
    wanted: { architecture: "arm64" },
    expected:
      'no image found in image index for architecture arm64, variant "", OS linux',
  },
  {
    name: "an unknown variant exactly, then none",
    kind: "oci",
    entries: ["riscv64/x/linux", "riscv64//linux"],
    wanted: { architecture: "riscv64", variant: "y" },
    expected: 1,
  },
  {
    name: "an overridden OS",
    kind: "oci",
    entries: ["arm64/v8/linux"],
    wanted: { architecture: "arm64", os: "windows" },
    expected:
      'no image found in image index for architecture arm64, variant "", OS windows',
  },
  {
    name: "an OCI entry without platform as the last resort",
    kind: "oci",
    entries: ["s390x//linux", null, null],
    wanted: {},
    expected: 1,
  },
  {
    name: "a matching platform over an entry without one",
    kind: "oci",
    entries: [null, "s390x//linux"],
    wanted: { architecture: "s390x" },
    expected: 1,
  },
  {
    name: "a Docker list entry without platform never matches",
    kind: "docker",
    entries: [null, "s390x//linux"],
    wanted: {},
    expected:
      'no image found in manifest list for architecture amd64, variant "", OS linux',
  },
  {
    name: "a Docker list",
    kind: "docker",
    entries: ["amd64//linux", "arm/v7/linux"],
    wanted: { architecture: "arm", variant: "v7" },
    expected: 1,
  },
  {
    name: "quoting of odd values as Go's %q",
    kind: "docker",
    entries: ["amd64//linux"],
    wanted: { architecture: 'a"b', variant: "é\\x\n", os: "x y" },
    expected:
      'no image found in manifest list for architecture a"b, variant "é\\\\x\\n", OS x y',
  },
  {
    name: "the system's ARM variant",
    kind: "oci",
    entries: ["arm64//linux", "arm64/v8/linux"],
    wanted: {},
    system: { architecture: "arm64", os: "linux", variant: "v8" },
    expected: 1,
  },
  {
    name: "no system variant once the architecture is given",
    kind: "oci",
    entries: ["arm64/v8/linux", "arm64//linux"],
    wanted: { architecture: "arm64" },
    system: { architecture: "arm64", os: "linux", variant: "v8" },
    expected: 1,
  },
  {
    name: "the system OS when only the architecture is given",
    kind: "oci",
    entries: ["arm64//linux", "arm64//darwin"],
    wanted: { architecture: "arm64" },
    system: { architecture: "arm64", os: "darwin" },
    expected: 1,
  },
];

function ourChoice(item: ChoiceCase, system: Platform): number | string {
  try {
    const chosen = choosePlatformInstance(
      parseList(item.kind, item.entries),
      item.wanted,
      { system },
    );
    return Number(chosen.digest.slice("sha256:".length)) - 1;
  } catch (error) {
    assert.ok(error instanceof NoMatchingPlatformError, String(error));
    return error.message;
  }
}

for (const item of CASES) {
  Deno.test(`choosePlatformInstance() picks like skopeo: ${item.name}`, () => {
    assert.equal(ourChoice(item, item.system ?? AMD64_LINUX), item.expected);
  });
}

Deno.test("NoMatchingPlatformError carries the wanted platform", () => {
  const list = parseList("oci", ["s390x//linux"]);
  assert.throws(
    () =>
      choosePlatformInstance(list, { architecture: "arm", variant: "v7" }, {
        system: AMD64_LINUX,
      }),
    (error: unknown) => {
      assert.ok(error instanceof NoMatchingPlatformError);
      assert.equal(error.name, "NoMatchingPlatformError");
      assert.deepEqual(error.platform, {
        architecture: "arm",
        os: "linux",
        variant: "v7",
      });
      return true;
    },
  );
});

Deno.test("wantedPlatforms() lists candidates most specific first", () => {
  const variants = (
    wanted: Partial<Platform>,
    system: Platform = AMD64_LINUX,
  ) =>
    wantedPlatforms(wanted, { system }).map((p) =>
      `${p.os}/${p.architecture}/${p.variant ?? ""}`
    );
  assert.deepEqual(variants({}), ["linux/amd64/"]);
  assert.deepEqual(variants({ architecture: "arm" }), [
    "linux/arm/",
    "linux/arm/v8",
    "linux/arm/v7",
    "linux/arm/v6",
    "linux/arm/v5",
  ]);
  assert.deepEqual(variants({ architecture: "arm", variant: "v6" }), [
    "linux/arm/v6",
    "linux/arm/v5",
    "linux/arm/",
  ]);
  assert.deepEqual(variants({ architecture: "arm64" }), [
    "linux/arm64/",
    "linux/arm64/v8",
  ]);
  assert.deepEqual(variants({ variant: "v3" }), [
    "linux/amd64/v3",
    "linux/amd64/",
  ]);
  assert.deepEqual(variants({ os: "windows" }), ["windows/amd64/"]);
  assert.deepEqual(
    variants({}, { architecture: "arm", os: "linux", variant: "v7" }),
    ["linux/arm/v7", "linux/arm/v6", "linux/arm/v5", "linux/arm/"],
  );
  assert.deepEqual(variants({ architecture: "", os: "" }), ["linux/amd64/"]);
});

Deno.test("systemPlatform() maps Deno's architecture to Go's names", () => {
  const platform = systemPlatform();
  const expected =
    { x86_64: "amd64", aarch64: "arm64" }[Deno.build.arch as string] ??
      Deno.build.arch;
  assert.equal(platform.architecture, expected);
  assert.equal(platform.os, Deno.build.os);
  if (platform.architecture === "amd64") {
    assert.equal(platform.variant, undefined);
  }
});

/** Runs skopeo on a list whose instances do not exist: the path it fails to open names its choice. */
async function skopeoChoice(
  item: ChoiceCase,
  tmp: string,
): Promise<number | string> {
  const document = listDocument(item.kind, item.entries);
  const dir = `${tmp}/${item.kind}`;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  let ref: string;
  if (item.kind === "docker") {
    await Deno.mkdir(dir);
    await Deno.writeTextFile(`${dir}/manifest.json`, document);
    await Deno.writeTextFile(
      `${dir}/version`,
      "Directory Transport Version: 1.1\n",
    );
    ref = `dir:${dir}`;
  } else {
    await Deno.mkdir(`${dir}/blobs/sha256`, { recursive: true });
    const bytes = ENCODER.encode(document);
    const digest = digestOf(bytes);
    await Deno.writeFile(`${dir}/blobs/sha256/${digest.slice(7)}`, bytes);
    await Deno.writeTextFile(
      `${dir}/oci-layout`,
      '{"imageLayoutVersion":"1.0.0"}',
    );
    await Deno.writeTextFile(
      `${dir}/index.json`,
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{
          mediaType: "application/vnd.oci.image.index.v1+json",
          digest,
          size: bytes.length,
          annotations: { "org.opencontainers.image.ref.name": "t" },
        }],
      }),
    );
    ref = `oci:${dir}:t`;
  }
  const flags = [
    ...(item.wanted.architecture
      ? ["--override-arch", item.wanted.architecture]
      : []),
    ...(item.wanted.variant ? ["--override-variant", item.wanted.variant] : []),
    ...(item.wanted.os ? ["--override-os", item.wanted.os] : []),
  ];
  const output = await new Deno.Command("skopeo", {
    args: [...flags, "inspect", ref],
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  const opened = /\/0*(\d+)(?:\.manifest\.json)?: no such file/.exec(
    stderr.replaceAll(dir, ""),
  );
  if (/no image found/.test(stderr)) {
    // logrus quotes the message; undo its escaping.
    const quoted = /msg="(.*)"\s*$/.exec(stderr.trim())![1]!;
    const message = JSON.parse(`"${quoted}"`) as string;
    return message.slice(message.indexOf("no image found"));
  }
  assert.ok(opened, stderr);
  return Number(opened[1]) - 1;
}

componentTest({
  name:
    "choosePlatformInstance() agrees with a live skopeo on every host-independent case",
  components: ["skopeo"],
  fn: async () => {
    const tmp = await Deno.makeTempDir();
    try {
      const host = systemPlatform();
      let compared = 0;
      for (const item of CASES) {
        if (item.system !== undefined) continue; // skopeo only knows the real host
        if (
          !item.wanted.architecture &&
          JSON.stringify(host) !== JSON.stringify(AMD64_LINUX)
        ) continue;
        if (item.wanted.variant?.includes("\n")) continue; // not passable through logrus text intact
        assert.equal(
          await skopeoChoice(item, tmp),
          ourChoice(item, host),
          item.name,
        );
        compared++;
      }
      assert.ok(compared >= 10, `only ${compared} cases compared`);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
