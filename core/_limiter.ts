/**
 * A counting semaphore for bounding concurrent transfers.
 *
 * @module
 */

/** Bounds how many tasks run at once; waiters run in FIFO order. */
export class Limiter {
  readonly #waiters: (() => void)[] = [];
  #free: number;

  /** @param slots How many tasks may run at once (at least 1). */
  constructor(slots: number) {
    this.#free = Math.max(1, Math.floor(slots));
  }

  /** Runs `task` once a slot is free, and frees the slot afterwards. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
  }
}
