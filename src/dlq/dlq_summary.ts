/**
 * The dead-letter topics in figures, for the dashboard: per topic and reason, how many dead letters, how many a
 * replay would take now (`chain dlq replay` without `--again` or `--force`) and how many were replayed. Pure.
 *
 * @module
 */
import type { DeadLetterEntry } from "./dead_letter_entry.ts";
import type { PastReplay, ReplayDecision } from "./replay_decision.ts";

/** One topic and reason. `replayed` is null when the replays could not be known (no Cassandra). */
export interface DeadLetterCount {
  topic: string;
  reason: string;
  count: number;
  replayable: number;
  replayed: number | null;
}

/** A dead letter with its replays so far and what a replay would do with it now. */
export interface SummarizedDeadLetter {
  entry: DeadLetterEntry;
  replays: readonly PastReplay[] | null;
  decision: ReplayDecision;
}

/** The counts by topic and reason, by topic then most dead letters first. */
export function summarizeDeadLetters(items: readonly SummarizedDeadLetter[]): DeadLetterCount[] {
  const rows = new Map<string, DeadLetterCount>();
  for (const { entry, replays, decision } of items) {
    const id = `${entry.topic}\n${entry.reason}`;
    let row = rows.get(id);
    if (row === undefined) {
      row = { topic: entry.topic, reason: entry.reason, count: 0, replayable: 0, replayed: 0 };
      rows.set(id, row);
    }
    row.count++;
    if (decision.kind === "replay") row.replayable++;
    if (replays === null) row.replayed = null;
    else if (replays.length > 0 && row.replayed !== null) row.replayed++;
  }
  return [...rows.values()].sort((a, b) =>
    a.topic.localeCompare(b.topic) || b.count - a.count || a.reason.localeCompare(b.reason)
  );
}
