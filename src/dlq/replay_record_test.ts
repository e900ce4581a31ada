import assert from "node:assert/strict";
import { replayHeader, replayOrigin, replayRecord } from "./replay_record.ts";
import { deadLetterHeader } from "../messaging/dead_letter.ts";
import type { InRecord } from "../messaging/records.ts";

const record: InRecord = {
  topic: "cc-dlq",
  partition: 2,
  offset: "15",
  key: new TextEncoder().encode("k"),
  value: new TextEncoder().encode('{"v":1}'),
  timestamp: 0,
  headers: {
    "chain-key-id": "2026-01",
    traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    [deadLetterHeader.reason]: "route_disabled",
    [deadLetterHeader.detail]: "disabled",
    [deadLetterHeader.sourceTopic]: "inbox",
    [deadLetterHeader.sourcePartition]: "0",
    [deadLetterHeader.sourceOffset]: "4",
    [replayHeader.of]: "cc-dlq/0/1",
    gone: undefined,
  },
};

Deno.test("replayRecord() keeps key, value and the original headers, drops chain-dlq-*, adds chain-replay-of", () => {
  const out = replayRecord(record, "inbox");
  assert.equal(out.topic, "inbox");
  assert.equal(out.key, record.key);
  assert.equal(out.value, record.value);
  assert.deepEqual(out.headers, {
    "chain-key-id": "2026-01",
    traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    [replayHeader.of]: "cc-dlq/2/15",
    [replayHeader.reason]: "route_disabled",
  });
});

Deno.test("replayOrigin() reads a replay's dead-letter topic and reason, and nothing from other records", () => {
  assert.deepEqual(replayOrigin(replayRecord(record, "inbox").headers ?? {}), {
    topic: "cc-dlq",
    reason: "route_disabled",
  });
  assert.deepEqual(replayOrigin({ [replayHeader.of]: "a/b/c-dlq/0/3" }), {
    topic: "a/b/c-dlq",
    reason: "unknown",
  });
  assert.equal(replayOrigin({}), undefined);
  assert.equal(replayOrigin({ [replayHeader.of]: "no place" }), undefined);
});
