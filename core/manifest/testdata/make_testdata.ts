/**
 * Regenerates the schema1 samples of this folder and records what the real
 * skopeo 1.9.3 says about every sample (`manifest_digest.golden.json`).
 *
 * - `schema1_unsigned.json`, `schema1_duplicate_ids.json`: written here in
 *   the shape docker pushed (3-space indent).
 * - `schema1_signed_pretty.json`: the same payload with a real libtrust-style
 *   ES256 JWS (signed with openssl), as registries served it.
 * - `schema1_signed_skopeo.json`: what `skopeo copy --format v2s1` writes
 *   (compact, signed with a throwaway key).
 *
 * Run: `deno run -A core/manifest/testdata/make_testdata.ts` (needs skopeo, openssl).
 *
 * @module
 */
import { digestHex, digestOf } from "../../digest.ts";
import { run, writeOciLayout } from "../../image/testdata/build_layout.ts";

const HERE = new URL(".", import.meta.url).pathname;
const ENCODER = new TextEncoder();

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll(
    "/",
    "_",
  )
    .replace(/=+$/, "");
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!, (pair) => parseInt(pair, 16));
}

function base32(bytes: Uint8Array): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0, out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** A v1 layer ID derived from a label, like docker's random-looking IDs. */
function v1Id(label: string): string {
  return digestHex(digestOf(ENCODER.encode(`v1 id ${label}`)));
}

const LAYER =
  "sha256:bcc3276f2c176deb60aaa4121acbb2d3ab6d84e1309cabb16c8b162a0ce7e5c8";
const EMPTY_LAYER =
  "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";

function schema1Payload(
  history: Record<string, unknown>[],
  blobs: string[],
): string {
  return JSON.stringify(
    {
      schemaVersion: 1,
      name: "library/hello",
      tag: "latest",
      architecture: "amd64",
      fsLayers: blobs.map((blobSum) => ({ blobSum })),
      history: history.map((entry) => ({
        v1Compatibility: JSON.stringify(entry),
      })),
    },
    null,
    3,
  );
}

const base = v1Id("base"), top = v1Id("top");
const unsigned = schema1Payload([
  {
    architecture: "amd64",
    config: {
      Hostname: "",
      Env: [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG=C.UTF-8",
      ],
      Cmd: ["/hello"],
      Labels: {
        "org.opencontainers.image.title": "hello",
        "maintainer": "A <a@example.com>",
      },
    },
    container_config: { Cmd: ["/bin/sh", "-c", "#(nop) ", 'CMD ["/hello"]'] },
    created: "2023-05-04T17:37:03.872958712Z",
    docker_version: "20.10.23",
    id: top,
    os: "linux",
    parent: base,
    throwaway: true,
  },
  {
    id: base,
    created: "2023-05-04T17:37:03.801840823+02:00",
    container_config: {
      Cmd: [
        "/bin/sh -c #(nop) COPY file:201f8f1849e89d53be9f6aa76937f5e209d745abfd15a8552fcf2ba45ab267f9 in / ",
      ],
    },
  },
], [EMPTY_LAYER, LAYER]);

// Docker dropped an entry repeating the previous ID; containers/image does too.
const middle = v1Id("middle");
const duplicates = schema1Payload([
  {
    id: top,
    parent: middle,
    created: "2023-01-03T00:00:00Z",
    os: "linux",
    architecture: "arm64",
  },
  { id: middle, parent: base, created: "2023-01-02T00:00:00Z" },
  { id: middle, parent: base, created: "2023-01-02T00:00:00Z" },
  { id: base, created: "2023-01-01T00:00:00Z" },
], [EMPTY_LAYER, EMPTY_LAYER, v1IdDigest("dup"), LAYER]);

function v1IdDigest(label: string): string {
  return `sha256:${v1Id(label)}`;
}

