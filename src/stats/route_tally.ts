/**
 * A tally: the hops of one route and one stats bucket gathered over an interval (src/stats/route_tally_buffer.ts),
 * as one row of `route_tallies` instead of one row per hop. It keeps what `chain stats` needs of each hop (when
 * it was routed, whether it succeeded, its processing time) in a compact sample list, so the window's counts and
 * percentiles stay exact while the command center writes one stats row per route and interval. Pure: the
 * Cassandra writer and reader are `src/cassandra/cassandra_row_writer.ts` and `route_stats_query.ts`.
 *
 * Sample layout, 9 bytes per hop in hop order, little-endian: routed_at as milliseconds after the tally's
 * first hop (int32: a hop logged later may have been routed a little earlier), processing time in ms
 * (float32), success (uint8: 1 or 0).
 *
 * @module
 */
import type { StatsSample } from "./route_stats.ts";

/** Bytes per hop in a tally's samples. */
export const SAMPLE_BYTES = 9;

/** What one `route_tallies` row holds, before the route and bucket that key it. */
export interface Tally {
  /** The first hop's routed_at (the row's clustering key, so the same hops always make the same key). */
  routedAt: Date;
  /** The latest hop's routed_at. */
  lastRoutedAt: Date;
  hops: number;
  succeeded: number;
  /** {@link SAMPLE_BYTES} per hop. */
  samples: Uint8Array;
}

/**
 * The tally of `hops` (at least one, all of one route and bucket, so well within 2^31 ms of each other), their
 * order kept.
 *
 * @throws {RangeError} for no hops, or a hop 2^31 ms or more from the first
 */
export function tallyOf(hops: readonly StatsSample[]): Tally {
  if (hops.length === 0) throw new RangeError("a tally needs at least one hop");
  const first = hops[0].routedAt.getTime();
  const samples = new Uint8Array(hops.length * SAMPLE_BYTES);
  const view = new DataView(samples.buffer);
  let succeeded = 0;
  let last = first;
  for (let i = 0; i < hops.length; i++) {
    const { routedAt, success, processingTimeMs } = hops[i];
    const offset = routedAt.getTime() - first;
    if (!(offset >= -0x8000_0000 && offset <= 0x7fff_ffff)) {
      throw new RangeError(`hop ${i} was routed ${offset} ms after the tally's first hop`);
    }
    view.setInt32(i * SAMPLE_BYTES, offset, true);
    view.setFloat32(i * SAMPLE_BYTES + 4, processingTimeMs, true);
    view.setUint8(i * SAMPLE_BYTES + 8, success ? 1 : 0);
    if (success) succeeded++;
    last = Math.max(last, routedAt.getTime());
  }
  return { routedAt: hops[0].routedAt, lastRoutedAt: new Date(last), hops: hops.length, succeeded, samples };
}

/**
 * Calls `each` with every hop of a tally whose first hop was routed at `routedAt`.
 *
 * @throws {RangeError} when `samples` is not a whole number of hops
 */
export function forEachSample(
  routedAt: Date,
  samples: Uint8Array,
  each: (sample: StatsSample) => void,
): void {
  if (samples.byteLength % SAMPLE_BYTES !== 0) {
    throw new RangeError(
      `tally samples of ${samples.byteLength} bytes are not ${SAMPLE_BYTES} bytes per hop`,
    );
  }
  const view = new DataView(samples.buffer, samples.byteOffset, samples.byteLength);
  const first = routedAt.getTime();
  for (let at = 0; at < samples.byteLength; at += SAMPLE_BYTES) {
    each({
      routedAt: new Date(first + view.getInt32(at, true)),
      processingTimeMs: view.getFloat32(at + 4, true),
      success: view.getUint8(at + 8) === 1,
    });
  }
}
