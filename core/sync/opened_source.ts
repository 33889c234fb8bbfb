/**
 * Hands a source that sync's presence check already opened (and whose
 * manifest it read) to the copy, instead of the copy opening the image
 * again: one manifest request per copied image instead of two, and the
 * copy sees exactly the manifest the check compared. The signatures the
 * check read are kept for the copy too.
 *
 * @module
 */
import type {
  ImageReference,
  ImageSource,
  InstanceOptions,
} from "../transport.ts";
import type { Signature } from "../types.ts";

/** A reference whose first `openSource` returns an already open source. */
export interface PreopenedReference {
  /** Behaves as the wrapped reference. */
  reference: ImageReference;
  /** Closes the open source unless a copy took it (which then closes it). */
  release(): Promise<void>;
}

/**
 * Wraps `reference` so that its first `openSource` returns `source`.
 *
 * @param reference The source image.
 * @param source A source opened from it.
 * @returns The wrapper, and how to close `source` if it is never taken.
 */
export function withOpenedSource(
  reference: ImageReference,
  source: ImageSource,
): PreopenedReference {
  let pending: ImageSource | undefined = source;
  const wrapped = overriding(reference, {
    openSource: (options) => {
      const taken = pending;
      pending = undefined;
      return taken ? Promise.resolve(taken) : reference.openSource(options);
    },
  });
  return {
    reference: wrapped,
    release: async () => {
      const left = pending;
      pending = undefined;
      await left?.close();
    },
  };
}

/**
 * Wraps a source so that its signatures are read once per instance (a
 * lookaside store is files or HTTP requests per read).
 *
 * @param source An open source.
 * @returns The same source, remembering what `getSignatures` returned.
 */
export function rememberingSignatures(source: ImageSource): ImageSource {
  const get = source.getSignatures?.bind(source);
  if (!get) return source;
  const read = new Map<string, Promise<Signature[]>>();
  const getSignatures = (options?: InstanceOptions): Promise<Signature[]> => {
    const key = options?.instance ?? "";
    let result = read.get(key);
    if (result === undefined) {
      result = get(options);
      // A failure is not kept: the next caller asks again.
      result.catch(() => read.delete(key));
      read.set(key, result);
    }
    return result;
  };
  return overriding(source, { getSignatures });
}

/**
 * `target` with some members replaced; every other member is the target's
 * own, methods bound to it (transports keep state in private fields).
 */
function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof T];
      const value = Reflect.get(object, key, object);
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}
