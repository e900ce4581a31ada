/**
 * The capacity search's rules, pure: which rate to try next, whether a step passed, and the capacity the
 * tries show. Steps climb a ladder (100, 200, 300, 500, 700, 1,000, 1,400 … orders/s) until one fails, then
 * bisect between the highest passing rate and the lowest failing one, a given number of times, while the gap
 * is more than a tenth of the failing rate.
 *
 * A step passes when the publisher offered the rate (at least 95 % of it acknowledged per second), every order
 * completed within the run plus the drain, end-to-end p99 was at most 250 ms, and nothing went wrong (no role
 * or publisher exited).
 *
 * @module
 */
import type { StepFigures } from "./step_figures.ts";

/** The rates the search climbs, orders/s. */
export const capacityLadder: readonly number[] = [
  100,
  200,
  300,
  500,
  700,
  1000,
  1400,
  2000,
  2800,
  4000,
  5600,
  8000,
];

/** End-to-end p99 a step may have and pass, ms. */
export const capacityP99LimitMs = 250;

/** How long after its last order is acknowledged every order of a step must be complete. */
export const capacityDrainMs = 5000;

/** The share of the offered rate the publisher must reach for the step to count. */
export const minOfferedShare = 0.95;

/** One step tried. */
export interface CapacityTry {
  rate: number;
  passed: boolean;
}

/** The highest passing rate below the lowest failing one; 0 when none passed. */
export function capacityOf(tried: readonly CapacityTry[]): number {
  const lowestFail = Math.min(...tried.filter((t) => !t.passed).map((t) => t.rate));
  return Math.max(0, ...tried.filter((t) => t.passed && t.rate < lowestFail).map((t) => t.rate));
}

/**
 * The next rate to try after `tried` (in the order tried), or undefined when the search is over: the next
 * ladder rate while every step passed, then at most `bisections` midpoints (rounded to 10 orders/s).
 */
export function nextCapacityRate(
  tried: readonly CapacityTry[],
  bisections: number,
  ladder: readonly number[] = capacityLadder,
): number | undefined {
  const firstFailAt = tried.findIndex((t) => !t.passed);
  if (firstFailAt < 0) {
    const top = Math.max(0, ...tried.map((t) => t.rate));
    return ladder.find((rate) => rate > top);
  }
  if (tried.length - 1 - firstFailAt >= bisections) return undefined;
  const low = capacityOf(tried);
  const high = Math.min(...tried.filter((t) => !t.passed).map((t) => t.rate));
  if (high - low <= high / 10) return undefined;
  const mid = Math.round((low + high) / 2 / 10) * 10;
  if (mid <= low || mid >= high || tried.some((t) => t.rate === mid)) return undefined;
  return mid;
}

/** Whether a step passed, and why not (`"passed"` when it did). */
export function capacityVerdict(step: StepFigures): { passed: boolean; reason: string } {
  const reasons: string[] = [...step.problems];
  if (!(step.achieved_orders_per_s >= step.offered_orders_per_s * minOfferedShare)) {
    reasons.push(`publisher reached ${step.achieved_orders_per_s} of ${step.offered_orders_per_s} orders/s`);
  }
  if (step.completed_in_drain < step.published || step.published === 0) {
    reasons.push(
      `${
        step.published - step.completed_in_drain
      } of ${step.published} not done within the run + ${step.drain_s} s`,
    );
  }
  if (!(step.e2e_p99_ms <= capacityP99LimitMs)) {
    reasons.push(`e2e p99 ${step.e2e_p99_ms} ms > ${capacityP99LimitMs} ms`);
  }
  return { passed: reasons.length === 0, reason: reasons.length === 0 ? "passed" : reasons.join("; ") };
}
