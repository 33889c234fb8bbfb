import assert from "node:assert/strict";
import { digestOf } from "../digest.ts";
import {
  type BlobStream,
  type ImageReference,
  type ImageSource,
  type OpenOptions,
  type Transport,
  TRANSPORT_API_VERSION,
} from "../transport.ts";
import type { Digest, ManifestBlob, Signature } from "../types.ts";
import { rememberingSignatures, withOpenedSource } from "./opened_source.ts";

const MANIFEST: ManifestBlob = {
  bytes: new TextEncoder().encode('{"schemaVersion":2}'),
  mediaType: "application/vnd.oci.image.manifest.v1+json",
};

/** An in-memory source that counts how often it is closed. */
class MemorySource implements ImageSource {
  readonly reference: ImageReference;
  readonly capabilities = { concurrentBlobReads: true };
  readonly serial: number;
  closed = 0;

  constructor(reference: ImageReference, serial: number) {
    this.reference = reference;
    this.serial = serial;
  }

  getManifest(): Promise<ManifestBlob> {
    return Promise.resolve(MANIFEST);
  }

  getBlob(): Promise<BlobStream> {
    return Promise.reject(new Error("no blobs here"));
  }

  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

const TRANSPORT: Transport = {
  apiVersion: TRANSPORT_API_VERSION,
  name: "memory",
  parseReference: (text) => new MemoryReference(text),
};

/** Keeps its state in private fields, as real transports do. */
class MemoryReference implements ImageReference {
  readonly transport = TRANSPORT;
  #name: string;
  #opens: (OpenOptions | undefined)[] = [];

  constructor(name: string) {
    this.#name = name;
  }

  get dockerReference(): string {
    return `example.com/${this.#name}:latest`;
  }

  /** Options of every `openSource` that reached this reference. */
  get opens(): (OpenOptions | undefined)[] {
    return this.#opens;
  }

  toString(): string {
    return this.#name;
  }

  openSource(options?: OpenOptions): Promise<ImageSource> {
    this.#opens.push(options);
    return Promise.resolve(new MemorySource(this, this.#opens.length));
  }

  getManifestDigest(): Promise<Digest | undefined> {
    return Promise.resolve(digestOf(MANIFEST.bytes));
  }

  listTags(): Promise<string[]> {
    return Promise.resolve([this.#name, "latest"]);
  }
}

Deno.test("withOpenedSource() returns the given source first, then opens anew", async () => {
  const reference = new MemoryReference("app");
  const source = new MemorySource(reference, 0);
  const { reference: wrapped } = withOpenedSource(reference, source);
  const signal = new AbortController().signal;
  assert.equal(await wrapped.openSource({ signal }), source);
  assert.equal(reference.opens.length, 0, "the first open reused the source");
  const second = await wrapped.openSource({ signal });
  assert.notEqual(second, source);
  assert.ok(second instanceof MemorySource);
  assert.equal(second.serial, 1);
  assert.equal(reference.opens.length, 1);
  assert.equal(reference.opens[0]?.signal, signal, "options passed through");
  const third = await wrapped.openSource();
  assert.equal((third as MemorySource).serial, 2);
  assert.equal(source.closed, 0, "taking a source does not close it");
});

Deno.test("withOpenedSource() release() closes an untaken source exactly once", async () => {
  const reference = new MemoryReference("app");
  const source = new MemorySource(reference, 0);
  const opened = withOpenedSource(reference, source);
  await opened.release();
  assert.equal(source.closed, 1);
  await opened.release();
  assert.equal(source.closed, 1, "a second release does nothing");
  // Released: the copy would open the image itself.
  const fresh = await opened.reference.openSource();
  assert.notEqual(fresh, source);
  assert.equal(reference.opens.length, 1);
});

Deno.test("withOpenedSource() release() leaves a taken source to its taker", async () => {
  const reference = new MemoryReference("app");
  const source = new MemorySource(reference, 0);
  const opened = withOpenedSource(reference, source);
  const taken = await opened.reference.openSource();
  assert.equal(taken, source);
  await opened.release();
  assert.equal(source.closed, 0, "the copy that took it closes it");
  await taken.close();
  assert.equal(source.closed, 1);
});

Deno.test("withOpenedSource() reference behaves as the wrapped one for every other member", async () => {
  const reference = new MemoryReference("team/app");
  const { reference: wrapped } = withOpenedSource(
    reference,
    new MemorySource(reference, 0),
  );
  assert.equal(wrapped.toString(), "team/app");
  assert.equal(String(wrapped), "team/app");
  assert.equal(`${wrapped}`, "team/app");
  assert.equal(wrapped.transport, TRANSPORT);
  assert.equal(wrapped.transport.name, "memory");
  // Getters and methods reading #private fields run against the instance.
  assert.equal(wrapped.dockerReference, "example.com/team/app:latest");
  assert.deepEqual(await wrapped.listTags?.(), ["team/app", "latest"]);
  assert.equal(
    await wrapped.getManifestDigest?.(),
    digestOf(MANIFEST.bytes),
  );
  // A method taken off the wrapper keeps working detached.
  const listTags = wrapped.listTags!;
  assert.deepEqual(await listTags(), ["team/app", "latest"]);
  // Absent optional members stay absent (callers test for them).
  assert.equal(wrapped.openDestination, undefined);
  assert.equal(wrapped.deleteImage, undefined);
  assert.equal("openDestination" in wrapped, false);
});

/** A source whose signature reads are counted and may fail once. */
class SignedSource extends MemorySource {
  #reads = 0;
  #failNext = false;

  get reads(): number {
    return this.#reads;
  }

  failNextRead(): void {
    this.#failNext = true;
  }

  getSignatures(options?: { instance?: Digest }): Promise<Signature[]> {
    this.#reads++;
    if (this.#failNext) {
      this.#failNext = false;
      return Promise.reject(new Error("lookaside unreachable"));
    }
    const text = `signature of ${options?.instance ?? "top"}`;
    return Promise.resolve([{
      format: "simple-signing",
      bytes: new TextEncoder().encode(text),
    }]);
  }
}

Deno.test("rememberingSignatures() reads each instance's signatures once, failures again", async () => {
  const inner = new SignedSource(new MemoryReference("signed"), 1);
  const source = rememberingSignatures(inner);
  const first = await source.getSignatures!();
  const second = await source.getSignatures!();
  assert.equal(inner.reads, 1);
  assert.deepEqual(second, first);
  const instance = digestOf(new TextEncoder().encode("instance"));
  const other = await source.getSignatures!({ instance });
  assert.equal(inner.reads, 2);
  assert.notDeepEqual(other, first);
  // A failed read is not remembered.
  const third = digestOf(new TextEncoder().encode("third"));
  inner.failNextRead();
  await assert.rejects(
    source.getSignatures!({ instance: third }),
    /unreachable/,
  );
  assert.equal((await source.getSignatures!({ instance: third })).length, 1);
  assert.equal(inner.reads, 4);
  // Everything else still reaches the source itself.
  await source.close();
  assert.equal(inner.closed, 1);
  assert.equal((source as SignedSource).serial, 1);
});

Deno.test("rememberingSignatures() leaves a source without signatures as it is", () => {
  const inner = new MemorySource(new MemoryReference("plain"), 2);
  assert.equal(rememberingSignatures(inner), inner);
});
