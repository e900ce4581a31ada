/**
 * Watches a scenario's progress: polls the count of stored orders every 250 ms and measures the stall, the
 * longest interval after the fault with no new completed order while orders were outstanding (published and not
 * completed). A poll that fails (Cassandra away) sees no progress.
 *
 * @module
 */
import type { OrderStream } from "./order_stream.ts";
import { sleep } from "./timing.ts";

const pollMs = 250;

/** Polls until stopped. */
export class ProgressMonitor {
  readonly #stream: OrderStream;
  #completed = 0;
  #faultAt: number | undefined;
  #lastProgressAt = 0;
  #stallMs = 0;
  #running = true;
  readonly #loop: Promise<void>;

  constructor(stream: OrderStream) {
    this.#stream = stream;
    this.#loop = this.#poll();
  }

  /** Orders stored, at the last successful poll. */
  get completed(): number {
    return this.#completed;
  }

  /** The longest stall after the fault so far, in seconds. */
  get stallSeconds(): number {
    return this.#stallMs / 1000;
  }

  /** Starts measuring stalls from now. */
  markFault(): void {
    this.#faultAt = performance.now();
    this.#lastProgressAt = this.#faultAt;
  }

  async #poll(): Promise<void> {
    while (this.#running) {
      const started = performance.now();
      try {
        const n = await this.#stream.storedCount();
        if (n > this.#completed) {
          this.#completed = n;
          this.#lastProgressAt = performance.now();
        }
      } catch {
        // Cassandra is away: no progress seen.
      }
      const now = performance.now();
      if (this.#faultAt !== undefined) {
        const outstanding = this.#stream.published().length - this.#completed;
        if (outstanding > 0) this.#stallMs = Math.max(this.#stallMs, now - this.#lastProgressAt);
        else this.#lastProgressAt = now;
      }
      await sleep(Math.max(0, pollMs - (now - started)));
    }
  }

  /**
   * Waits until every published order is stored and the publisher and the fault are done, or `deadline`
   * (a performance.now() value) passes; resolves with whether all came through.
   */
  async untilDone(deadline: () => number, publisherDone: () => boolean): Promise<boolean> {
    while (performance.now() < deadline()) {
      if (publisherDone() && this.#completed >= this.#stream.published().length) return true;
      await sleep(pollMs);
    }
    return false;
  }

  /** Stops polling. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }
}
