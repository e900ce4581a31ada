import assert from "node:assert/strict";
import { type SummarizedDeadLetter, summarizeDeadLetters } from "./dlq_summary.ts";
import type { DeadLetterEntry } from "./dead_letter_entry.ts";

const entry = (topic: string, reason: string): DeadLetterEntry => ({
  topic,
  partition: 0,
  offset: "0",
  timestamp: 0,
  reason,
  detail: "",
  reduced: false,
});
const replay = { kind: "replay" as const, topic: "inbox" };
const skip = { kind: "skip" as const, why: "reduced" };
const once = [{ replayedAt: new Date(0), actor: "ana" }];

Deno.test("summarizeDeadLetters() counts by topic and reason, with replayable and replayed", () => {
  const items: SummarizedDeadLetter[] = [
    { entry: entry("s2-dlq", "permanent_failure"), replays: once, decision: skip },
    { entry: entry("cc-dlq", "route_disabled"), replays: [], decision: replay },
    { entry: entry("cc-dlq", "route_disabled"), replays: [], decision: skip },
    { entry: entry("cc-dlq", "malformed"), replays: once, decision: skip },
    { entry: entry("cc-dlq", "route_disabled"), replays: once, decision: replay },
  ];
  assert.deepEqual(summarizeDeadLetters(items), [
    { topic: "cc-dlq", reason: "route_disabled", count: 3, replayable: 2, replayed: 1 },
    { topic: "cc-dlq", reason: "malformed", count: 1, replayable: 0, replayed: 1 },
    { topic: "s2-dlq", reason: "permanent_failure", count: 1, replayable: 0, replayed: 1 },
  ]);
});

Deno.test("summarizeDeadLetters() says replayed is unknown when the replays could not be read", () => {
  const rows = summarizeDeadLetters([{
    entry: entry("cc-dlq", "malformed"),
    replays: null,
    decision: replay,
  }]);
  assert.deepEqual(rows, [{ topic: "cc-dlq", reason: "malformed", count: 1, replayable: 1, replayed: null }]);
});
