/**
 * The suite's output: one table row per scenario on stdout, then the reasons for each failure and the notes.
 *
 * @module
 */
import { passed, type ScenarioResult } from "./scenario.ts";

const columns = [
  "scenario",
  "published",
  "completed",
  "lost",
  "dup mails",
  "dup stock",
  "stall s",
  "member stall s",
  "after ready s",
  "dup hops",
  "meta missing",
  "restarts",
  "secs",
  "result",
] as const;

function cells(r: ScenarioResult): string[] {
  const a = r.audit;
  const n = (v: number | undefined) => v === undefined ? "-" : String(v);
  return [
    r.scenario,
    n(a?.published),
    n(a?.completed),
    n(a?.lost),
    n(a?.duplicateMails),
    n(a?.duplicateStock),
    r.stallSeconds === undefined ? "-" : r.stallSeconds.toFixed(1),
    r.memberStallSeconds === undefined ? "-" : r.memberStallSeconds.toFixed(1),
    r.afterReadySeconds === undefined ? "-" : r.afterReadySeconds.toFixed(1),
    n(r.repeatedHops),
    n(a?.missingMetadata),
    String(r.restarts),
    r.seconds.toFixed(0),
    r.skipped !== undefined ? "skip" : passed(r) ? "pass" : "FAIL",
  ];
}

/** The table of `results` as text lines. */
export function formatTable(results: ScenarioResult[]): string[] {
  const rows = [[...columns], ...results.map(cells)];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) =>
    "| " + row.map((cell, i) => i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])).join(" | ") +
    " |";
  return [
    line(rows[0]),
    "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|",
    ...rows.slice(1).map(line),
  ];
}

/** The failures, skips and notes under the table. */
export function formatDetails(results: ScenarioResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    if (r.skipped !== undefined) out.push(`${r.scenario}: skipped: ${r.skipped}`);
    for (const f of r.failures) out.push(`${r.scenario}: FAIL: ${f}`);
    for (const n of r.notes) out.push(`${r.scenario}: ${n}`);
  }
  return out;
}
