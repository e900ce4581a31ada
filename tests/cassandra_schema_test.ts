/**
 * ensureSchema() on the real node: each test has its own keyspace and drops it.
 */
import assert from "node:assert/strict";
import {
  checkKeyspaceName,
  ensureSchema,
  METADATA_TTL_SECONDS,
  schemaStatements,
} from "../src/cassandra/schema.ts";
import type { Replication } from "../src/cassandra/cassandra_client.ts";
import { testCassandra, uniqueName } from "../support/services.ts";

const replication: Replication = { strategy: "SimpleStrategy", replicationFactor: 1 };
const driverHandles = { sanitizeOps: false, sanitizeResources: false };

async function columnsOf(client: ReturnType<typeof testCassandra>, keyspace: string, table: string) {
  const result = await client.execute(
    "SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?",
    [keyspace, table],
    { prepare: true },
  );
  return result.rows.map((r) => r.get("column_name") as string).sort();
}

Deno.test({
  name: "ensureSchema() creates the keyspace and its tables, and running it again changes nothing",
  ...driverHandles,
  async fn() {
    const keyspace = uniqueName("t").replaceAll("-", "_");
    const client = testCassandra();
    try {
      await ensureSchema(client, keyspace, replication);
      await ensureSchema(client, keyspace, replication);
      const tables = (await client.execute(
        "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?",
        [keyspace],
        { prepare: true },
      )).rows.map((r) => r.get("table_name")).sort();
      assert.deepEqual(tables, [
        "dlq_replays",
        "inventory",
        "inventory_movements",
        "orders",
        "route_changes",
        "route_tallies",
        "routing_metadata",
      ]);
      assert.deepEqual(await columnsOf(client, keyspace, "inventory_movements"), [
        "moved_at",
        "quantity",
        "request_id",
        "sku",
      ]);
      const ks = (await client.execute(
        "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?",
        [keyspace],
        { prepare: true },
      )).first();
      assert.equal(ks.get("replication").replication_factor, "1");
    } finally {
      await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
      await client.shutdown();
    }
  },
});

Deno.test({
  name: "ensureSchema() from two clients at once leaves one schema and no error",
  ...driverHandles,
  async fn() {
    const keyspace = uniqueName("t").replaceAll("-", "_");
    const clients = [testCassandra(), testCassandra()];
    try {
      await Promise.all(clients.map((client) => ensureSchema(client, keyspace, replication)));
      const tables = await clients[0].execute(
        "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?",
        [keyspace],
        { prepare: true },
      );
      assert.equal(tables.rowLength, schemaStatements(keyspace, replication).length - 1);
    } finally {
      await clients[0].execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
      await Promise.all(clients.map((client) => client.shutdown()));
    }
  },
});

Deno.test({
  name: "routing_metadata keeps rows one week and has no column that could hold a payload",
  ...driverHandles,
  async fn() {
    const keyspace = uniqueName("t").replaceAll("-", "_");
    const client = testCassandra();
    try {
      await ensureSchema(client, keyspace, replication);
      const table = (await client.execute(
        "SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
        [keyspace, "routing_metadata"],
        { prepare: true },
      )).first();
      assert.equal(table.get("default_time_to_live"), 604_800);
      assert.equal(METADATA_TTL_SECONDS, 604_800);
      const columns = await columnsOf(client, keyspace, "routing_metadata");
      assert.deepEqual(columns, [
        "hop_id",
        "processing_time_ms",
        "reason",
        "request_id",
        "route_id",
        "routed_at",
        "source_offset",
        "source_partition",
        "source_topic",
        "success",
        "target_topic",
        "trace_id",
        "worker_name",
      ]);
      for (const column of columns) {
        assert.doesNotMatch(column, /data|payload|^iv$|_iv$|tag|cipher|plain|key|body|value/, column);
      }
    } finally {
      await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
      await client.shutdown();
    }
  },
});

