/**
 * `chain stats`' arithmetic, with no I/O: the `--since` duration, the time buckets a window covers, and per route
 * the count, success rate and p50/p99 processing time of the hops in the window, plus the rows still inside
 * their TTL and when the oldest of them expires. The rows come from `src/cassandra/route_stats_query.ts`.
 *
 * @module
 */

/** One hop as `chain stats` reads it from a tally of `route_tallies` (src/stats/route_tally.ts). */
export interface StatsSample {
  routedAt: Date;
  success: boolean;
  processingTimeMs: number;
}

/** The hops of one route inside the `--since` window. */
export interface WindowStats {
  count: number;
  succeeded: number;
  failed: number;
  /** succeeded / count, 0..1; null when there is no hop. */
  successRate: number | null;
  /** Nearest-rank percentiles of processing_time_ms; null when there is no hop. */
  p50Ms: number | null;
  p99Ms: number | null;
}

/** The rows of one route still inside their TTL. */
export interface RetentionStats {
  rows: number;
  /** routed_at of the oldest row; absent when there is none. */
  oldestRoutedAt?: Date;
  /** When that row expires. */
  oldestExpiresAt?: Date;
}

/** One route's line of `chain stats`. */
export interface RouteStats {
  routeId: string;
  window: WindowStats;
  retention: RetentionStats;
}

const DURATION = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses `90s`, `15m`, `2h` or `1d` into milliseconds, from 1 s up to `maxMs`.
 *
 * @throws {RangeError} when the text is not a whole number and a unit, or is out of range
 */
export function parseDuration(text: string, maxMs: number): number {
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new RangeError(`must be a whole number and a unit (s, m, h, d), such as 15m, got "${text}"`);
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms < 1_000 || ms > maxMs) {
    throw new RangeError(`must be from 1s to ${maxMs / 86_400_000}d, got "${text}"`);
  }
  return ms;
}

/** The start of the bucket of width `widthMs` that holds `ms` (buckets start at multiples of the width). */
export function bucketStart(ms: number, widthMs: number): number {
  return ms - (((ms % widthMs) + widthMs) % widthMs);
}

/** The starts of every bucket of width `widthMs` that overlaps [fromMs, toMs], oldest first. */
export function bucketStarts(fromMs: number, toMs: number, widthMs: number): Date[] {
  const starts: Date[] = [];
  for (let start = bucketStart(fromMs, widthMs); start <= toMs; start += widthMs) {
    starts.push(new Date(start));
  }
  return starts;
}

/**
 * The nearest-rank `q`-quantile (0 < q ≤ 1) of values sorted ascending: the smallest value with at least
 * q × n values at or below it, so always one of the values. Null for no values.
 */
export function percentile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

/** Collects the hops of one route in the window, one at a time (rows arrive page by page). */
export class WindowAccumulator {
  #times = new Float64Array(1024);
  #count = 0;
  #succeeded = 0;

  add(sample: StatsSample): void {
    if (this.#count === this.#times.length) {
      const grown = new Float64Array(this.#times.length * 2);
      grown.set(this.#times);
      this.#times = grown;
    }
    this.#times[this.#count++] = sample.processingTimeMs;
    if (sample.success) this.#succeeded++;
  }

  result(): WindowStats {
    const sorted = this.#times.slice(0, this.#count).sort();
    const count = this.#count;
    return {
      count,
      succeeded: this.#succeeded,
      failed: count - this.#succeeded,
      successRate: count === 0 ? null : this.#succeeded / count,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
    };
  }
}

/** {@link WindowAccumulator} over a whole list. */
export function windowStats(samples: Iterable<StatsSample>): WindowStats {
  const accumulator = new WindowAccumulator();
  for (const sample of samples) accumulator.add(sample);
  return accumulator.result();
}

/**
 * The retention figures of one route from its rows counted per bucket and its oldest row: the expiry is now plus
 * the row's remaining TTL when Cassandra reported it (`TTL(col)`: a row written late, after an outage, lives
 * from its write), else `routed_at` plus the table's TTL.
 */
export function retentionStats(
  rowsPerBucket: readonly number[],
  oldest: { routedAt: Date; ttlSeconds: number | null } | undefined,
  ttlSeconds: number,
  now: Date,
): RetentionStats {
  const rows = rowsPerBucket.reduce((sum, n) => sum + n, 0);
  if (rows === 0 || oldest === undefined) return { rows };
  const expiresAt = oldest.ttlSeconds === null
    ? new Date(oldest.routedAt.getTime() + ttlSeconds * 1000)
    : new Date(now.getTime() + oldest.ttlSeconds * 1000);
  return { rows, oldestRoutedAt: oldest.routedAt, oldestExpiresAt: expiresAt };
}
