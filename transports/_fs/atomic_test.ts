import assert from "node:assert/strict";
import { digestOf, DigestVerifierStream } from "../../core/digest.ts";
import { DigestMismatchError } from "../../core/errors.ts";
import { markDisposable } from "../../core/fs_stream.ts";
import type { Digest } from "../../core/types.ts";
import { pathExists, writeFileAtomic, writeStreamAtomic } from "./atomic.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const CONTENT = encode("hello, layer");
const CONTENT_DIGEST = digestOf(CONTENT);

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "atomic_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

/** A stream of `chunks` that records whether it was cancelled. */
function chunkStream(
  chunks: Uint8Array[],
  options: { failAfter?: number } = {},
): ReadableStream<Uint8Array> & { cancelled: () => boolean } {
  let sent = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (options.failAfter !== undefined && sent === options.failAfter) {
        controller.error(new Error("connection reset"));
        return;
      }
      const chunk = chunks[sent++];
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return Object.assign(stream, { cancelled: () => cancelled });
}

const byHex = (dir: string) => (digest: Digest) =>
  `${dir}/${digest.slice(digest.indexOf(":") + 1)}`;

Deno.test("writeFileAtomic() writes text and bytes with the mode, leaving no temp file", async () => {
  await withDir(async (dir) => {
    await writeFileAtomic(`${dir}/a`, "text");
    await writeFileAtomic(`${dir}/b`, CONTENT, { mode: 0o600 });
    await writeFileAtomic(`${dir}/a`, "replaced");
    assert.equal(await Deno.readTextFile(`${dir}/a`), "replaced");
    assert.deepEqual(await Deno.readFile(`${dir}/b`), CONTENT);
    assert.equal((await Deno.stat(`${dir}/b`)).mode! & 0o777, 0o600);
    assert.deepEqual(await listDir(dir), ["a", "b"]);
  });
});

Deno.test("writeFileAtomic() fails cleanly when the target is a directory", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(`${dir}/target`);
    await assert.rejects(writeFileAtomic(`${dir}/target`, "x"));
    assert.deepEqual(await listDir(dir), ["target"]);
  });
});

Deno.test("writeStreamAtomic() stores verified multi-chunk content under its digest", async () => {
  await withDir(async (dir) => {
    const stored = await writeStreamAtomic(
      chunkStream([CONTENT.subarray(0, 5), CONTENT.subarray(5)]),
      byHex(dir),
      { expectedDigest: CONTENT_DIGEST, expectedSize: CONTENT.length },
    );
    assert.deepEqual(stored, { digest: CONTENT_DIGEST, size: CONTENT.length });
    assert.deepEqual(await Deno.readFile(byHex(dir)(CONTENT_DIGEST)), CONTENT);
    assert.deepEqual(await listDir(dir), [CONTENT_DIGEST.slice(7)]);
  });
});

Deno.test("writeStreamAtomic() computes the digest when none is expected", async () => {
  await withDir(async (dir) => {
    const stored = await writeStreamAtomic(chunkStream([CONTENT]), byHex(dir));
    assert.equal(stored.digest, CONTENT_DIGEST);
    assert.deepEqual(await listDir(dir), [CONTENT_DIGEST.slice(7)]);
  });
});

Deno.test("writeStreamAtomic() verifies sha512 digests with sha512", async () => {
  await withDir(async (dir) => {
    const expected = digestOf(CONTENT, "sha512");
    const stored = await writeStreamAtomic(chunkStream([CONTENT]), byHex(dir), {
      expectedDigest: expected,
    });
    assert.equal(stored.digest, expected);
  });
});

Deno.test("writeStreamAtomic() leaves nothing when the stream fails midway", async () => {
  await withDir(async (dir) => {
    const stream = chunkStream([CONTENT, CONTENT], { failAfter: 1 });
    await assert.rejects(
      writeStreamAtomic(stream, byHex(dir), { expectedDigest: CONTENT_DIGEST }),
      /connection reset/,
    );
    assert.deepEqual(await listDir(dir), []);
  });
});

Deno.test("writeStreamAtomic() leaves nothing on a digest mismatch", async () => {
  await withDir(async (dir) => {
    const wrong = digestOf(encode("other"));
    await assert.rejects(
      writeStreamAtomic(chunkStream([CONTENT]), byHex(dir), {
        expectedDigest: wrong,
      }),
      (error: unknown) => {
        assert.ok(error instanceof DigestMismatchError);
        assert.equal(error.expected, wrong);
        assert.equal(error.actual, CONTENT_DIGEST);
        return true;
      },
    );
    assert.deepEqual(await listDir(dir), []);
  });
});

