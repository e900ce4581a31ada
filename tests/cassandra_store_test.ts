/**
 * The Cassandra adapters on the real node: schema, the metadata log's writer and trace, and the order store
 * contract. Each test has its own keyspace and drops it.
 */
import assert from "node:assert/strict";
import { orderStoreContract } from "../src/cassandra/order_store_contract.ts";
import { CassandraOrderStore } from "../src/cassandra/order_store.ts";
import { ensureSchema, METADATA_TTL_SECONDS } from "../src/cassandra/schema.ts";
import { BufferedRoutingLog, CassandraRowWriter, type RoutingRow } from "../src/cassandra/routing_log.ts";
import { formatTrace, readTrace } from "../src/cassandra/trace_query.ts";
import { createLogger } from "../src/log.ts";
import { testCassandra, uniqueName } from "./support/services.ts";

const replication = { strategy: "SimpleStrategy", replicationFactor: 1 } as const;

async function withKeyspace() {
  const keyspace = uniqueName("t").replaceAll("-", "_");
  const client = testCassandra();
  await client.connect();
  await ensureSchema(client, keyspace, replication);
  return {
    client,
    keyspace,
    cleanup: async () => {
      await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
      await client.shutdown();
    },
  };
}

orderStoreContract("CassandraOrderStore", async () => {
  const { client, keyspace, cleanup } = await withKeyspace();
  return { store: new CassandraOrderStore(client, keyspace), cleanup };
});

Deno.test({
  name: "ensureSchema() is idempotent and routing_metadata keeps rows one week with no payload column",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { client, keyspace, cleanup } = await withKeyspace();
    try {
      await ensureSchema(client, keyspace, replication);
      const table = (await client.execute(
        "SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
        [keyspace, "routing_metadata"],
      )).first();
      assert.equal(table.get("default_time_to_live"), METADATA_TTL_SECONDS);
      assert.equal(METADATA_TTL_SECONDS, 604_800);
      const columns = (await client.execute(
        "SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?",
        [keyspace, "routing_metadata"],
      )).rows.map((r) => r.get("column_name"));
      for (const name of ["data", "payload", "iv", "tag", "ciphertext", "value"]) {
        assert.ok(!columns.includes(name));
      }
    } finally {
      await cleanup();
    }
  },
});

Deno.test({
  name: "the metadata log writes rows that read back with a one-week TTL, and trace lists them in order",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { client, keyspace, cleanup } = await withKeyspace();
    try {
      const log = new BufferedRoutingLog(new CassandraRowWriter(client, keyspace), {
        capacity: 100,
        maxBatch: 10,
        concurrency: 2,
        logger: createLogger("silent", {}),
        reportEveryMs: 1000,
      });
      const id = crypto.randomUUID();
      const hop = (workerName: string, target: string, at: number): RoutingRow => ({
        requestId: id,
        workerName,
        sourceTopic: "inbox",
        targetTopic: target,
        routeId: `route-${workerName}`,
        success: true,
        processingTimeMs: 1.25,
        routedAt: new Date(at),
        sourcePartition: 1,
        sourceOffset: "9007199254740993",
      });
      log.log(hop("service-1-publisher", "s2", Date.now()));
      log.log(hop("initial-publisher", "s1", Date.now() - 50));
      const stats = await log.close(10_000);
      assert.deepEqual(stats, { written: 2, dropped: 0, failed: 0, pending: 0 });

      const rows = (await client.execute(
        `SELECT worker_name, source_offset, TTL(worker_name) AS ttl FROM ${keyspace}.routing_metadata WHERE request_id = ?`,
        [id],
        { prepare: true },
      )).rows;
      assert.equal(rows.length, 2);
      for (const r of rows) {
        const ttl = Number(r.get("ttl"));
        assert.ok(ttl > 604_000 && ttl <= 604_800, `TTL ${ttl}`);
        assert.equal(String(r.get("source_offset")), "9007199254740993");
      }
      const hops = await readTrace(client, keyspace, id);
      assert.deepEqual(hops.map((h) => h.workerName), ["initial-publisher", "service-1-publisher"]);
      const text = formatTrace(hops, id);
      assert.match(text, /initial-publisher {2}inbox → s1 {2}route-initial-publisher {2}ok {2}1\.25 ms/);
      assert.match(formatTrace([], id), /no hops recorded/);
    } finally {
      await cleanup();
    }
  },
});
