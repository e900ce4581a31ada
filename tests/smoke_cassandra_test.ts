import assert from "node:assert/strict";
import { testCassandra, uniqueName } from "../support/services.ts";

Deno.test("cassandra-driver under Deno: a row written to a table with default_time_to_live reads back with its TTL", async () => {
  const keyspace = uniqueName("smoke").replace("-", "_");
  const client = testCassandra();
  await client.connect();
  try {
    await client.execute(
      `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    await client.execute(
      `CREATE TABLE ${keyspace}.hops (id uuid PRIMARY KEY, note text) WITH default_time_to_live = 604800`,
    );
    const id = crypto.randomUUID();
    await client.execute(`INSERT INTO ${keyspace}.hops (id, note) VALUES (?, ?)`, [id, "smoke"], {
      prepare: true,
    });
    const row =
      (await client.execute(`SELECT note, TTL(note) AS ttl FROM ${keyspace}.hops WHERE id = ?`, [id], {
        prepare: true,
      })).first();
    assert.equal(row.get("note"), "smoke");
    const ttl = row.get("ttl") as number;
    assert.ok(ttl > 0 && ttl <= 604_800, `TTL ${ttl} should be set and at most 604800`);
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
    await client.shutdown();
  }
});
