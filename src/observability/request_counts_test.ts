import assert from "node:assert/strict";
import { kafkaApiName, RequestCounts } from "./request_counts.ts";
import { ChainMetrics } from "./chain_metrics.ts";

Deno.test("RequestCounts adds requests per system and kind, and rows per op", () => {
  const counts = new RequestCounts();
  counts.request("kafka", "produce");
  counts.request("kafka", "produce", 2);
  counts.request("cassandra", "batch");
  counts.rows("written", 10);
  counts.rows("written", 5);
  counts.rows("read", 3);
  assert.deepEqual(counts.snapshot(), {
    requests: { "kafka produce": 3, "cassandra batch": 1 },
    rows: { written: 15, read: 3 },
  });
  assert.deepEqual([...counts.requestEntries()], [
    { system: "kafka", request: "produce", count: 3 },
    { system: "cassandra", request: "batch", count: 1 },
  ]);
});

Deno.test("kafkaApiName() names the protocol's API keys, and others by number", () => {
  assert.equal(kafkaApiName(0), "produce");
  assert.equal(kafkaApiName(1), "fetch");
  assert.equal(kafkaApiName(8), "offset_commit");
  assert.equal(kafkaApiName(12), "heartbeat");
  assert.equal(kafkaApiName(999), "api_999");
});

Deno.test("/metrics shows the request and row counts as chain_requests_total and chain_cassandra_rows_total", async () => {
  const metrics = new ChainMetrics();
  const counts = new RequestCounts();
  metrics.observeRequests(counts);
  counts.request("kafka", "fetch", 4);
  counts.request("smtp", "transaction");
  counts.rows("written", 7);
  const text = await metrics.text();
  assert.match(text, /^chain_requests_total\{system="kafka",request="fetch"\} 4$/m);
  assert.match(text, /^chain_requests_total\{system="smtp",request="transaction"\} 1$/m);
  assert.match(text, /^chain_cassandra_rows_total\{op="written"\} 7$/m);
});
