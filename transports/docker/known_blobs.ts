/**
 * Blobs this process saw land in a registry repository (uploaded, mounted,
 * or found by HEAD), per registry. Two uses:
 * - mount candidates: a blob pushed into one repository is mounted into the
 *   next instead of uploaded again (a sync pushing shared layers);
 * - skipping the HEAD: a blob confirmed in the same repository moments ago
 *   is taken as present. A HEAD costs distribution ~2 ms of CPU (measured),
 *   which is most of a sync's registry time: 40 tags sharing 5 layers
 *   asked 180 such questions whose answer this process already had.
 *
 * Entries older than {@linkcode TRUST_MS} are asked again, so a long-lived
 * library user does not trust a blob deleted since.
 *
 * Also remembered: repositories a tag list found missing (`NAME_UNKNOWN`).
 * Until this process puts a blob there, a small blob cannot be in such a
 * repository: it is uploaded without asking (a first sync into a new
 * repository asked for every config and thin layer in vain).
 *
 * @module
 */
import type { Digest } from "../../core/types.ts";

/** How long a confirmation is trusted without asking the registry again. */
const TRUST_MS = 5 * 60_000;

interface Sighting {
  size: number;
  at: number;
}

/** Registry domain → blob digest → repository → when and how big. */
const KNOWN = new Map<string, Map<Digest, Map<string, Sighting>>>();

/**
 * Records that `repository` on `domain` holds `digest`.
 *
 * @param domain Registry host (and port).
 * @param repository Repository path.
 * @param digest The blob.
 * @param size Its size; -1 when unknown (then never used to skip a HEAD).
 */
export function rememberBlob(
  domain: string,
  repository: string,
  digest: Digest,
  size: number,
): void {
  let blobs = KNOWN.get(domain);
  if (blobs === undefined) KNOWN.set(domain, blobs = new Map());
  let repositories = blobs.get(digest);
  if (repositories === undefined) blobs.set(digest, repositories = new Map());
  repositories.set(repository, { size, at: Date.now() });
}

/**
 * The size of `digest` in `repository` when this process confirmed it there
 * recently and knows its size.
 *
 * @param domain Registry host (and port).
 * @param repository Repository path.
 * @param digest The blob.
 * @returns Its size, or `undefined` when the registry must be asked.
 */
export function recentlyConfirmedSize(
  domain: string,
  repository: string,
  digest: Digest,
): number | undefined {
  const seen = KNOWN.get(domain)?.get(digest)?.get(repository);
  if (seen === undefined || seen.size < 0) return undefined;
  return Date.now() - seen.at <= TRUST_MS ? seen.size : undefined;
}

/**
 * Repositories of `domain` that received `digest` in this process, most
 * recent first: candidates to mount it from.
 *
 * @param domain Registry host (and port).
 * @param digest The blob.
 * @returns Repository paths.
 */
export function knownRepositories(domain: string, digest: Digest): string[] {
  const repositories = KNOWN.get(domain)?.get(digest);
  if (repositories === undefined) return [];
  return [...repositories].sort((a, b) => b[1].at - a[1].at).map(([r]) => r);
}

/** Domain → repositories a tag list found missing, and when. */
const ABSENT = new Map<string, Map<string, number>>();

/**
 * Records that `repository` on `domain` did not exist just now.
 *
 * @param domain Registry host (and port).
 * @param repository Repository path.
 */
export function rememberAbsentRepository(
  domain: string,
  repository: string,
): void {
  let repositories = ABSENT.get(domain);
  if (repositories === undefined) ABSENT.set(domain, repositories = new Map());
  repositories.set(repository, Date.now());
}

/**
 * Whether `repository` was found missing recently: blobs this process has
 * not recorded there since cannot be in it (barring another writer).
 *
 * @param domain Registry host (and port).
 * @param repository Repository path.
 * @returns Whether to skip asking the registry for a blob there.
 */
export function recentlyAbsent(domain: string, repository: string): boolean {
  const at = ABSENT.get(domain)?.get(repository);
  return at !== undefined && Date.now() - at <= TRUST_MS;
}

/** `domain/repository@digest` → the upload or mount putting it there now. */
const LANDING = new Map<string, Promise<unknown>>();

/**
 * Runs `land` (an upload's commit, or a mount) as the only one putting
 * `digest` into `repository` in this process: one under way is waited for
 * first, and when it left the blob confirmed there, `land` is skipped.
 *
 * Why: distribution rewrites a repository's link file for a blob on every
 * commit or mount of it, not atomically, and a manifest PUT that reads the
 * link meanwhile fails with "manifest blob unknown". A parallel sync of
 * tags sharing a layer committed it many times at once and hit this
 * (seen as an intermittent failure of a sync test).
 *
 * @param domain Registry host (and port).
 * @param repository Repository path.
 * @param digest The blob.
 * @param land Puts the blob there.
 * @returns `land`'s result, or `undefined` when it was skipped.
 */
export async function landOnce<T>(
  domain: string,
  repository: string,
  digest: Digest,
  land: () => Promise<T>,
): Promise<T | undefined> {
  const key = `${domain}/${repository}@${digest}`;
  for (let under = LANDING.get(key); under; under = LANDING.get(key)) {
    await under.catch(() => {});
  }
  if (recentlyConfirmedSize(domain, repository, digest) !== undefined) {
    return undefined;
  }
  const landing = land();
  LANDING.set(key, landing);
  try {
    return await landing;
  } finally {
    if (LANDING.get(key) === landing) LANDING.delete(key);
  }
}
