/**
 * What `chain dlq list` and `chain dlq replay` print: one line per dead letter (or one JSON document), counts by
 * reason, and each replay decision. Only entries reach here, so no `data`, `iv` or `tag` can be printed. Pure.
 *
 * @module
 */
import { type DeadLetterEntry, entryPlace } from "./dead_letter_entry.ts";
import type { PastReplay, ReplayDecision } from "./replay_decision.ts";

/** A dead letter and the replays made of it so far. */
export interface ListedDeadLetter {
  entry: DeadLetterEntry;
  replays: readonly PastReplay[];
}

/** How many dead letters of each reason, most first (then by name). */
export function countsByReason(items: readonly ListedDeadLetter[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const { entry } of items) counts.set(entry.reason, (counts.get(entry.reason) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function sourceOf(entry: DeadLetterEntry): string {
  return entry.source ? `${entry.source.topic}/${entry.source.partition}/${entry.source.offset}` : "-";
}

function replayedText(replays: readonly PastReplay[]): string {
  const last = replays.at(-1);
  return last === undefined ? "no" : `yes (${replays.length}, last ${last.replayedAt.toISOString()})`;
}

/**
 * The table: a header, one line per dead letter (time, place, request_id, worker, reason, source, reduced,
 * replayed, detail; two spaces apart, detail last as it is the longest), then the counts by reason.
 *
 * @example
 * ```text
 * time                      dead letter       request_id                            worker             reason          source            reduced  replayed  detail
 * 2026-12-07T10:00:00.000Z  cc-dlq/0/12       550e8400-e29b-41d4-a716-446655440000  initial-publisher  route_disabled  inbox/1/40        no       no        route route-p-s1 of initial-publisher is disabled
 *
 * 1 dead letter: route_disabled 1
 * ```
 */
export function formatDlqTable(items: readonly ListedDeadLetter[]): string {
  const rows = items.map(({ entry, replays }) => [
    new Date(entry.timestamp).toISOString(),
    entryPlace(entry),
    entry.requestId ?? "-",
    entry.workerName ?? "-",
    entry.reason,
    sourceOf(entry),
    entry.reduced ? "yes" : "no",
    replayedText(replays),
    entry.detail || "-",
  ]);
  const header = [
    "time",
    "dead letter",
    "request_id",
    "worker",
    "reason",
    "source",
    "reduced",
    "replayed",
    "detail",
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd();
  const counts = countsByReason(items).map(([reason, n]) => `${reason} ${n}`).join(", ");
  const total = `${items.length} dead letter${items.length === 1 ? "" : "s"}${counts ? `: ${counts}` : ""}`;
  return [line(header), ...rows.map(line), "", total].join("\n") + "\n";
}

/** The same as one JSON document: `{deadLetters: [...], counts: {reason: n}, total}`. */
export function formatDlqJson(items: readonly ListedDeadLetter[]): string {
  return JSON.stringify({
    deadLetters: items.map(({ entry, replays }) => ({
      time: new Date(entry.timestamp).toISOString(),
      topic: entry.topic,
      partition: entry.partition,
      offset: entry.offset,
      requestId: entry.requestId ?? null,
      workerName: entry.workerName ?? null,
      reason: entry.reason,
      detail: entry.detail,
      source: entry.source ?? null,
      reduced: entry.reduced,
      replayed: replays.length > 0,
      replays: replays.map((r) => ({ replayedAt: r.replayedAt.toISOString(), actor: r.actor })),
    })),
    counts: Object.fromEntries(countsByReason(items)),
    total: items.length,
  }) + "\n";
}

/** One dead letter with what replay decided for it. */
export interface DecidedDeadLetter {
  entry: DeadLetterEntry;
  decision: ReplayDecision;
}

/**
 * One line per decision and a summary: `would replay` (dry run) or `replayed`, `skipped` with why; the summary
 * tells a dry run how to publish.
 */
export function formatReplay(decided: readonly DecidedDeadLetter[], dryRun: boolean): string {
  const lines = decided.map(({ entry, decision }) => {
    const what = `${entryPlace(entry)} (${entry.reason}, request_id ${entry.requestId ?? "-"})`;
    if (decision.kind === "skip") return `skipped       ${what}: ${decision.why}`;
    return `${dryRun ? "would replay " : "replayed     "} ${what} -> ${decision.topic}`;
  });
  const replayed = decided.filter((d) => d.decision.kind === "replay").length;
  const skipped = decided.length - replayed;
  const summary = dryRun
    ? `dry run: ${replayed} would be replayed, ${skipped} skipped; nothing published (add --yes to publish)`
    : `${replayed} replayed, ${skipped} skipped`;
  return [...lines, summary].join("\n") + "\n";
}