Deno.test({
  name: "route_tallies is keyed by (route_id, bucket), keeps rows one week and has no payload column either",
  ...driverHandles,
  async fn() {
    const keyspace = uniqueName("t").replaceAll("-", "_");
    const client = testCassandra();
    try {
      await ensureSchema(client, keyspace, replication);
      const table = (await client.execute(
        "SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
        [keyspace, "route_tallies"],
        { prepare: true },
      )).first();
      assert.equal(table.get("default_time_to_live"), METADATA_TTL_SECONDS);
      const kinds = (await client.execute(
        "SELECT column_name, kind, position FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?",
        [keyspace, "route_tallies"],
        { prepare: true },
      )).rows.map((r) => `${r.get("kind")}:${r.get("position")}:${r.get("column_name")}`).sort();
      assert.deepEqual(kinds, [
        "clustering:0:routed_at",
        "clustering:1:tally_id",
        "partition_key:0:route_id",
        "partition_key:1:bucket",
        "regular:-1:hops",
        "regular:-1:last_routed_at",
        "regular:-1:samples",
        "regular:-1:succeeded",
      ]);
      for (const column of kinds.map((k) => k.split(":")[2])) {
        assert.doesNotMatch(column, /data|payload|^iv$|_iv$|tag|cipher|plain|key|body|value/, column);
      }
    } finally {
      await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
      await client.shutdown();
    }
  },
});

Deno.test("ensureSchema() refuses a keyspace name that is not plain lower-case CQL before sending anything", async () => {
  const client = testCassandra();
  try {
    for (const bad of ["Chain", "1chain", "chain-x", "chain;DROP", "", "a".repeat(49)]) {
      await assert.rejects(ensureSchema(client, bad, replication), RangeError, bad);
      assert.throws(() => checkKeyspaceName(bad), RangeError);
    }
    assert.equal(checkKeyspaceName("a".repeat(48)), "a".repeat(48));
    assert.match(schemaStatements("chain", replication)[0], /^CREATE KEYSPACE IF NOT EXISTS chain WITH/);
    for (const statement of schemaStatements("chain", replication).slice(1)) {
      assert.match(statement, /^CREATE TABLE IF NOT EXISTS chain\./);
    }
  } finally {
    await client.shutdown();
  }
});

Deno.test({
  name: "ensureSchema() adds trace_id to a routing_metadata table made before it existed, keeping its rows",
  ...driverHandles,
  async fn() {
    const keyspace = uniqueName("t").replaceAll("-", "_");
    const client = testCassandra();
    await client.connect();
    try {
      await client.execute(schemaStatements(keyspace, replication)[0]);
      // The table as chain made it before trace ids: the same CQL without the trace_id column.
      const old = schemaStatements(keyspace, replication)[1].replace("  trace_id text,\n", "");
      assert.ok(!old.includes("trace_id"));
      await client.execute(old);
      await client.execute(
        `INSERT INTO ${keyspace}.routing_metadata (request_id, routed_at, hop_id, worker_name) VALUES (?, ?, now(), ?)`,
        ["r-old", new Date(), "initial-publisher"],
        { prepare: true },
      );
      assert.ok(!(await columnsOf(client, keyspace, "routing_metadata")).includes("trace_id"));
      await ensureSchema(client, keyspace, replication);
      await ensureSchema(client, keyspace, replication); // the column is there now: "already exists" is ignored
      assert.ok((await columnsOf(client, keyspace, "routing_metadata")).includes("trace_id"));
      const rows = (await client.execute(
        `SELECT worker_name, trace_id FROM ${keyspace}.routing_metadata WHERE request_id = 'r-old'`,
      )).rows;
      const read = rows.map((r) => [r.get("worker_name"), r.get("trace_id")]);
      assert.deepEqual(read, [["initial-publisher", null]]);
    } finally {
      await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
      await client.shutdown();
    }
  },
});
