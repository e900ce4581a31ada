import assert from "node:assert/strict";
import { deadLetterEntry, entryPlace, replayKey } from "./dead_letter_entry.ts";
import { deadLetterHeader } from "../messaging/dead_letter.ts";
import type { InRecord } from "../messaging/records.ts";

const encoder = new TextEncoder();
const ID = "550E8400-E29B-41D4-A716-446655440000";

function dead(value: string, headers: Record<string, string> = {}, key: string | null = null): InRecord {
  return {
    topic: "cc-dlq",
    partition: 1,
    offset: "7",
    key: key === null ? null : encoder.encode(key),
    value: encoder.encode(value),
    timestamp: 1_700_000_000_000,
    headers: {
      [deadLetterHeader.reason]: "route_disabled",
      [deadLetterHeader.detail]: "route r of w is disabled",
      [deadLetterHeader.sourceTopic]: "inbox",
      [deadLetterHeader.sourcePartition]: "2",
      [deadLetterHeader.sourceOffset]: "40",
      ...headers,
    },
  };
}

const envelope = JSON.stringify({
  request_id: ID,
  worker_name: "initial-publisher",
  data: "c2VjcmV0",
  iv: "AAAAAAAAAAAAAAAA",
  tag: "AAAAAAAAAAAAAAAAAAAAAA==",
});

Deno.test("deadLetterEntry() reads place, reason, source and the envelope's clear fields, nothing else", () => {
  const entry = deadLetterEntry(dead(envelope));
  assert.deepEqual(entry, {
    topic: "cc-dlq",
    partition: 1,
    offset: "7",
    timestamp: 1_700_000_000_000,
    requestId: ID.toLowerCase(),
    workerName: "initial-publisher",
    reason: "route_disabled",
    detail: "route r of w is disabled",
    source: { topic: "inbox", partition: 2, offset: "40" },
    reduced: false,
  });
  const text = JSON.stringify(entry);
  assert.ok(!text.includes("c2VjcmV0") && !text.includes("AAAAAAAA"), "no data, iv or tag");
});

Deno.test("deadLetterEntry() marks a reduced record and takes its request_id from the key", () => {
  const entry = deadLetterEntry(
    dead("", { [deadLetterHeader.reduced]: "value of 2000000 bytes left out" }, ID),
  );
  assert.equal(entry.reduced, true);
  assert.equal(entry.requestId, ID.toLowerCase());
  assert.equal(entry.workerName, undefined);
});

Deno.test("deadLetterEntry() leaves out what it cannot read: not JSON, no source headers, no reason", () => {
  const record = dead("not json", {}, "not-a-uuid");
  const bare: InRecord = { ...record, headers: {} };
  const entry = deadLetterEntry(bare);
  assert.equal(entry.requestId, undefined);
  assert.equal(entry.workerName, undefined);
  assert.equal(entry.source, undefined);
  assert.equal(entry.reason, "unknown");
  assert.equal(replayKey(entry), "invalid:cc-dlq/1/7");
  assert.equal(entryPlace(entry), "cc-dlq/1/7");
  const badOffset = deadLetterEntry(dead(envelope, { [deadLetterHeader.sourceOffset]: "x" }));
  assert.equal(badOffset.source, undefined);
});
