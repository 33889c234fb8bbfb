import assert from "node:assert/strict";
import type { Digest, Signature } from "../../core/types.ts";
import {
  deleteLookasideSignatures,
  lookasideSignatureUrl,
  readLookasideSignatures,
  writeLookasideSignatures,
} from "./lookaside.ts";

const DIGEST = `sha256:${"ab".repeat(32)}` as Digest;
const sig = (text: string): Signature => ({
  format: "simple-signing",
  bytes: new TextEncoder().encode(text),
});

Deno.test("lookasideSignatureUrl() follows containers/image's layout", () => {
  assert.equal(
    lookasideSignatureUrl(new URL("file:///s/ns/app"), DIGEST, 0).href,
    `file:///s/ns/app@sha256=${"ab".repeat(32)}/signature-1`,
  );
});

Deno.test("writeLookasideSignatures() writes signature-N and removes stale ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const base = new URL(`file://${dir}/ns/app`);
    await writeLookasideSignatures(base, DIGEST, [
      sig("a"),
      sig("b"),
      sig("c"),
    ]);
    await writeLookasideSignatures(base, DIGEST, [sig("x")]);
    const folder = `${dir}/ns/app@sha256=${"ab".repeat(32)}`;
    const names = [...Deno.readDirSync(folder)].map((e) => e.name).sort();
    assert.deepEqual(names, ["signature-1"]);
    assert.equal(Deno.readTextFileSync(`${folder}/signature-1`), "x");
    const read = await readLookasideSignatures(base, DIGEST);
    assert.deepEqual(read.map((s) => new TextDecoder().decode(s.bytes)), ["x"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeLookasideSignatures() refuses http(s) locations as containers/image does", async () => {
  await assert.rejects(
    writeLookasideSignatures(new URL("https://h/s/app"), DIGEST, [sig("a")]),
    /^Error: Writing directly to a https lookaside https:\/\/h\/s\/app@sha256=(?:ab)+\/signature-1 is not supported\. Configure a lookaside-staging: location$/,
  );
});

Deno.test("readLookasideSignatures() reads over HTTP until the first 404", async () => {
  const served: string[] = [];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      const path = new URL(request.url).pathname;
      served.push(path);
      if (path.endsWith("/signature-1")) return new Response("one");
      if (path.endsWith("/signature-2")) return new Response("two");
      return new Response("no", { status: 404 });
    },
  );
  const base = new URL(`http://127.0.0.1:${server.addr.port}/s/app`);
  const read = await readLookasideSignatures(base, DIGEST);
  assert.deepEqual(read.map((s) => new TextDecoder().decode(s.bytes)), [
    "one",
    "two",
  ]);
  assert.equal(served.length, 3);
});

Deno.test("deleteLookasideSignatures() removes signature-1… and refuses http", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const base = new URL(`file://${dir}/ns/app`);
    await writeLookasideSignatures(base, DIGEST, [sig("a"), sig("b")]);
    await deleteLookasideSignatures(base, DIGEST);
    assert.deepEqual(await readLookasideSignatures(base, DIGEST), []);
    const folder = `${dir}/ns/app@sha256=${"ab".repeat(32)}`;
    assert.deepEqual([...Deno.readDirSync(folder)], []);
    await deleteLookasideSignatures(base, DIGEST); // nothing left: no error
    await assert.rejects(
      deleteLookasideSignatures(new URL("https://sigs.example/ns/app"), DIGEST),
      /Writing directly to a https lookaside .* Configure a lookaside-staging: location/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
