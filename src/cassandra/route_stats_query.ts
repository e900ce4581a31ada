/**
 * Reading `chain stats`' figures from `route_tallies`, partition by partition: for each route, the tallies of
 * the buckets that cover the `--since` window (read page by page; each hop of a tally counted when its own
 * routed_at is in the window), and a server-side `SUM(hops)` of each bucket of the last TTL (7 days: 1,009
 * ten-minute buckets) for the hops still kept. Every query names its whole partition key, so the cost grows
 * with routes × buckets and the tallies of the window, never with the rest of the table.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import { METADATA_TTL_SECONDS, ROUTE_BUCKET_MS } from "./schema.ts";
import { bucketStarts, retentionStats, type RouteStats, WindowAccumulator } from "../stats/route_stats.ts";
import { forEachSample } from "../stats/route_tally.ts";

/** Queries in flight at once for one `chain stats`. */
const CONCURRENCY = 16;
/** Tallies per page when reading a window. */
const FETCH_SIZE = 1_000;

/**
 * The stats of each route key in `routeKeys` (route ids, and `-` for hops without a route), in that order, for
 * the window of `sinceMs` before `now`.
 */
export async function readRouteStats(
  client: cassandra.Client,
  keyspace: string,
  routeKeys: readonly string[],
  sinceMs: number,
  now: Date = new Date(),
): Promise<RouteStats[]> {
  try {
    return await readAll(client, keyspace, routeKeys, sinceMs, now);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/route_tallies/.test(message) && /does not exist|unconfigured table/i.test(message)) {
      throw new Error(
        `${message} in keyspace ${keyspace}: run chain init (or start the command center) first`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}

async function readAll(
  client: cassandra.Client,
  keyspace: string,
  routeKeys: readonly string[],
  sinceMs: number,
  now: Date,
): Promise<RouteStats[]> {
  const table = `${keyspace}.route_tallies`;
  // A tally starts at its earliest hop, so one that starts before the window may still hold hops inside it: the
  // window's buckets are read whole up to `now`, and each hop is checked.
  const windowQuery = `SELECT routed_at, samples FROM ${table}
    WHERE route_id = ? AND bucket = ? AND routed_at <= ?`;
  const countQuery = `SELECT SUM(hops) AS n FROM ${table} WHERE route_id = ? AND bucket = ?`;
  const oldestQuery =
    `SELECT routed_at, TTL(hops) AS ttl FROM ${table} WHERE route_id = ? AND bucket = ? LIMIT 1`;
  const options = { prepare: true, fetchSize: FETCH_SIZE };
  const from = new Date(now.getTime() - sinceMs);
  const windowBuckets = bucketStarts(from.getTime(), now.getTime(), ROUTE_BUCKET_MS);
  const keptBuckets = bucketStarts(
    now.getTime() - METADATA_TTL_SECONDS * 1000,
    now.getTime(),
    ROUTE_BUCKET_MS,
  );

  const stats: RouteStats[] = [];
  for (const routeId of routeKeys) {
    const accumulator = new WindowAccumulator();
    await inParallel(windowBuckets, CONCURRENCY, async (bucket) => {
      const result = await client.execute(windowQuery, [routeId, bucket, now], options);
      for await (const row of result) {
        forEachSample(row.get("routed_at"), row.get("samples"), (sample) => {
          const at = sample.routedAt.getTime();
          if (at >= from.getTime() && at <= now.getTime()) accumulator.add(sample);
        });
      }
    });
    const counts = await inParallel(keptBuckets, CONCURRENCY, async (bucket) => {
      const row = (await client.execute(countQuery, [routeId, bucket], { prepare: true })).first();
      return row ? Number(row.get("n")) : 0;
    });
    const oldestBucket = keptBuckets[counts.findIndex((n) => n > 0)];
    let oldest: { routedAt: Date; ttlSeconds: number | null } | undefined;
    if (oldestBucket !== undefined) {
      const row = (await client.execute(oldestQuery, [routeId, oldestBucket], { prepare: true })).first();
      if (row) {
        const ttl = row.get("ttl");
        oldest = { routedAt: row.get("routed_at"), ttlSeconds: ttl == null ? null : Number(ttl) };
      }
    }
    stats.push({
      routeId,
      window: accumulator.result(),
      retention: retentionStats(counts, oldest, METADATA_TTL_SECONDS, now),
    });
  }
  return stats;
}

/** Runs `work` on every item, at most `limit` at once; resolves with the results in the items' order. */
async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
