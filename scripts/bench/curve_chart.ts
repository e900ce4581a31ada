/**
 * The curve's plot, made from the bench's figures (a run's, or a JSON file's): end-to-end p50 and p99 against
 * the offered rate, the capacity steps' p99 (passed and failed), the aims and the design's figure as
 * reference lines, and the capacity found. Log scale on both axes. Pure.
 *
 * @module
 */
import type { CapacityFigures } from "./capacity_run.ts";
import type { StepFigures } from "./step_figures.ts";
import type { LineChart } from "./svg_plot.ts";

/** The parts of the figures the plot uses. */
export interface CurveFigures {
  mode?: string;
  curve?: StepFigures[];
  capacity?: CapacityFigures;
}

/** The chart of the curve and the capacity search. */
export function curveChart(figures: CurveFigures): LineChart {
  const curve = figures.curve ?? [];
  const steps = figures.capacity?.steps ?? [];
  const point = (s: StepFigures, y: number) => ({ x: s.offered_orders_per_s, y });
  const chart: LineChart = {
    title: `chain, whole chain: end-to-end latency by offered rate${
      figures.mode ? ` (${figures.mode} mode)` : ""
    }`,
    xLabel: "offered rate, orders/s (log scale)",
    yLabel: "end-to-end latency, ms (log scale)",
    logX: true,
    logY: true,
    series: [
      { name: "curve: e2e p50", color: "#1f77b4", points: curve.map((s) => point(s, s.e2e_p50_ms)) },
      { name: "curve: e2e p99", color: "#d62728", points: curve.map((s) => point(s, s.e2e_p99_ms)) },
      {
        name: "capacity step passed: e2e p99",
        color: "#2ca02c",
        markersOnly: true,
        points: steps.filter((s) => s.passed).map((s) => point(s, s.e2e_p99_ms)),
      },
      {
        name: "capacity step failed: e2e p99",
        color: "#7f7f7f",
        markersOnly: true,
        points: steps.filter((s) => !s.passed).map((s) => point(s, s.e2e_p99_ms)),
      },
    ].filter((s) => s.points.length > 0),
    yRules: [
      { at: 250, label: "aim: p99 ≤ 250 ms at 1,000/s", color: "#d62728" },
      { at: 60, label: "aim: p99 ≤ 60 ms at 100/s", color: "#ff7f0e" },
      { at: 20, label: "design: 10–20 ms end to end", color: "#1f77b4" },
    ],
    xRules: [{ at: 1500, label: "aim: capacity ≥ 1,500/s", color: "#9467bd" }],
  };
  const capacity = figures.capacity?.orders_per_s;
  if (capacity) chart.xRules!.push({ at: capacity, label: `capacity ${capacity}/s`, color: "#2ca02c" });
  return chart;
}
