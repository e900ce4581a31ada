import assert from "node:assert/strict";
import { parseReplication, replicationCql } from "./cassandra_client.ts";

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

Deno.test("parseReplication() rejects unknown strategies, bad factors and bad pairs", () => {
  assert.throws(() => parseReplication("LocalStrategy:1"), TypeError);
  assert.throws(() => parseReplication("SimpleStrategy:0"), RangeError);
  assert.throws(() => parseReplication("SimpleStrategy:x"), RangeError);
  assert.throws(() => parseReplication("SimpleStrategy"), TypeError);
  assert.throws(() => parseReplication("NetworkTopologyStrategy:dc1"), TypeError);
  assert.throws(() => parseReplication("NetworkTopologyStrategy:dc'1=1"), TypeError);
});
