/**
 * The metadata log on the real node: the shared RoutingLog contract for BufferedRoutingLog over
 * CassandraRowWriter, CassandraRowWriter's rows read back as given with the one-week TTL, and readTrace() lists a
 * request's hops in order. Each test has its own keyspace and drops it.
 */
import assert from "node:assert/strict";
import cassandra from "cassandra-driver";
import { ensureSchema } from "../src/cassandra/schema.ts";
import { BufferedRoutingLog, RowWriteError } from "../src/routing/buffered_routing_log.ts";
import type { RoutingRow } from "../src/routing/routing_log.ts";
import { routingLogContract } from "../src/routing/routing_log_contract.ts";
import { forEachSample } from "../src/stats/route_tally.ts";
import {
  CassandraRowWriter,
  CassandraTallyWriter,
  tallyGroupOf,
} from "../src/cassandra/cassandra_row_writer.ts";
import { RouteTallyBuffer } from "../src/stats/route_tally_buffer.ts";
import { formatTrace, readTrace } from "../src/cassandra/trace_query.ts";
import { createLogger } from "../src/logging/pino_logger.ts";
import { testCassandra, uniqueName } from "../support/services.ts";

const driverHandles = { sanitizeOps: false, sanitizeResources: false };

async function withKeyspace(fn: (client: cassandra.Client, keyspace: string) => Promise<void>) {
  const keyspace = uniqueName("t").replaceAll("-", "_");
  const client = testCassandra();
  try {
    await ensureSchema(client, keyspace, { strategy: "SimpleStrategy", replicationFactor: 1 });
    await fn(client, keyspace);
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
    await client.shutdown();
  }
}

routingLogContract("BufferedRoutingLog over CassandraRowWriter", async () => {
  const keyspace = uniqueName("t").replaceAll("-", "_");
  const client = testCassandra();
  const cleanup = async () => {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
    await client.shutdown();
  };
  try {
    await ensureSchema(client, keyspace, { strategy: "SimpleStrategy", replicationFactor: 1 });
  } catch (error) {
    await cleanup();
    throw error;
  }
  const log = new BufferedRoutingLog(new CassandraRowWriter(client, keyspace), {
    capacity: 1000,
    maxBatch: 7,
    concurrency: 2,
    logger: createLogger("silent", {}),
    reportEveryMs: 1000,
  });
  return {
    log,
    probe: {
      async rows(requestId) {
        const rows = (await client.execute(
          `SELECT request_id, routed_at, worker_name, source_topic, target_topic, route_id, success,
             processing_time_ms, reason, source_partition, source_offset
           FROM ${keyspace}.routing_metadata WHERE request_id = ?`,
          [requestId],
          { prepare: true },
        )).rows;
        return rows.map((r) => {
          const row: RoutingRow = {
            requestId: r.get("request_id"),
            workerName: r.get("worker_name"),
            sourceTopic: r.get("source_topic"),
            targetTopic: r.get("target_topic"),
            routeId: r.get("route_id"),
            success: r.get("success"),
            processingTimeMs: r.get("processing_time_ms"),
            routedAt: r.get("routed_at"),
            sourcePartition: r.get("source_partition"),
            sourceOffset: r.get("source_offset").toString(),
          };
          if (r.get("reason") !== null) row.reason = r.get("reason");
          return row;
        });
      },
      async breakStore() {
        await client.execute(`DROP TABLE ${keyspace}.routing_metadata`);
      },
    },
    async cleanup() {
      await log.close(10_000);
      await cleanup();
    },
  };
});

function hop(requestId: string, overrides: Partial<RoutingRow>): RoutingRow {
  return {
    requestId,
    workerName: "initial-publisher",
    sourceTopic: "inbox",
    targetTopic: "s1",
    routeId: "to-s1",
    success: true,
    processingTimeMs: 1.25,
    routedAt: new Date("2026-11-25T10:00:00.000Z"),
    sourcePartition: 3,
    sourceOffset: "9007199254740993",
    ...overrides,
  };
}

