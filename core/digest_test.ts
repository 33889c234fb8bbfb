import assert from "node:assert/strict";
import {
  digestAlgorithm,
  Digester,
  digestHex,
  digestOf,
  DigestVerifierStream,
  isDigest,
  parseDigest,
  verifyBytes,
  verifyingStream,
} from "./digest.ts";
import { DigestMismatchError, InvalidContentError } from "./errors.ts";
import type { Digest } from "./types.ts";

const encode = (text: string) => new TextEncoder().encode(text);

// Published test vectors (FIPS 180-2 "abc"; the empty string).
const EMPTY_SHA256 =
  "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const ABC_SHA256 =
  "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const ABC_SHA512 = "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a" +
  "9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

Deno.test("parseDigest() accepts sha256 and sha512 digests", () => {
  assert.equal(parseDigest(EMPTY_SHA256), EMPTY_SHA256);
  assert.equal(parseDigest(ABC_SHA512), ABC_SHA512);
  assert.equal(isDigest(ABC_SHA256), true);
});

Deno.test("parseDigest() rejects malformed and unsupported digests", () => {
  const hex64 = "a".repeat(64);
  const rejects = (text: string, message: RegExp) =>
    assert.throws(
      () => parseDigest(text),
      (error: unknown) => {
        assert.ok(error instanceof InvalidContentError, String(error));
        assert.match(error.message, message);
        return true;
      },
      text,
    );
  rejects(`sha256:${"A".repeat(64)}`, /expected 64 lowercase hex/);
  rejects(`sha256:${hex64.slice(1)}`, /expected 64 lowercase hex/);
  rejects(`sha256:${hex64}0`, /expected 64 lowercase hex/);
  rejects(`sha512:${hex64}`, /expected 128 lowercase hex/);
  rejects(`sha256:${"g".repeat(64)}`, /expected 64 lowercase hex/);
  rejects(`md5:${"a".repeat(32)}`, /Unsupported digest algorithm "md5"/);
  rejects(`SHA256:${hex64}`, /^Invalid digest/);
  rejects(hex64, /^Invalid digest/);
  rejects("sha256:", /^Invalid digest/);
  rejects("", /^Invalid digest/);
  assert.equal(isDigest(`sha256:${"A".repeat(64)}`), false);
});

Deno.test("digestOf() matches published SHA-256 and SHA-512 vectors", () => {
  assert.equal(digestOf(new Uint8Array()), EMPTY_SHA256);
  assert.equal(digestOf(encode("abc")), ABC_SHA256);
  assert.equal(digestOf(encode("abc"), "sha512"), ABC_SHA512);
  assert.equal(digestAlgorithm(ABC_SHA512 as Digest), "sha512");
  assert.equal(digestHex(ABC_SHA256 as Digest), ABC_SHA256.slice(7));
});

Deno.test("Digester hashes incrementally and counts bytes", () => {
  const digester = new Digester();
  digester.update(encode("a"));
  digester.update(encode("bc"));
  assert.equal(digester.size, 3);
  assert.equal(digester.digest(), ABC_SHA256);
});

