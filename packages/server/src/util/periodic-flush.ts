/**
 * The timer and ordering behind a write-behind buffer (API key usage times, token exchange audit events): while
 * anything waits, `write` runs every `intervalMs`, one run at a time in call order, and once more on `stop`.
 * The timer is unref'd, so a buffer never keeps a process alive; what a crash loses is at most one interval.
 */
export class PeriodicFlush {
  readonly #intervalMs: number;
  readonly #write: () => Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(intervalMs: number, write: () => Promise<void>) {
    this.#intervalMs = intervalMs;
    this.#write = write;
  }

  /** Starts the interval if it is not running (call after buffering something). */
  schedule(): void {
    this.#timer ??= setInterval(() => void this.flush(), this.#intervalMs).unref();
  }

  /** Runs `write` after every earlier run has finished. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(this.#write);
    return this.#flushing;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
