/**
 * Part 4, crypto: microseconds per encrypt+decrypt of a ~1 KB order under the run's key, one at a time and 64
 * at once.
 *
 * @module
 */
import { openEnvelope, sealEnvelope } from "../../src/envelope/envelope.ts";
import { generateOrder } from "../../src/order/order.ts";
import { seededRandom } from "../../src/order/seeded_random.ts";

/** The order's JSON size and µs per operation. */
export interface CryptoResult {
  size: number;
  sequential: number;
  concurrent: number;
}

/** Seals and opens one envelope `ops` times sequentially, then `ops` times in groups of 64 (after a warm-up). */
export async function cryptoRun(cryptoKey: CryptoKey, ops: number): Promise<CryptoResult> {
  const random = seededRandom(5);
  const order = {
    ...generateOrder(random, { invalidAmount: false, index: 1 }),
    note: "x".repeat(700), // pads the order to about 1 KB of JSON
  };
  const size = JSON.stringify(order).length;
  const id = crypto.randomUUID();
  const once = async () =>
    openEnvelope(cryptoKey, await sealEnvelope(cryptoKey, id, "initial-publisher", order));
  for (let i = 0; i < 200; i++) await once(); // warm up
  let started = performance.now();
  for (let i = 0; i < ops; i++) await once();
  const sequential = ((performance.now() - started) * 1000) / ops;
  started = performance.now();
  for (let i = 0; i < ops; i += 64) await Promise.all(Array.from({ length: 64 }, once));
  const concurrent = ((performance.now() - started) * 1000) / ops;
  return { size, sequential, concurrent };
}
