/**
 * How long the primary waits before replacing a crashed worker: immediately after a worker that ran a while,
 * doubling (up to a cap) while workers keep dying young, so a crash loop (bad config, database down at start)
 * does not spin the CPU. Too many young deaths before any worker ever served means it will not start at all.
 */
export interface BackoffOptions {
  readonly baseMs?: number;
  readonly maxMs?: number;
  /** A worker that lived at least this long counts as healthy and resets the backoff. */
  readonly healthyAfterMs?: number;
  /** Give up after this many consecutive young deaths when no worker has ever listened. */
  readonly maxStartFailures?: number;
}

export class RestartBackoff {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #healthyAfterMs: number;
  readonly #maxStartFailures: number;
  #consecutive = 0;
  #everListened = false;

  constructor(options: BackoffOptions = {}) {
    this.#baseMs = options.baseMs ?? 100;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#healthyAfterMs = options.healthyAfterMs ?? 10_000;
    this.#maxStartFailures = options.maxStartFailures ?? 5;
  }

  listened(): void {
    this.#everListened = true;
  }

  /** The delay before the next restart, or `undefined` to give up. */
  next(livedMs: number): number | undefined {
    if (livedMs >= this.#healthyAfterMs) this.#consecutive = 0;
    this.#consecutive += 1;
    if (!this.#everListened && this.#consecutive >= this.#maxStartFailures) return undefined;
    if (this.#consecutive === 1) return 0;
    return Math.min(this.#maxMs, this.#baseMs * 2 ** (this.#consecutive - 2));
  }
}
