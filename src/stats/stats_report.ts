/**
 * `chain stats`' output: a fixed-width table, one line per route, or (`--json`) one JSON document.
 *
 * @module
 */
import type { RouteStats } from "./route_stats.ts";

/** What the report says about the query besides the routes. */
export interface StatsContext {
  sinceMs: number;
  now: Date;
  ttlSeconds: number;
}

/** `90s`, `15m`, `2h`, `1d`: the largest unit that divides the duration. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}

const COLUMNS = ["route", "hops", "success", "p50 ms", "p99 ms", "kept rows", "oldest expires"] as const;

/**
 * A header line, then a table: route (left-aligned), then hops, success rate, p50 and p99 in milliseconds, rows
 * still inside their TTL (right-aligned), and when the oldest of them expires; `-` where there is nothing.
 *
 * @example
 * ```text
 * hops of the last 15m, until 2026-11-25T10:15:00.000Z; rows are kept 7d
 * route                         hops  success  p50 ms  p99 ms  kept rows  oldest expires
 * route-publisher-to-service1     30   90.0 %    1.20    4.50         30  2026-12-02T10:00:00.000Z
 * -                                0        -       -       -          0  -
 * ```
 */
export function formatStatsTable(stats: readonly RouteStats[], context: StatsContext): string {
  const rows = stats.map((s) => [
    s.routeId,
    String(s.window.count),
    s.window.successRate === null ? "-" : `${(s.window.successRate * 100).toFixed(1)} %`,
    s.window.p50Ms === null ? "-" : s.window.p50Ms.toFixed(2),
    s.window.p99Ms === null ? "-" : s.window.p99Ms.toFixed(2),
    String(s.retention.rows),
    s.retention.oldestExpiresAt?.toISOString() ?? "-",
  ]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) =>
      i === 0 || i === cells.length - 1 ? cell.padEnd(i === 0 ? widths[i] : 0) : cell.padStart(widths[i])
    ).join("  ");
  return [
    `hops of the last ${formatDuration(context.sinceMs)}, until ${context.now.toISOString()}; rows are kept ${
      formatDuration(context.ttlSeconds * 1000)
    }`,
    line(COLUMNS),
    ...rows.map(line),
  ].join("\n");
}

/** The same figures as one JSON document (times in ISO 8601, null where there is nothing). */
export function formatStatsJson(stats: readonly RouteStats[], context: StatsContext): string {
  return JSON.stringify({
    sinceMs: context.sinceMs,
    until: context.now.toISOString(),
    ttlSeconds: context.ttlSeconds,
    routes: stats.map((s) => ({
      routeId: s.routeId,
      count: s.window.count,
      succeeded: s.window.succeeded,
      failed: s.window.failed,
      successRate: s.window.successRate,
      p50Ms: s.window.p50Ms,
      p99Ms: s.window.p99Ms,
      keptRows: s.retention.rows,
      oldestRoutedAt: s.retention.oldestRoutedAt?.toISOString() ?? null,
      oldestExpiresAt: s.retention.oldestExpiresAt?.toISOString() ?? null,
    })),
  });
}
