/**
 * CassandraOrderStore on the real node: the shared OrderStore contract, and what the orders row holds. Each
 * test has its own keyspace and drops it.
 */
import assert from "node:assert/strict";
import type cassandra from "cassandra-driver";
import { orderStoreContract, sampleOrder } from "../src/fulfilment/order_store_contract.ts";
import { CassandraOrderStore } from "../src/cassandra/cassandra_order_store.ts";
import { CassandraInventory } from "../src/cassandra/inventory.ts";
import { ensureSchema } from "../src/cassandra/schema.ts";
import { serviceAddresses, testCassandra, uniqueName } from "../support/services.ts";
import { createCassandraClient } from "../src/cassandra/cassandra_client.ts";
import { RequestCounts } from "../src/observability/request_counts.ts";

function cassandraAddresses() {
  const { contactPoints, localDc } = serviceAddresses();
  return { contactPoints, localDataCenter: localDc };
}

async function freshKeyspace(): Promise<
  { client: cassandra.Client; keyspace: string; cleanup(): Promise<void> }
> {
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
  return { client, keyspace, cleanup };
}

orderStoreContract("CassandraOrderStore", async () => {
  const { client, keyspace, cleanup } = await freshKeyspace();
  return {
    store: new CassandraOrderStore(client, keyspace),
    inventory: new CassandraInventory(client, keyspace),
    cleanup,
  };
});

Deno.test({
  name: "CassandraOrderStore keeps one orders row per request holding the last order saved",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { client, keyspace, cleanup } = await freshKeyspace();
    try {
      const store = new CassandraOrderStore(client, keyspace);
      const id = crypto.randomUUID();
      await store.save(sampleOrder(id));
      await store.save({ ...sampleOrder(id), status: "rejected", reason: "amount must be > 0" });
      const rows = (await client.execute(
        `SELECT request_id, order_id, user_id, email, amount, items, status, reason, processed_by, validated_at,
           saved_at, emailed_at FROM ${keyspace}.orders`,
      )).rows;
      assert.equal(rows.length, 1);
      const r = rows[0];
      assert.equal(r.get("request_id").toString(), id);
      assert.deepEqual(
        [r.get("order_id"), r.get("user_id"), r.get("email"), r.get("amount"), r.get("processed_by")],
        ["o-1", "u-1", "u-1@example.com", 20, "service-1"],
      );
      assert.deepEqual(JSON.parse(r.get("items")), sampleOrder(id).items);
      assert.deepEqual([r.get("status"), r.get("reason")], ["rejected", "amount must be > 0"]);
      assert.deepEqual(r.get("validated_at"), new Date("2026-11-25T10:00:00Z"));
      assert.ok(r.get("saved_at") instanceof Date);
      assert.equal(r.get("emailed_at"), null);
    } finally {
      await cleanup();
    }
  },
});

Deno.test({
  name: "CassandraOrderStore: orders in hand at once share their requests (states, saves, mail marks)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { keyspace, cleanup } = await freshKeyspace();
    const counts = new RequestCounts();
    const counted = createCassandraClient({ ...cassandraAddresses(), security: undefined }, counts);
    try {
      const store = new CassandraOrderStore(counted, keyspace);
      const ids = Array.from({ length: 8 }, () => crypto.randomUUID());
      // Eight orders at once, as service-2 has them in hand: one state query, one save batch, one mark.
      const before = await Promise.all(ids.map((id) => store.states([id])));
      assert.ok(before.every((m, i) => !m.get(ids[i])!.saved));
      await Promise.all(ids.map((id) => store.saveAndTakeStock(sampleOrder(id))));
      await Promise.all(ids.map((id) => store.markEmailed([id])));
      assert.deepEqual(counts.snapshot().requests, { "cassandra execute": 2, "cassandra batch": 1 });
      const after = await store.states(ids);
      assert.ok(ids.every((id) => after.get(id)!.emailed && after.get(id)!.stockTaken));
    } finally {
      await counted.shutdown();
      await cleanup();
    }
  },
});
