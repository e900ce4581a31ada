import assert from "node:assert/strict";
import { countReplays } from "./count_replays.ts";
import { ChainMetrics } from "../observability/chain_metrics.ts";
import { replayHeader } from "../dlq/replay_record.ts";
import type { InRecord } from "../messaging/records.ts";

const record = (headers: Record<string, string>): InRecord => ({
  topic: "inbox",
  partition: 0,
  offset: "0",
  key: null,
  value: null,
  timestamp: 0,
  headers,
});

Deno.test("countReplays() counts replayed records by dead-letter topic and reason, and nothing else", async () => {
  const metrics = new ChainMetrics();
  countReplays(metrics, [
    record({ [replayHeader.of]: "cc-dlq/0/4", [replayHeader.reason]: "route_disabled" }),
    record({ [replayHeader.of]: "cc-dlq/1/9", [replayHeader.reason]: "route_disabled" }),
    record({ [replayHeader.of]: "s2-dlq/0/1", [replayHeader.reason]: "made-up" }),
    record({ traceparent: "x" }),
    record({ [replayHeader.of]: "not a place" }),
  ]);
  const values = (await metrics.dlqReplayed.get()).values.map((
    v,
  ) => [v.labels.topic, v.labels.reason, v.value]);
  assert.deepEqual(values.sort(), [["cc-dlq", "route_disabled", 2], ["s2-dlq", "other", 1]]);
});
