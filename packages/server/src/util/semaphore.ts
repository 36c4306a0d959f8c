/**
 * At most `limit` holders at once; the others wait in arrival order. Used to bound work whose memory is
 * proportional to how many run together (argon2id: 19 MiB each).
 */
export class Semaphore {
  readonly #limit: number;
  readonly #waiting: Array<() => void> = [];
  #active = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('a semaphore needs a limit of at least 1');
    this.#limit = limit;
  }

  /** Runs `task` once a place is free and releases the place when it settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active++;
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next(); // the place passes straight to the next waiter
      else this.#active--;
    }
  }
}
