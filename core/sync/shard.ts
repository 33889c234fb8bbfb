/**
 * `sync --shard I/N`: a deterministic partition of the image list, so N
 * machines (a Kubernetes Indexed Job, a CI matrix) each copy their part
 * with no coordination. An image belongs to shard `fnv1a32(name) mod N`,
 * where `name` is its fully qualified source reference as sync logs it
 * (`docker://registry.example.com/app:1.0`): stable across runs, machines
 * and tag-list order.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** One part of a partition: `index` in `[0, count)`. */
export interface Shard {
  /** Which part (0-based, as `JOB_COMPLETION_INDEX`). */
  index: number;
  /** How many parts. */
  count: number;
}

/**
 * Parses `I/N`.
 *
 * @example
 * ```ts
 * import { parseShard } from "./shard.ts";
 * console.assert(parseShard("2/5").index === 2);
 * ```
 *
 * @throws {UsageError} Unless `0 <= I < N`.
 */
export function parseShard(text: string): Shard {
  const match = /^([0-9]+)\/([0-9]+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !(count >= 1) || !(index < count)) {
    throw new UsageError(
      `invalid --shard "${text}": expected I/N with 0 <= I < N, e.g. 0/4`,
    );
  }
  return { index, count };
}

/** FNV-1a, 32 bits, over the UTF-8 bytes: tiny, stable, well spread. */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Which shard an image belongs to.
 *
 * @example
 * ```ts
 * import { shardOf } from "./shard.ts";
 * const i = shardOf("docker://registry.example.com/app:1.0", 4);
 * console.assert(i >= 0 && i < 4);
 * ```
 *
 * @param name The fully qualified source reference.
 * @param count How many shards.
 * @returns The shard index.
 */
export function shardOf(name: string, count: number): number {
  return fnv1a32(name) % count;
}
