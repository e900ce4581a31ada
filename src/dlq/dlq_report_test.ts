import assert from "node:assert/strict";
import {
  countsByReason,
  formatDlqJson,
  formatDlqTable,
  formatReplay,
  type ListedDeadLetter,
} from "./dlq_report.ts";
import type { DeadLetterEntry } from "./dead_letter_entry.ts";

const entry = (offset: string, reason: string, over: Partial<DeadLetterEntry> = {}): DeadLetterEntry => ({
  topic: "cc-dlq",
  partition: 0,
  offset,
  timestamp: Date.parse("2026-12-07T10:00:00Z"),
  requestId: "550e8400-e29b-41d4-a716-446655440000",
  workerName: "initial-publisher",
  reason,
  detail: `why ${offset}`,
  source: { topic: "inbox", partition: 1, offset: "40" },
  reduced: false,
  ...over,
});

const items: ListedDeadLetter[] = [
  { entry: entry("1", "route_disabled"), replays: [] },
  {
    entry: entry("2", "malformed", { requestId: undefined, workerName: undefined, reduced: true }),
    replays: [],
  },
  {
    entry: entry("3", "route_disabled"),
    replays: [{ replayedAt: new Date("2026-12-07T11:00:00Z"), actor: "ana" }],
  },
];

Deno.test("countsByReason() counts each reason, most first", () => {
  assert.deepEqual(countsByReason(items), [["route_disabled", 2], ["malformed", 1]]);
});

Deno.test("formatDlqTable() prints a line per dead letter with place, reason, source, reduced, replayed, and counts", () => {
  const lines = formatDlqTable(items).trimEnd().split("\n");
  assert.equal(lines.length, 6);
  assert.match(
    lines[0],
    /^time\s+dead letter\s+request_id\s+worker\s+reason\s+source\s+reduced\s+replayed\s+detail$/,
  );
  assert.match(
    lines[1],
    /^2026-12-07T10:00:00.000Z {2}cc-dlq\/0\/1\s+550e8400-\S+ {2}initial-publisher {2}route_disabled {2}inbox\/1\/40 {2}no\s+no\s+why 1$/,
  );
  assert.match(lines[2], /cc-dlq\/0\/2\s+-\s+-\s+malformed\s+inbox\/1\/40 {2}yes\s+no\s+why 2$/);
  assert.match(lines[3], /yes \(1, last 2026-12-07T11:00:00.000Z\)\s+why 3$/);
  assert.equal(lines[5], "3 dead letters: route_disabled 2, malformed 1");
});

Deno.test("formatDlqJson() gives the same figures as one document", () => {
  const doc = JSON.parse(formatDlqJson(items));
  assert.equal(doc.total, 3);
  assert.deepEqual(doc.counts, { route_disabled: 2, malformed: 1 });
  assert.equal(doc.deadLetters[1].reduced, true);
  assert.equal(doc.deadLetters[1].requestId, null);
  assert.equal(doc.deadLetters[2].replayed, true);
  assert.deepEqual(doc.deadLetters[2].replays, [{ replayedAt: "2026-12-07T11:00:00.000Z", actor: "ana" }]);
});

Deno.test("formatReplay() says what a dry run would do and that it published nothing", () => {
  const decided = [
    { entry: entry("1", "route_disabled"), decision: { kind: "replay" as const, topic: "inbox" } },
    { entry: entry("2", "malformed"), decision: { kind: "skip" as const, why: "reduced: left out" } },
  ];
  const dry = formatReplay(decided, true).trimEnd().split("\n");
  assert.match(dry[0], /^would replay {2}cc-dlq\/0\/1 \(route_disabled, request_id 550e8400-\S+\) -> inbox$/);
  assert.match(dry[1], /^skipped {7}cc-dlq\/0\/2 \(malformed, .*\): reduced: left out$/);
  assert.equal(dry[2], "dry run: 1 would be replayed, 1 skipped; nothing published (add --yes to publish)");
  const done = formatReplay(decided, false).trimEnd().split("\n");
  assert.match(done[0], /^replayed {6}cc-dlq\/0\/1 .* -> inbox$/);
  assert.equal(done[2], "1 replayed, 1 skipped");
});
