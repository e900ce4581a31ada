/**
 * The envelopes the throughput runs preload: generated orders (a fixed seed), each sealed by the initial
 * publisher under the run's key, as the bytes the publisher would send.
 *
 * @module
 */
import { encodeEnvelope, sealEnvelope } from "../../src/envelope/envelope.ts";
import { generateOrder } from "../../src/order/order.ts";
import { seededRandom } from "../../src/order/seeded_random.ts";

/** `count` sealed, encoded envelopes of valid orders, each with a new request_id. */
export async function sealedEnvelopes(cryptoKey: CryptoKey, count: number): Promise<Uint8Array[]> {
  const random = seededRandom(7);
  const out: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const order = generateOrder(random, { invalidAmount: false, index });
    out.push(encodeEnvelope(await sealEnvelope(cryptoKey, crypto.randomUUID(), "initial-publisher", order)));
  }
  return out;
}
