import assert from "node:assert/strict";
import { createCassandraClient, parseReplication, replicationCql } from "./cassandra_client.ts";

Deno.test("parseReplication() reads SimpleStrategy:N", () => {
  assert.deepEqual(parseReplication("SimpleStrategy:3"), {
    strategy: "SimpleStrategy",
    replicationFactor: 3,
  });
  assert.equal(
    replicationCql(parseReplication("SimpleStrategy:1")),
    "{'class': 'SimpleStrategy', 'replication_factor': 1}",
  );
});

Deno.test("parseReplication() reads NetworkTopologyStrategy:dc1=3,dc2=2", () => {
  const r = parseReplication("NetworkTopologyStrategy:dc1=3,dc2=2");
  assert.deepEqual(r, { strategy: "NetworkTopologyStrategy", dataCenters: { dc1: 3, dc2: 2 } });
  assert.equal(replicationCql(r), "{'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 2}");
});

Deno.test("parseReplication() rejects a factor that is not an integer from 1 to 10 with a RangeError", () => {
  assert.throws(() => parseReplication("SimpleStrategy:x"), {
    name: "RangeError",
    message: 'replication factor must be an integer from 1 to 10, got "x"',
  });
  for (const bad of ["0", "11", "-1", "1.5", " 1", "100"]) {
    assert.throws(() => parseReplication(`SimpleStrategy:${bad}`), RangeError, bad);
  }
  assert.throws(() => parseReplication("NetworkTopologyStrategy:dc1=3,dc2=0"), {
    name: "RangeError",
    message: 'replication factor of dc2 must be an integer from 1 to 10, got "0"',
  });
  assert.throws(() => parseReplication("NetworkTopologyStrategy:dc1="), RangeError);
});

Deno.test("parseReplication() rejects unknown strategies and malformed text with a TypeError", () => {
  assert.throws(() => parseReplication("LocalStrategy:1"), {
    name: "TypeError",
    message:
      'strategy must be SimpleStrategy or NetworkTopologyStrategy (as in "SimpleStrategy:1"), got "LocalStrategy"',
  });
  for (
    const bad of [
      "",
      "SimpleStrategy",
      "SimpleStrategy:",
      "NetworkTopologyStrategy",
      "NetworkTopologyStrategy:dc1",
      "NetworkTopologyStrategy:dc1=3,",
      "NetworkTopologyStrategy:=3",
      "NetworkTopologyStrategy:dc'1=1",
      "NetworkTopologyStrategy:dc1=1,dc1=2",
    ]
  ) {
    assert.throws(() => parseReplication(bad), TypeError, bad);
  }
});

Deno.test("createCassandraClient() makes a client not bound to a keyspace", async () => {
  const client = createCassandraClient({
    contactPoints: ["127.0.0.1:1"],
    localDataCenter: "dc1",
  });
  assert.equal(client.keyspace, undefined);
  await client.shutdown();
});
