/**
 * Fewer, fuller requests without waiting at low load: calls made while earlier requests of the same kind are in
 * flight (and calls made in the same tick) go out together as one request. With nothing in flight a call goes
 * out at the end of its tick, alone, so a lone order waits for no company; under load each request carries what
 * gathered during the one before it, as Nagle's algorithm and Kafka's producer batches do. Groups hold at most
 * `maxItems` items; `maxInFlight` requests run at once.
 *
 * A group that fails with an error the retry policy calls permanent (or any error, with `isolateAny`) is tried
 * again item by item, so one bad item (a statement the server refuses) fails alone, not the orders that
 * happened to share its request.
 *
 * @module
 */
import { isRetriable } from "../failure/retry_policy.ts";

/** How a {@link Coalescer} groups. */
export interface CoalescerOptions {
  /** Items per request at most. */
  maxItems: number;
  /** Requests at once at most. */
  maxInFlight: number;
  /**
   * Try a failed group item by item whatever the error (default: only a permanent one): for callers that retry
   * whatever the error, so that one item that keeps failing cannot hold up the others.
   */
  isolateAny?: boolean;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/** Sends items in groups through `send`; each caller gets the result of the request its item went in. */
export class Coalescer<T, R = void> {
  readonly #send: (items: T[]) => Promise<R>;
  readonly #options: CoalescerOptions;
  #waiting: Waiting<T, R>[] = [];
  #inFlight = 0;
  #scheduled = false;
  /** Requests sent so far (for tests and figures). */
  requests = 0;

  constructor(send: (items: T[]) => Promise<R>, options: CoalescerOptions) {
    if (!(options.maxItems >= 1 && options.maxInFlight >= 1)) {
      throw new RangeError(
        `Coalescer: maxItems and maxInFlight must be at least 1, got ${JSON.stringify(options)}`,
      );
    }
    this.#send = send;
    this.#options = options;
  }

  /** Sends `item` with whatever else is waiting; resolves with that request's result. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (this.#waiting.length >= this.#options.maxItems) this.#pump();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        queueMicrotask(() => {
          this.#scheduled = false;
          this.#pump();
        });
      }
    });
  }

  #pump(): void {
    while (this.#waiting.length > 0 && this.#inFlight < this.#options.maxInFlight) {
      const group = this.#waiting.splice(0, this.#options.maxItems);
      this.#inFlight++;
      this.#run(group).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #run(group: Waiting<T, R>[]): Promise<void> {
    try {
      const result = await this.#request(group.map((w) => w.item));
      for (const w of group) w.resolve(result);
    } catch (error) {
      if (group.length === 1 || (isRetriable(error) && !this.#options.isolateAny)) {
        for (const w of group) w.reject(error);
        return;
      }
      // Permanent: find the item that is, each on its own.
      await Promise.all(group.map(async (w) => {
        try {
          w.resolve(await this.#request([w.item]));
        } catch (alone) {
          w.reject(alone);
        }
      }));
    }
  }

  #request(items: T[]): Promise<R> {
    this.requests++;
    try {
      return this.#send(items);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
