/**
 * `chain lag`'s output: a fixed-width table, one row per group and topic, or the same figures as JSON; and the
 * exit code (0 when every status is OK, 1 otherwise).
 *
 * @module
 */
import type { TopicLag } from "./lag_status.ts";

const COLUMNS = ["group", "topic", "partitions", "total lag", "worst (p: lag)", "lag s", "status"] as const;
/** Columns that hold numbers, right-aligned. */
const NUMERIC = new Set<string>(["partitions", "total lag", "worst (p: lag)", "lag s"]);

/** Seconds as the table shows them: `-` when unknown, `~` before an estimate from the consumption rate. */
export function formatLagSeconds(row: Pick<TopicLag, "lagSeconds" | "lagSecondsFrom">): string {
  if (row.lagSeconds === null) return "-";
  if (row.lagSeconds === 0) return "0";
  const value = row.lagSeconds < 10 ? row.lagSeconds.toFixed(1) : Math.round(row.lagSeconds).toString();
  return row.lagSecondsFrom === "rate" ? `~${value}` : value;
}

/** The table, header first, columns padded to their widest cell, ending with a newline. */
export function formatLagTable(rows: readonly TopicLag[]): string {
  const cells = rows.map((r) => [
    r.group,
    r.topic,
    String(r.partitions),
    String(r.totalLag),
    r.worst === null ? "-" : `${r.worst.partition}: ${r.worst.lag}`,
    formatLagSeconds(r),
    r.status,
  ]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (row: readonly string[]) =>
    row.map((cell, i) => NUMERIC.has(COLUMNS[i]) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))
      .join("  ").trimEnd();
  return [line(COLUMNS), ...cells.map(line)].join("\n") + "\n";
}

/** The same figures as JSON (`ok` and a `rows` array, partitions included), with a newline. */
export function formatLagJson(rows: readonly TopicLag[]): string {
  return JSON.stringify({ ok: lagExitCode(rows) === 0, rows }, null, 2) + "\n";
}

/** 0 when every row is OK, 1 when any is not. */
export function lagExitCode(rows: readonly TopicLag[]): number {
  return rows.every((r) => r.status === "OK") ? 0 : 1;
}