Deno.test({
  name: "CassandraRowWriter stores every field as given, with a TTL of one week",
  ...driverHandles,
  async fn() {
    await withKeyspace(async (client, keyspace) => {
      const id = crypto.randomUUID();
      const delivered = hop(id, { routedAt: new Date() });
      const failed = hop(id, {
        workerName: "nobody",
        targetTopic: "command-center-dlq",
        routeId: "",
        success: false,
        processingTimeMs: 0.0625,
        routedAt: new Date(delivered.routedAt.getTime() + 7),
        reason: "unknown_worker",
        sourcePartition: 0,
        sourceOffset: "0",
      });
      await new CassandraRowWriter(client, keyspace).write([delivered, failed]);

      const rows = (await client.execute(
        `SELECT request_id, routed_at, hop_id, worker_name, source_topic, target_topic, route_id, success,
           processing_time_ms, reason, source_partition, source_offset, TTL(worker_name) AS ttl
         FROM ${keyspace}.routing_metadata WHERE request_id = ?`,
        [id],
        { prepare: true },
      )).rows;
      assert.equal(rows.length, 2);
      rows.forEach((r, i) => {
        const given = [delivered, failed][i];
        const ttl = Number(r.get("ttl"));
        assert.ok(ttl > 0 && ttl <= 604_800, `TTL ${ttl}`);
        assert.deepEqual({
          requestId: r.get("request_id"),
          workerName: r.get("worker_name"),
          sourceTopic: r.get("source_topic"),
          targetTopic: r.get("target_topic"),
          routeId: r.get("route_id"),
          success: r.get("success"),
          processingTimeMs: r.get("processing_time_ms"),
          routedAt: r.get("routed_at"),
          reason: r.get("reason") ?? undefined,
          sourcePartition: r.get("source_partition"),
          sourceOffset: r.get("source_offset").toString(),
        }, { ...given, reason: given.reason });
        assert.equal(
          r.get("hop_id").getDate().getTime(),
          given.routedAt.getTime(),
          "hop_id is a timeuuid of routed_at",
        );
      });
    });
  },
});

Deno.test({
  name: "CassandraRowWriter rejects with a RowWriteError counting the rows it could not store",
  ...driverHandles,
  async fn() {
    await withKeyspace(async (client, keyspace) => {
      const writer = new CassandraRowWriter(client, keyspace);
      await client.execute(`DROP TABLE ${keyspace}.routing_metadata`);
      const id = crypto.randomUUID();
      const error = await writer.write([hop(id, {}), hop(id, {})]).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof RowWriteError, String(error));
      assert.equal(error.failedRows, 2);
      assert.match(error.message, /^2 of 2 routing_metadata rows were not written: /);
      assert.ok(!error.message.includes(id), "no row content in the error");
    });
  },
});

Deno.test({
  name: "CassandraRowWriter writing the same row twice (a retry after a timeout) stores it once",
  ...driverHandles,
  async fn() {
    await withKeyspace(async (client, keyspace) => {
      const writer = new CassandraRowWriter(client, keyspace);
      const id = crypto.randomUUID();
      const row = hop(id, { routedAt: new Date() });
      await writer.write([row]);
      await writer.write([{ ...row }]);
      const hops = await readTrace(client, keyspace, id);
      assert.equal(hops.length, 1);
    });
  },
});

Deno.test({
  name: "rows logged through BufferedRoutingLog come back from readTrace() in the order the hops happened",
  ...driverHandles,
  async fn() {
    await withKeyspace(async (client, keyspace) => {
      const log = new BufferedRoutingLog(new CassandraRowWriter(client, keyspace), {
        capacity: 100,
        maxBatch: 2,
        concurrency: 2,
        logger: createLogger("silent", {}),
        reportEveryMs: 1000,
      });
      const id = crypto.randomUUID();
      const start = Date.now();
      // Logged out of order, and two hops of different records in the same millisecond: hop_id keeps both.
      log.log(
        hop(id, { workerName: "service-1-publisher", targetTopic: "s2", routedAt: new Date(start + 50) }),
      );
      log.log(hop(id, { workerName: "initial-publisher", routedAt: new Date(start) }));
      log.log(
        hop(id, {
          workerName: "retry",
          targetTopic: "s2",
          routedAt: new Date(start + 50),
          sourceOffset: "4242",
        }),
      );
      log.log(hop(crypto.randomUUID(), { workerName: "another request" }));
      assert.deepEqual(await log.close(10_000), { written: 4, dropped: 0, failed: 0, pending: 0 });

      const hops = await readTrace(client, keyspace, id);
      assert.deepEqual(hops.map((h) => h.workerName).slice(0, 1), ["initial-publisher"]);
      assert.deepEqual(hops.map((h) => h.workerName).slice(1).sort(), ["retry", "service-1-publisher"]);
      assert.deepEqual(hops[0], {
        routedAt: new Date(start),
        workerName: "initial-publisher",
        sourceTopic: "inbox",
        targetTopic: "s1",
        routeId: "to-s1",
        success: true,
        processingTimeMs: 1.25,
      });
      assert.match(
        formatTrace(hops, id).split("\n")[0],
        /^\S+Z {2}initial-publisher {2}inbox → s1 {2}to-s1 {2}ok {2}1\.25 ms$/,
      );
      assert.deepEqual(await readTrace(client, keyspace, "never-routed"), []);
    });
  },
});

