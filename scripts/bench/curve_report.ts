/**
 * The curve's and the capacity search's share of the report: the top-level JSON keys issue 10 names
 * (`e2e_p99_ms_at_100`, `e2e_p99_ms_at_1000`, `capacity_orders_per_s`, `cpu_us_per_order`) beside the `curve`
 * array and the `capacity` object, and two Markdown tables (latency by rate; CPU per order and peak RSS by
 * rate; requests and rows per order by rate and process). Pure.
 *
 * @module
 */
import type { CapacityFigures, CapacityStep } from "./capacity_run.ts";
import type { StepFigures } from "./step_figures.ts";
import { tallyColumns, tallyRow } from "./request_tally.ts";

/** The JSON keys of the curve and the capacity search (none for a part that did not run). */
export function curveKeys(curve: StepFigures[] | undefined, capacity: CapacityFigures | undefined) {
  const at = (rate: number) => curve?.find((p) => p.offered_orders_per_s === rate)?.e2e_p99_ms ?? null;
  // CPU per order at the curve's highest rate (1,000 orders/s in the full mode).
  const top = curve?.length
    ? curve.reduce((a, b) => b.offered_orders_per_s > a.offered_orders_per_s ? b : a)
    : undefined;
  return {
    ...(curve ? { e2e_p99_ms_at_100: at(100), e2e_p99_ms_at_1000: at(1000) } : {}),
    ...(capacity ? { capacity_orders_per_s: capacity.orders_per_s } : {}),
    ...(top
      ? { cpu_us_per_order: top.cpu_us_per_order, cpu_us_per_order_at_orders_per_s: top.offered_orders_per_s }
      : {}),
    ...(curve ? { curve } : {}),
    ...(capacity ? { capacity } : {}),
  };
}

/** Orders of the curve that never completed. */
export function curveLost(curve: StepFigures[] | undefined): number {
  return (curve ?? []).reduce((sum, p) => sum + p.published - p.completed, 0);
}

/** The design's and the issue's aims for a rate, as the table shows them. */
function aim(rate: number): string {
  if (rate === 100) return "p50 ≤ 20, p99 ≤ 60 ms (design 10–20 ms)";
  if (rate === 1000) return "p99 ≤ 250 ms";
  return "";
}

const f = (n: number | null | undefined, digits = 0) =>
  typeof n === "number" && Number.isFinite(n) ? n.toFixed(digits) : "n/a";
const triple = (a: number, b: number, c: number) => `${f(a)} / ${f(b)} / ${f(c)}`;

type Row = { run: string; step: StepFigures };

function rows(curve: StepFigures[] | undefined, capacity: CapacityFigures | undefined): Row[] {
  return [
    ...(curve ?? []).map((step) => ({ run: "curve", step })),
    ...(capacity?.steps ?? []).map((step: CapacityStep) => ({
      run: `capacity step, ${step.passed ? "passed" : "failed"}`,
      step,
    })),
  ];
}

/** The Markdown tables of the curve and the capacity search ("" when neither ran). */
export function curveTables(curve: StepFigures[] | undefined, capacity: CapacityFigures | undefined): string {
  const all = rows(curve, capacity);
  if (all.length === 0) return "";
  const out: string[] = [];
  if (capacity) {
    out.push(
      `Capacity: **${capacity.orders_per_s} orders/s** (${capacity.criterion}; the highest passing rate below the lowest failing one).`,
      "",
    );
  }
  out.push(
    "| run | offered orders/s | reached | done in run + drain / sent | hop p50 / p95 / p99 ms | e2e p50 / p95 / p99 / max ms | aim | note |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const { run, step: s } of all) {
    const note = "reason" in s ? (s as CapacityStep).reason : s.problems.join("; ");
    out.push(
      `| ${run} | ${s.offered_orders_per_s} | ${
        f(s.achieved_orders_per_s)
      } | ${s.completed_in_drain} / ${s.published} | ${triple(s.hop_p50_ms, s.hop_p95_ms, s.hop_p99_ms)} | ${
        triple(s.e2e_p50_ms, s.e2e_p95_ms, s.e2e_p99_ms)
      } / ${f(s.e2e_max_ms)} | ${aim(s.offered_orders_per_s)} | ${note} |`,
    );
  }
  const processes = [...new Set(all.flatMap(({ step }) => Object.keys(step.cpu_us_per_order)))]
    .filter((p) => p !== "all");
  const roles = [...new Set(all.flatMap(({ step }) => Object.keys(step.rss_mib)))];
  out.push(
    "",
    `| run | offered orders/s | CPU µs per order, all (aim ≤ 1,000) | ${
      processes.map((p) => `CPU µs ${p}`).join(" | ")
    } | ${roles.map((r) => `peak RSS ${r} MiB`).join(" | ")} |`,
    `| --- | --- | --- | ${processes.map(() => "---").join(" | ")} | ${roles.map(() => "---").join(" | ")} |`,
  );
  for (const { run, step: s } of all) {
    out.push(
      `| ${run} | ${s.offered_orders_per_s} | ${f(s.cpu_us_per_order.all)} | ${
        processes.map((p) => f(s.cpu_us_per_order[p])).join(" | ")
      } | ${roles.map((r) => f(s.rss_mib[r])).join(" | ")} |`,
    );
  }
  out.push(...requestTable(curve ?? []));
  return out.join("\n");
}

/**
 * "Requests and rows per order, per process": a row per curve step and process (`all` last), a column per kind
 * of {@link tallyColumns}; empty when no step counted requests.
 */
function requestTable(curve: StepFigures[]): string[] {
  const steps = curve.filter((s) => Object.keys(s.requests_per_order ?? {}).length > 0);
  if (steps.length === 0) return [];
  const columns = [...tallyColumns, "kafka other"];
  const out = [
    "",
    "Requests and rows per order, per process:",
    "",
    `| offered orders/s | process | ${columns.join(" | ")} |`,
    `| --- | --- | ${columns.map(() => "---").join(" | ")} |`,
  ];
  for (const s of steps) {
    const names = Object.keys(s.requests_per_order).filter((n) => n !== "all");
    if (s.requests_per_order.all) names.push("all");
    for (const name of names) {
      const row = tallyRow(s.requests_per_order[name]);
      out.push(
        `| ${s.offered_orders_per_s} | ${name} | ${
          columns.map((c) => (row[c] ? row[c].toFixed(2) : "-")).join(" | ")
        } |`,
      );
    }
  }
  return out;
}