/** Signs like libtrust `NewJSONSignature` + `Sign` + `PrettySignature`. */
async function signPretty(payloadText: string, tmp: string): Promise<string> {
  const payload = ENCODER.encode(payloadText);
  const formatLength = payload.length - 2; // drop "\n}"
  const formatTail = payload.subarray(formatLength);
  const protectedHeader = base64Url(ENCODER.encode(JSON.stringify({
    formatLength,
    formatTail: base64Url(formatTail),
    time: "2023-05-04T17:40:12Z",
  })));
  const key = `${tmp}/key.pem`;
  await run("openssl", [
    "ecparam",
    "-genkey",
    "-name",
    "prime256v1",
    "-noout",
    "-out",
    key,
  ]);
  await run("openssl", [
    "ec",
    "-in",
    key,
    "-pubout",
    "-outform",
    "DER",
    "-out",
    `${tmp}/pub.der`,
  ]);
  const spki = await Deno.readFile(`${tmp}/pub.der`);
  const point = spki.subarray(spki.length - 64);
  const kid = base32(hexBytes(digestHex(digestOf(spki))).subarray(0, 30)).match(
    /.{4}/g,
  )!.join(":");
  await Deno.writeTextFile(
    `${tmp}/input`,
    `${protectedHeader}.${base64Url(payload)}`,
  );
  await run("openssl", [
    "dgst",
    "-sha256",
    "-sign",
    key,
    "-out",
    `${tmp}/sig.der`,
    `${tmp}/input`,
  ]);
  const der = await Deno.readFile(`${tmp}/sig.der`);
  // DER SEQUENCE { INTEGER r, INTEGER s } → fixed-width r || s.
  const rLength = der[3]!;
  const r = der.subarray(4, 4 + rLength);
  const s = der.subarray(4 + rLength + 2);
  const fixed = (n: Uint8Array) => {
    const out = new Uint8Array(32);
    const trimmed = n.subarray(Math.max(0, n.length - 32));
    out.set(trimmed, 32 - trimmed.length);
    return out;
  };
  const signature = new Uint8Array([...fixed(r), ...fixed(s)]);
  const signatures = [{
    header: {
      jwk: {
        crv: "P-256",
        kid,
        kty: "EC",
        x: base64Url(point.subarray(0, 32)),
        y: base64Url(point.subarray(32)),
      },
      alg: "ES256",
    },
    signature: base64Url(signature),
    protected: protectedHeader,
  }];
  const indent = "   ";
  const marshalled = JSON.stringify(signatures, null, indent).replaceAll(
    "\n",
    `\n${indent}`,
  );
  return `${
    payloadText.slice(0, formatLength)
  },\n${indent}"signatures": ${marshalled}\n}`;
}

async function skopeoSigned(tmp: string): Promise<string> {
  await writeOciLayout(`${tmp}/oci`, [{
    tag: "hello",
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
  }]);
  await run("skopeo", [
    "copy",
    "-q",
    "--format",
    "v2s1",
    `oci:${tmp}/oci:hello`,
    `dir:${tmp}/dir`,
  ]);
  return await Deno.readTextFile(`${tmp}/dir/manifest.json`);
}

if (import.meta.main) {
  const tmp = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${HERE}schema1_unsigned.json`, unsigned);
    await Deno.writeTextFile(`${HERE}schema1_duplicate_ids.json`, duplicates);
    await Deno.writeTextFile(
      `${HERE}schema1_signed_pretty.json`,
      await signPretty(unsigned, tmp),
    );
    await Deno.writeTextFile(
      `${HERE}schema1_signed_skopeo.json`,
      await skopeoSigned(tmp),
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
  const golden: Record<string, string> = {};
  const names = [...Deno.readDirSync(HERE)].map((e) => e.name)
    .filter((n) => /\.(json|txt)$/.test(n) && !n.endsWith(".golden.json"))
    .sort();
  for (const name of names) {
    const out = await new Deno.Command("skopeo", {
      args: ["manifest-digest", `${HERE}${name}`],
    })
      .output();
    golden[name] = out.success
      ? new TextDecoder().decode(out.stdout).trim()
      : "error";
  }
  await Deno.writeTextFile(
    `${HERE}manifest_digest.golden.json`,
    JSON.stringify(golden, null, 2) + "\n",
  );
}