Deno.test({
  name:
    "CassandraRowWriter tallies each stored row once; a tally is one row per route and bucket, and a rewrite overwrites it",
  ...driverHandles,
  async fn() {
    await withKeyspace(async (client, keyspace) => {
      const id = crypto.randomUUID();
      const routedAt = new Date(Math.floor(Date.now() / 600_000) * 600_000 + 123_456);
      const delivered = hop(id, { routedAt });
      const failed = hop(id, {
        workerName: "nobody",
        routeId: "",
        success: false,
        reason: "unknown_worker",
        routedAt: new Date(routedAt.getTime() + 1),
        sourceOffset: "7",
      });
      const many = Array.from(
        { length: 25 },
        (_, i) =>
          hop(crypto.randomUUID(), {
            routedAt: new Date(routedAt.getTime() + 2 + i),
            sourceOffset: `${i}`,
            processingTimeMs: i,
          }),
      );
      const tallyWriter = new CassandraTallyWriter(client, keyspace);
      const written: RoutingRow[][] = [];
      const tallies = new RouteTallyBuffer({
        write: (hops) => {
          written.push([...hops]);
          return tallyWriter.write(hops);
        },
      }, { intervalMs: 60_000, maxPendingHops: 1000, maxGroupHops: 1000, groupOf: tallyGroupOf });
      const writer = new CassandraRowWriter(client, keyspace, tallies);
      const rows = [delivered, failed, ...many];
      await writer.write(rows);
      await writer.write(rows);
      await tallies.flush();
      assert.deepEqual(written.map((g) => g.length).sort((x, y) => x - y), [1, 26], "each hop tallied once");
      // The same group again (a retried tally write) overwrites its row.
      await tallyWriter.write(written.find((g) => g.length === 26)!);

      const bucket = new Date(Math.floor(routedAt.getTime() / 600_000) * 600_000);
      const select = `SELECT routed_at, tally_id, last_routed_at, hops, succeeded, samples, TTL(hops) AS ttl
        FROM ${keyspace}.route_tallies WHERE route_id = ? AND bucket = ?`;
      const routed = (await client.execute(select, ["to-s1", bucket], { prepare: true })).rows;
      assert.equal(routed.length, 1, "one tally for the route's 26 hops; the rewrite overwrote it");
      const r = routed[0];
      assert.deepEqual(
        [r.get("routed_at"), r.get("last_routed_at"), r.get("hops"), r.get("succeeded")],
        [routedAt, new Date(routedAt.getTime() + 26), 26, 26],
      );
      const samples: { routedAt: Date; success: boolean; processingTimeMs: number }[] = [];
      forEachSample(r.get("routed_at"), r.get("samples"), (s) => samples.push(s));
      assert.deepEqual(
        samples,
        [delivered, ...many].map(({ routedAt, success, processingTimeMs }) => ({
          routedAt,
          success,
          processingTimeMs,
        })),
      );
      const metadata = (await client.execute(
        `SELECT hop_id, worker_name FROM ${keyspace}.routing_metadata WHERE request_id = ?`,
        [id],
        { prepare: true },
      )).rows;
      const hopIds = new Map(metadata.map((m) => [m.get("worker_name"), m.get("hop_id").toString()]));
      assert.equal(r.get("tally_id").toString(), hopIds.get("initial-publisher"), "the first hop's id");

      const unrouted = (await client.execute(select, ["-", bucket], { prepare: true })).rows;
      assert.equal(unrouted.length, 1);
      assert.deepEqual([unrouted[0].get("hops"), unrouted[0].get("succeeded")], [1, 0]);
      assert.equal(unrouted[0].get("tally_id").toString(), hopIds.get("nobody"));
      for (const t of [...routed, ...unrouted]) {
        const ttl = Number(t.get("ttl"));
        assert.ok(ttl > 604_000 && ttl <= 604_800, `TTL ${ttl}`);
      }
    });
  },
});

Deno.test({
  name:
    "CassandraRowWriter stores rows when only route_tallies cannot be written; the tallies count the loss",
  ...driverHandles,
  async fn() {
    await withKeyspace(async (client, keyspace) => {
      const tallies = new RouteTallyBuffer(new CassandraTallyWriter(client, keyspace), {
        intervalMs: 60_000,
        maxPendingHops: 1000,
        maxGroupHops: 1000,
        groupOf: tallyGroupOf,
      });
      const writer = new CassandraRowWriter(client, keyspace, tallies);
      await client.execute(`DROP TABLE ${keyspace}.route_tallies`);
      await writer.write([hop(crypto.randomUUID(), {}), hop(crypto.randomUUID(), { routeId: "" })]);
      const counts = await tallies.close();
      assert.deepEqual(counts, { written: 0, dropped: 0, failed: 2, pending: 0 });
    });
  },
});