Deno.test("writeStreamAtomic() leaves nothing on a size mismatch", async () => {
  await withDir(async (dir) => {
    await assert.rejects(
      writeStreamAtomic(chunkStream([CONTENT]), byHex(dir), {
        expectedDigest: CONTENT_DIGEST,
        expectedSize: CONTENT.length + 1,
      }),
      (error: unknown) => {
        assert.ok(error instanceof DigestMismatchError);
        assert.equal(error.kind, "size");
        assert.equal(error.actual, String(CONTENT.length));
        return true;
      },
    );
    assert.deepEqual(await listDir(dir), []);
  });
});

Deno.test("writeStreamAtomic() with trusted: true stores under the expected digest unchecked", async () => {
  // The contract: `trusted` means the caller's stream verifies itself (the
  // copy engine's DigestVerifierStream), so no second hash is computed and
  // a wrong expected digest is NOT caught here.
  await withDir(async (dir) => {
    const wrong = digestOf(encode("other"));
    const stored = await writeStreamAtomic(chunkStream([CONTENT]), byHex(dir), {
      expectedDigest: wrong,
      trusted: true,
    });
    assert.deepEqual(stored, { digest: wrong, size: CONTENT.length });
    assert.deepEqual(await Deno.readFile(byHex(dir)(wrong)), CONTENT);
  });
});

Deno.test("writeStreamAtomic() with trusted: true relies on the verifier's error", async () => {
  await withDir(async (dir) => {
    const wrong = digestOf(encode("other"));
    const verified = chunkStream([CONTENT]).pipeThrough(
      new DigestVerifierStream(wrong),
    );
    await assert.rejects(
      writeStreamAtomic(verified, byHex(dir), {
        expectedDigest: wrong,
        trusted: true,
      }),
      DigestMismatchError,
    );
    assert.deepEqual(await listDir(dir), []);
  });
});

Deno.test("writeStreamAtomic() stops, cancels the stream and cleans up on abort", async () => {
  await withDir(async (dir) => {
    const controller = new AbortController();
    let sent = 0;
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (++sent === 3) controller.abort(new Error("user stop"));
        c.enqueue(CONTENT);
      },
      cancel() {
        cancelled = true;
      },
    });
    await assert.rejects(
      writeStreamAtomic(stream, byHex(dir), { signal: controller.signal }),
      /user stop/,
    );
    assert.ok(cancelled);
    assert.deepEqual(await listDir(dir), []);
  });
});

Deno.test("writeStreamAtomic() cancels the stream when the file cannot be created", async () => {
  await withDir(async (dir) => {
    const stream = chunkStream([CONTENT]);
    await assert.rejects(
      writeStreamAtomic(stream, byHex(`${dir}/missing`)),
      Deno.errors.NotFound,
    );
    assert.ok(stream.cancelled(), "the source stream must not be left open");
  });
});

Deno.test("pathExists() tells files, directories and dangling links from nothing", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/f`, "");
    await Deno.symlink(`${dir}/nowhere`, `${dir}/link`);
    assert.equal(await pathExists(`${dir}/f`), true);
    assert.equal(await pathExists(dir), true);
    assert.equal(await pathExists(`${dir}/link`), true);
    assert.equal(await pathExists(`${dir}/none`), false);
  });
});

Deno.test("writeStreamAtomic() frees marked chunks once written, keeps others", async () => {
  await withDir(async (dir) => {
    const owned = markDisposable(CONTENT.slice(0, 5));
    const shared = CONTENT.slice(5);
    const stored = await writeStreamAtomic(
      ReadableStream.from([owned, shared]),
      (digest) => `${dir}/${digest.slice(7)}`,
      { expectedDigest: CONTENT_DIGEST, expectedSize: CONTENT.length },
    );
    assert.equal(stored.digest, CONTENT_DIGEST);
    assert.deepEqual(
      await Deno.readFile(`${dir}/${CONTENT_DIGEST.slice(7)}`),
      CONTENT,
    );
    assert.equal(owned.byteLength, 0);
    // The caller may still hold (and use) an unmarked chunk.
    assert.deepEqual(shared, CONTENT.slice(5));
  });
});
