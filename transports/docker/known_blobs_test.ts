import assert from "node:assert/strict";
import { digestOf } from "../../core/digest.ts";
import type { Digest } from "../../core/types.ts";
import {
  knownRepositories,
  landOnce,
  recentlyAbsent,
  recentlyConfirmedSize,
  rememberAbsentRepository,
  rememberBlob,
} from "./known_blobs.ts";

// The memory is module state shared by every test in the process: each test
// uses its own registry domain.
let domains = 0;
function uniqueDomain(): string {
  return `known-blobs-${Date.now()}-${++domains}.test:5000`;
}

function blob(text: string): Digest {
  return digestOf(new TextEncoder().encode(text));
}

/** Runs `fn` with `Date.now()` moved by `offsetMs` (the memory's clock). */
function withClockAhead<T>(offsetMs: number, fn: () => T): T {
  const real = Date.now;
  const base = real();
  Date.now = () => base + offsetMs;
  try {
    return fn();
  } finally {
    Date.now = real;
  }
}

Deno.test("recentlyConfirmedSize() returns the size of a blob remembered in the same repository", () => {
  const domain = uniqueDomain();
  const digest = blob("a");
  assert.equal(recentlyConfirmedSize(domain, "app", digest), undefined);
  rememberBlob(domain, "app", digest, 1234);
  assert.equal(recentlyConfirmedSize(domain, "app", digest), 1234);
  // Size 0 is a real size (an empty blob), not "unknown".
  const empty = blob("");
  rememberBlob(domain, "app", empty, 0);
  assert.equal(recentlyConfirmedSize(domain, "app", empty), 0);
});

Deno.test("recentlyConfirmedSize() never confirms a blob remembered with size -1", () => {
  const domain = uniqueDomain();
  const digest = blob("unknown size");
  rememberBlob(domain, "app", digest, -1);
  assert.equal(recentlyConfirmedSize(domain, "app", digest), undefined);
  // Still a mount candidate: the repository holds it.
  assert.deepEqual(knownRepositories(domain, digest), ["app"]);
  // A later sighting with a size makes it usable.
  rememberBlob(domain, "app", digest, 42);
  assert.equal(recentlyConfirmedSize(domain, "app", digest), 42);
});

Deno.test("recentlyConfirmedSize() does not confirm a blob of another repository, domain or digest", () => {
  const domain = uniqueDomain();
  const other = uniqueDomain();
  const digest = blob("b");
  rememberBlob(domain, "team/app", digest, 10);
  assert.equal(recentlyConfirmedSize(domain, "team/app", digest), 10);
  assert.equal(recentlyConfirmedSize(domain, "team/other", digest), undefined);
  assert.equal(recentlyConfirmedSize(domain, "team", digest), undefined);
  assert.equal(recentlyConfirmedSize(other, "team/app", digest), undefined);
  assert.equal(
    recentlyConfirmedSize(domain, "team/app", blob("c")),
    undefined,
  );
  assert.deepEqual(knownRepositories(other, digest), []);
});

Deno.test("recentlyConfirmedSize() stops trusting a confirmation after five minutes", () => {
  const domain = uniqueDomain();
  const digest = blob("old");
  rememberBlob(domain, "app", digest, 7);
  assert.equal(
    withClockAhead(
      4 * 60_000,
      () => recentlyConfirmedSize(domain, "app", digest),
    ),
    7,
  );
  assert.equal(
    withClockAhead(
      5 * 60_000 + 1_000,
      () => recentlyConfirmedSize(domain, "app", digest),
    ),
    undefined,
  );
  // Old sightings stay mount candidates (a failed mount costs one request).
  assert.deepEqual(
    withClockAhead(60 * 60_000, () => knownRepositories(domain, digest)),
    ["app"],
  );
});

Deno.test("knownRepositories() lists repositories holding a blob, most recent first", () => {
  const domain = uniqueDomain();
  const digest = blob("shared");
  assert.deepEqual(knownRepositories(domain, digest), []);
  withClockAhead(-3_000, () => rememberBlob(domain, "first", digest, 5));
  withClockAhead(-2_000, () => rememberBlob(domain, "second", digest, 5));
  withClockAhead(-1_000, () => rememberBlob(domain, "third", digest, 5));
  assert.deepEqual(knownRepositories(domain, digest), [
    "third",
    "second",
    "first",
  ]);
  // Seen again: moves to the front, listed once.
  rememberBlob(domain, "first", digest, 5);
  assert.deepEqual(knownRepositories(domain, digest), [
    "first",
    "third",
    "second",
  ]);
  // Other blobs and domains are separate.
  assert.deepEqual(knownRepositories(domain, blob("other")), []);
  assert.deepEqual(knownRepositories(uniqueDomain(), digest), []);
});

Deno.test("recentlyAbsent() is true only for a repository recorded missing, and not for long", () => {
  const domain = "absent.example:1";
  assert.equal(recentlyAbsent(domain, "new/repo"), false);
  rememberAbsentRepository(domain, "new/repo");
  assert.equal(recentlyAbsent(domain, "new/repo"), true);
  assert.equal(recentlyAbsent(domain, "other/repo"), false);
  assert.equal(recentlyAbsent("other.example:1", "new/repo"), false);
  const now = Date.now;
  try {
    Date.now = () => now() + 6 * 60_000;
    assert.equal(recentlyAbsent(domain, "new/repo"), false);
  } finally {
    Date.now = now;
  }
});

Deno.test("landOnce() lets one copy put a blob into a repository; another waits, then skips", async () => {
  const domain = uniqueDomain();
  const digest = blob("landed once");
  const order: string[] = [];
  let finishFirst!: () => void;
  const first = landOnce(domain, "org/app", digest, async () => {
    order.push("first starts");
    await new Promise<void>((resolve) => finishFirst = resolve);
    rememberBlob(domain, "org/app", digest, 11);
    order.push("first done");
    return "first";
  });
  const second = landOnce(domain, "org/app", digest, () => {
    order.push("second runs");
    return Promise.resolve("second");
  });
  // Another repository is not held up.
  assert.equal(
    await landOnce(domain, "org/other", digest, () => Promise.resolve("x")),
    "x",
  );
  finishFirst();
  assert.equal(await first, "first");
  assert.equal(await second, undefined);
  assert.deepEqual(order, ["first starts", "first done"]);
});

Deno.test("landOnce() runs the waiting copy when the first one failed", async () => {
  const domain = uniqueDomain();
  const digest = blob("first fails");
  const first = landOnce(
    domain,
    "org/app",
    digest,
    () => Promise.reject(new Error("upload broke")),
  );
  const second = landOnce(
    domain,
    "org/app",
    digest,
    () => Promise.resolve("second"),
  );
  await assert.rejects(first, { message: "upload broke" });
  assert.equal(await second, "second");
});