async function pipe(
  chunks: Uint8Array[],
  stream: DigestVerifierStream,
): Promise<{ out: Uint8Array[]; error: unknown }> {
  const out: Uint8Array[] = [];
  try {
    for await (const chunk of ReadableStream.from(chunks).pipeThrough(stream)) {
      out.push(chunk);
    }
    return { out, error: undefined };
  } catch (error) {
    return { out, error };
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

Deno.test("DigestVerifierStream passes multi-chunk input through unchanged", async () => {
  const bytes = new Uint8Array(70_000).map((_, i) => (i * 7919) % 251);
  const chunks = [
    bytes.subarray(0, 1),
    bytes.subarray(1, 1),
    bytes.subarray(1, 40_000),
    bytes.subarray(40_000),
  ];
  const { out, error } = await pipe(
    chunks,
    new DigestVerifierStream(digestOf(bytes), { size: bytes.length }),
  );
  assert.equal(error, undefined);
  assert.deepEqual(concat(out), bytes);
});

Deno.test("DigestVerifierStream errors at the end on a digest mismatch", async () => {
  const { out, error } = await pipe(
    [encode("ab"), encode("d")],
    new DigestVerifierStream(ABC_SHA256 as Digest),
  );
  // Every byte went through before the error: the error comes at the end.
  assert.deepEqual(concat(out), encode("abd"));
  assert.ok(error instanceof DigestMismatchError, String(error));
  assert.equal(error.kind, "digest");
  assert.equal(error.expected, ABC_SHA256);
  assert.equal(error.actual, digestOf(encode("abd")));
  assert.match(error.message, /^Digest mismatch for sha256:ba78/);
});

Deno.test("DigestVerifierStream errors at the end on a sha512 mismatch", async () => {
  const { error } = await pipe(
    [encode("abd")],
    new DigestVerifierStream(ABC_SHA512 as Digest, { subject: "blob X" }),
  );
  assert.ok(error instanceof DigestMismatchError);
  assert.equal(error.actual, digestOf(encode("abd"), "sha512"));
  assert.match(error.message, /^Digest mismatch for blob X: expected sha512:/);
});

Deno.test("DigestVerifierStream stops as soon as there are too many bytes", async () => {
  const { out, error } = await pipe(
    [encode("ab"), encode("cd"), encode("ef")],
    new DigestVerifierStream(ABC_SHA256 as Digest, { size: 3 }),
  );
  assert.deepEqual(concat(out), encode("ab"));
  assert.ok(error instanceof DigestMismatchError, String(error));
  assert.equal(error.kind, "size");
  assert.equal(error.expected, "3");
  assert.equal(error.actual, "more than 3");
});

Deno.test("DigestVerifierStream errors at the end on too few bytes", async () => {
  const { out, error } = await pipe(
    [encode("ab")],
    new DigestVerifierStream(ABC_SHA256 as Digest, { size: 3 }),
  );
  assert.deepEqual(concat(out), encode("ab"));
  assert.ok(error instanceof DigestMismatchError, String(error));
  assert.equal(error.kind, "size");
  assert.equal(error.actual, "2");
  assert.match(
    error.message,
    /^Size mismatch for .*: expected 3 bytes, got 2$/,
  );
});

Deno.test("DigestVerifierStream ignores an unknown size of -1", async () => {
  const { error } = await pipe(
    [encode("abc")],
    new DigestVerifierStream(ABC_SHA256 as Digest, { size: -1 }),
  );
  assert.equal(error, undefined);
});

Deno.test("verifyBytes() accepts matching bytes and names the subject otherwise", () => {
  verifyBytes(encode("abc"), ABC_SHA256 as Digest);
  verifyBytes(encode("abc"), ABC_SHA512 as Digest);
  assert.throws(
    () => verifyBytes(encode("abd"), ABC_SHA256 as Digest, "manifest"),
    (error: unknown) => {
      assert.ok(error instanceof DigestMismatchError);
      assert.equal(error.expected, ABC_SHA256);
      assert.equal(error.actual, digestOf(encode("abd")));
      assert.match(error.message, /^Digest mismatch for manifest:/);
      return true;
    },
  );
});

/** Reads a stream to its end or error. */
async function drain(
  stream: ReadableStream<Uint8Array>,
): Promise<{ out: Uint8Array[]; error: unknown }> {
  const out: Uint8Array[] = [];
  try {
    for await (const chunk of stream) out.push(chunk);
    return { out, error: undefined };
  } catch (error) {
    return { out, error };
  }
}

Deno.test("verifyingStream() passes the same chunks through and reports bytes", async () => {
  const chunks = [encode("a"), new Uint8Array(), encode("bc")];
  const seen: [number, Uint8Array][] = [];
  const { stream } = verifyingStream(
    ReadableStream.from(chunks),
    ABC_SHA256 as Digest,
    { size: 3, onBytes: (total, chunk) => seen.push([total, chunk]) },
  );
  const { out, error } = await drain(stream);
  assert.equal(error, undefined);
  // Not copied: the very chunks of the source (empty ones dropped).
  assert.equal(out[0], chunks[0]);
  assert.equal(out[1], chunks[2]);
  assert.deepEqual(seen.map(([total]) => total), [1, 3]);
  assert.equal(seen[1]![1], chunks[2]);
});

Deno.test("verifyingStream() errors instead of ending on a digest mismatch", async () => {
  let sourceErrors = 0;
  const { stream } = verifyingStream(
    ReadableStream.from([encode("ab"), encode("d")]),
    ABC_SHA256 as Digest,
    { subject: "blob X", onSourceError: () => sourceErrors++ },
  );
  const { out, error } = await drain(stream);
  assert.deepEqual(concat(out), encode("abd"));
  assert.ok(error instanceof DigestMismatchError, String(error));
  assert.equal(error.actual, digestOf(encode("abd")));
  assert.match(error.message, /^Digest mismatch for blob X/);
  // The mismatch is found here, not a failure of the source.
  assert.equal(sourceErrors, 0);
});

Deno.test("verifyingStream() stops and cancels the source on too many bytes", async () => {
  let cancelled: unknown;
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encode("ab"));
      controller.enqueue(encode("cd"));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const { stream } = verifyingStream(source, ABC_SHA256 as Digest, {
    size: 3,
  });
  const { out, error } = await drain(stream);
  assert.deepEqual(concat(out), encode("ab"));
  assert.ok(error instanceof DigestMismatchError, String(error));
  assert.equal(error.kind, "size");
  assert.equal(error.actual, "more than 3");
  assert.equal(cancelled, error);
});

Deno.test("verifyingStream() errors at the end on too few bytes", async () => {
  const { stream } = verifyingStream(
    ReadableStream.from([encode("abc")]),
    ABC_SHA256 as Digest,
    { size: 4 },
  );
  const { error } = await drain(stream);
  assert.ok(error instanceof DigestMismatchError, String(error));
  assert.equal(error.kind, "size");
  assert.equal(error.actual, "3");
});

Deno.test("verifyingStream() reports and passes on a failing source", async () => {
  const failure = new Error("connection reset");
  const errors: unknown[] = [];
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encode("a"));
    },
    pull(controller) {
      controller.error(failure);
    },
  });
  const { stream } = verifyingStream(source, ABC_SHA256 as Digest, {
    onSourceError: (error) => errors.push(error),
  });
  const { out, error } = await drain(stream);
  assert.deepEqual(concat(out), encode("a"));
  assert.equal(error, failure);
  assert.deepEqual(errors, [failure]);
});

Deno.test("verifyingStream() head() reads ahead without losing bytes", async () => {
  const bytes = encode("abc");
  const { stream, head } = verifyingStream(
    ReadableStream.from([bytes.subarray(0, 1), bytes.subarray(1)]),
    ABC_SHA256 as Digest,
    { size: 3 },
  );
  assert.deepEqual(await head(2), encode("ab"));
  const { out, error } = await drain(stream);
  assert.equal(error, undefined);
  assert.deepEqual(concat(out), bytes);
});

Deno.test("verifyingStream() head() of a short stream still verifies it", async () => {
  const good = verifyingStream(
    ReadableStream.from([encode("abc")]),
    ABC_SHA256 as Digest,
  );
  assert.deepEqual(await good.head(10), encode("abc"));
  assert.deepEqual(concat((await drain(good.stream)).out), encode("abc"));
  const bad = verifyingStream(
    ReadableStream.from([encode("abd")]),
    ABC_SHA256 as Digest,
  );
  await assert.rejects(bad.head(10), DigestMismatchError);
});
