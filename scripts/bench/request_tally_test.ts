import assert from "node:assert/strict";
import { formatTallyTable, parseRequestTally, perOrder, publisherTally, tallyRow } from "./request_tally.ts";

Deno.test("parseRequestTally() reads chain_requests_total and chain_cassandra_rows_total samples", () => {
  const text = [
    "# HELP chain_requests_total Requests",
    'chain_requests_total{system="kafka",request="produce"} 12',
    'chain_requests_total{system="cassandra",request="batch"} 3',
    'chain_cassandra_rows_total{op="written"} 30',
    'chain_messages_received_total{topic="x"} 99',
  ].join("\n");
  assert.deepEqual(parseRequestTally(text), {
    "kafka produce": 12,
    "cassandra batch": 3,
    "rows written": 30,
  });
});

Deno.test("publisherTally() reads the counts of the publisher's last line", () => {
  const line = JSON.stringify({
    msg: "publisher done",
    requests: { "kafka produce": 5 },
    rows: {},
  });
  assert.deepEqual(publisherTally(['{"msg":"other"}', line]), { "kafka produce": 5 });
  assert.deepEqual(publisherTally([]), {});
});

Deno.test("perOrder() divides what was sent meanwhile by the orders; tallyRow() sums the other Kafka APIs", () => {
  const per = perOrder({ "kafka produce": 10, "kafka fetch": 4 }, {
    "kafka produce": 30,
    "kafka fetch": 4,
    "kafka metadata": 2,
    "kafka join_group": 2,
  }, 10);
  assert.deepEqual(per, { "kafka produce": 2, "kafka metadata": 0.2, "kafka join_group": 0.2 });
  assert.equal(tallyRow(per)["kafka other"], 0.4);
  assert.match(formatTallyTable({ router: per, all: per }), /^router +2\.00/m);
});
