/**
 * `chain stats` on the real node: known rows written through CassandraRowWriter (so into routing_metadata and
 * route_tallies), then `main(["stats", …])` run in-process reads them back per route. Each test has its own
 * keyspace and routes file and drops them.
 */
import assert from "node:assert/strict";
import { runMain as run } from "../support/in_process.ts";
import { ensureSchema, METADATA_TTL_SECONDS } from "../src/cassandra/schema.ts";
import {
  CassandraRowWriter,
  CassandraTallyWriter,
  tallyGroupOf,
} from "../src/cassandra/cassandra_row_writer.ts";
import { RouteTallyBuffer } from "../src/stats/route_tally_buffer.ts";
import type { RoutingRow } from "../src/routing/routing_log.ts";
import { serviceEnv, testCassandra, uniqueName } from "../support/services.ts";

const driverHandles = { sanitizeOps: false, sanitizeResources: false };

const routes = {
  routes: {
    "worker-a": { targetTopic: "topic-a", enabled: true, routeId: "route-a" },
    "worker-b": { targetTopic: "topic-b", enabled: true, routeId: "route-b" },
    "worker-c": { targetTopic: "topic-c", enabled: true, routeId: "route-c" },
  },
};

let offset = 0;
function row(routeId: string, processingTimeMs: number, success: boolean, routedAt: Date): RoutingRow {
  const r: RoutingRow = {
    requestId: crypto.randomUUID(),
    workerName: routeId === "" ? "nobody" : `worker-${routeId.at(-1)}`,
    sourceTopic: "inbox",
    targetTopic: routeId === "" ? "dlq" : `topic-${routeId.at(-1)}`,
    routeId,
    success,
    processingTimeMs,
    routedAt,
    sourcePartition: 0,
    sourceOffset: String(offset++),
  };
  if (!success) r.reason = routeId === "" ? "unknown_worker" : "route_disabled";
  return r;
}

interface JsonRoute {
  routeId: string;
  count: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  keptRows: number;
  oldestRoutedAt: string | null;
  oldestExpiresAt: string | null;
}

