/**
 * A {@link RecordSink} whose concurrent sends share produce requests: the router's and service-1's partitions
 * are handled at once, each sending its batch, and the sends made in one tick or while a produce is in flight
 * go out as one request ({@link Coalescer}); a lone send waits for nothing. A request that fails is tried again
 * send by send, so a send that keeps failing fails only its own batch.
 *
 * @module
 */
import { Coalescer } from "../batching/coalescer.ts";
import type { OutRecord, RecordSink } from "./records.ts";

/** Sends per produce request at most. */
export const SENDS_PER_REQUEST = 16;

/** Passes sends to `inner`, several at once when they come together. */
export class CoalescingSink implements RecordSink {
  readonly #sends: Coalescer<readonly OutRecord[]>;

  constructor(inner: RecordSink) {
    this.#sends = new Coalescer((sends) => inner.send(sends.flat()), {
      maxItems: SENDS_PER_REQUEST,
      maxInFlight: 1,
      isolateAny: true,
    });
  }

  send(records: readonly OutRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return this.#sends.submit(records);
  }
}
