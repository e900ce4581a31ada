import assert from "node:assert/strict";
import { matchesFilter } from "./dlq_filter.ts";
import type { DeadLetterEntry } from "./dead_letter_entry.ts";

const entry: DeadLetterEntry = {
  topic: "cc-dlq",
  partition: 0,
  offset: "3",
  timestamp: 10_000,
  requestId: "550e8400-e29b-41d4-a716-446655440000",
  workerName: "initial-publisher",
  reason: "route_disabled",
  detail: "",
  reduced: false,
};

Deno.test("matchesFilter() takes everything without filters and checks each filter given", () => {
  assert.equal(matchesFilter(entry, {}), true);
  assert.equal(matchesFilter(entry, { reason: "route_disabled", workerName: "initial-publisher" }), true);
  assert.equal(matchesFilter(entry, { reason: "malformed" }), false);
  assert.equal(matchesFilter(entry, { workerName: "service-1-publisher" }), false);
  assert.equal(matchesFilter(entry, { requestId: "650e8400-e29b-41d4-a716-446655440000" }), false);
  assert.equal(matchesFilter(entry, { requestId: entry.requestId }), true);
  assert.equal(matchesFilter(entry, { sinceMs: 10_000 }), true);
  assert.equal(matchesFilter(entry, { sinceMs: 10_001 }), false);
});

Deno.test("matchesFilter() never matches a worker or request_id filter on an entry that has none", () => {
  const bare = { ...entry, requestId: undefined, workerName: undefined };
  assert.equal(matchesFilter(bare, { workerName: "initial-publisher" }), false);
  assert.equal(matchesFilter(bare, { requestId: entry.requestId }), false);
});