Deno.test({
  name:
    "chain stats reports per route the hops of the window, their success rate and percentiles, and kept rows",
  ...driverHandles,
  async fn() {
    const keyspace = uniqueName("stats").replaceAll("-", "_");
    const routesFile = await Deno.makeTempFile({ suffix: ".json" });
    await Deno.writeTextFile(routesFile, JSON.stringify(routes));
    const env = {
      ...serviceEnv(),
      CASSANDRA_KEYSPACE: keyspace,
      ROUTES_FILE: routesFile,
      LOG_LEVEL: "silent",
    };
    const client = testCassandra();
    try {
      await ensureSchema(client, keyspace, { strategy: "SimpleStrategy", replicationFactor: 1 });
      const now = Date.now();
      const recent = (i: number) => new Date(now - 60_000 + i * 100);
      // route-a: 30 hops in the last minute, 1..30 ms, 3 failed; one more two hours ago (kept, not in the window).
      const a = Array.from({ length: 30 }, (_, i) => row("route-a", i + 1, i % 10 !== 9, recent(i)));
      const oldA = row("route-a", 500, true, new Date(now - 2 * 3_600_000));
      // route-b: 10 hops, 100..190 ms, all delivered; two hops with no route (unknown worker) under "-".
      const b = Array.from({ length: 10 }, (_, i) => row("route-b", 100 + 10 * i, true, recent(i)));
      const none = [row("", 0.5, false, recent(1)), row("", 0.25, false, recent(2))];
      const tallies = new RouteTallyBuffer(new CassandraTallyWriter(client, keyspace), {
        intervalMs: 60_000,
        maxPendingHops: 1000,
        maxGroupHops: 1000,
        groupOf: tallyGroupOf,
      });
      const writer = new CassandraRowWriter(client, keyspace, tallies);
      // Interleaved, and written twice (a retry is the same write again): every hop is tallied once. Tallies of
      // two intervals are rows of their own, each counted.
      const all = [...a, oldA, ...b, ...none].sort(() => Math.random() - 0.5);
      const [first, later] = [all.slice(0, 17), all.slice(17)];
      await writer.write(first);
      await writer.write(first);
      await tallies.flush();
      await writer.write(later);
      await tallies.close();

      const json = await run(["stats", "--json"], env);
      assert.equal(json.code, 0, json.stderr);
      const report = JSON.parse(json.stdout) as { sinceMs: number; ttlSeconds: number; routes: JsonRoute[] };
      assert.equal(report.sinceMs, 15 * 60_000);
      assert.equal(report.ttlSeconds, METADATA_TTL_SECONDS);
      const byRoute = new Map(report.routes.map((r) => [r.routeId, r]));
      assert.deepEqual([...byRoute.keys()], ["route-a", "route-b", "route-c", "-"]);

      const ra = byRoute.get("route-a")!;
      assert.deepEqual(
        { count: ra.count, succeeded: ra.succeeded, failed: ra.failed, successRate: ra.successRate },
        { count: 30, succeeded: 27, failed: 3, successRate: 0.9 },
      );
      assert.equal(ra.p50Ms, 15);
      assert.equal(ra.p99Ms, 30);
      assert.equal(ra.keptRows, 31, "the old hop is still inside its TTL");
      assert.equal(ra.oldestRoutedAt, oldA.routedAt.toISOString());
      const expires = Date.parse(ra.oldestExpiresAt!);
      // Written just now, so it expires a week from its write (within the test's run time).
      assert.ok(
        expires > now + METADATA_TTL_SECONDS * 1000 - 120_000 &&
          expires <= Date.now() + METADATA_TTL_SECONDS * 1000,
        ra.oldestExpiresAt!,
      );

      const rb = byRoute.get("route-b")!;
      assert.deepEqual(
        { count: rb.count, failed: rb.failed, successRate: rb.successRate, keptRows: rb.keptRows },
        { count: 10, failed: 0, successRate: 1, keptRows: 10 },
      );
      assert.ok(rb.p50Ms! >= 100 && rb.p50Ms! <= 190 && rb.p99Ms! >= rb.p50Ms! && rb.p99Ms! <= 190);
      assert.equal(rb.p99Ms, 190);

      const rc = byRoute.get("route-c")!;
      assert.deepEqual(
        { count: rc.count, successRate: rc.successRate, p50Ms: rc.p50Ms, keptRows: rc.keptRows },
        { count: 0, successRate: null, p50Ms: null, keptRows: 0 },
      );
      const dash = byRoute.get("-")!;
      assert.deepEqual(
        { count: dash.count, failed: dash.failed, successRate: dash.successRate, keptRows: dash.keptRows },
        { count: 2, failed: 2, successRate: 0, keptRows: 2 },
      );

      // A window of 3 hours takes in route-a's old hop; --route keeps one line.
      const wide = await run(["stats", "--since", "3h", "--route", "route-a", "--json"], env);
      assert.equal(wide.code, 0, wide.stderr);
      const [only] = (JSON.parse(wide.stdout) as { routes: JsonRoute[] }).routes;
      assert.equal(only.routeId, "route-a");
      assert.equal(only.count, 31);
      assert.equal(only.p99Ms, 500);

      // The table: a header, the column names, one line per route.
      const table = await run(["stats", "--route", "route-a"], { ...env, STATS_SINCE: "15m" });
      assert.equal(table.code, 0, table.stderr);
      const lines = table.stdout.trimEnd().split("\n");
      assert.equal(lines.length, 3, table.stdout);
      assert.match(lines[0], /^hops of the last 15m, until \S+Z; rows are kept 7d$/);
      assert.match(lines[2], /^route-a +30 +90\.0 % +15\.00 +30\.00 +31 +\S+Z$/);
    } finally {
      await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
      await client.shutdown();
      await Deno.remove(routesFile);
    }
  },
});

Deno.test("chain stats refuses a bad --since or --route with one line and exit code 2, before connecting", async () => {
  for (
    const [args, message] of [
      [["stats", "--since", "15"], /^chain: --since \/ STATS_SINCE: must be a whole number and a unit/],
      [["stats", "--since", "8d"], /^chain: --since \/ STATS_SINCE: must be from 1s to 7d, got "8d"/],
      [["stats", "--route", "a b"], /^chain: --route \/ STATS_ROUTE must be a route id/],
      [["stats", "extra"], /^chain: usage: chain stats/],
    ] as const
  ) {
    const result = await run([...args], { CASSANDRA_CONTACT_POINTS: "127.0.0.1:1" });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.equal(result.stdout, "");
  }
});
