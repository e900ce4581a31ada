import assert from "node:assert/strict";
import { forEachSample, SAMPLE_BYTES, tallyOf } from "./route_tally.ts";
import type { StatsSample } from "./route_stats.ts";

const t0 = new Date("2026-12-01T10:00:00.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

Deno.test("tallyOf() counts the hops and keeps each one's time, outcome and processing time, in order", () => {
  const hops: StatsSample[] = [
    { routedAt: at(2), success: true, processingTimeMs: 1.25 },
    { routedAt: at(7), success: false, processingTimeMs: 0.5 },
    { routedAt: at(0), success: true, processingTimeMs: 12 },
  ];
  const tally = tallyOf(hops);
  assert.deepEqual(
    [tally.routedAt, tally.lastRoutedAt, tally.hops, tally.succeeded, tally.samples.byteLength],
    [at(2), at(7), 3, 2, 3 * SAMPLE_BYTES],
    "keyed by the first hop; the latest is the last",
  );
  const read: StatsSample[] = [];
  forEachSample(tally.routedAt, tally.samples, (s) => read.push(s));
  assert.deepEqual(read, hops, "float32 holds these times exactly");
});

Deno.test("forEachSample() reads samples that sit inside a larger buffer (as the driver hands blobs)", () => {
  const tally = tallyOf([{ routedAt: at(5), success: false, processingTimeMs: 2 }]);
  const padded = new Uint8Array(3 + tally.samples.byteLength);
  padded.set(tally.samples, 3);
  const read: StatsSample[] = [];
  forEachSample(at(5), padded.subarray(3), (s) => read.push(s));
  assert.deepEqual(read, [{ routedAt: at(5), success: false, processingTimeMs: 2 }]);
});

Deno.test("tallyOf() and forEachSample() refuse what they cannot represent", () => {
  assert.throws(() => tallyOf([]), RangeError);
  assert.throws(
    () =>
      tallyOf([
        { routedAt: at(0), success: true, processingTimeMs: 1 },
        { routedAt: at(2 ** 31), success: true, processingTimeMs: 1 },
      ]),
    /routed 2147483648 ms after/,
  );
  assert.throws(() => forEachSample(t0, new Uint8Array(SAMPLE_BYTES + 1), () => {}), /not 9 bytes per hop/);
});
