/**
 * Part 6, capacity: the highest rate the whole chain sustains for the given length with every order done within
 * the run plus a short drain and end-to-end p99 ≤ 250 ms. Steps follow {@link ./capacity_search.ts} on one
 * running chain (warmed up first); after a failing step the bench waits for the chain to work off its backlog
 * before the next step, and starts a fresh chain when it does not.
 *
 * @module
 */
import { type BenchContext, note } from "./bench_context.ts";
import {
  capacityDrainMs,
  capacityOf,
  capacityP99LimitMs,
  type CapacityTry,
  capacityVerdict,
  minOfferedShare,
  nextCapacityRate,
} from "./capacity_search.ts";
import { ChainSession } from "./chain_session.ts";
import { runStep, warmUpPlan } from "./rate_step.ts";
import { type StepFigures, stepFigures } from "./step_figures.ts";

/** One step of the search, with its verdict. */
export interface CapacityStep extends StepFigures {
  passed: boolean;
  reason: string;
}

/** The search's outcome, as the JSON's `capacity` object. */
export interface CapacityFigures {
  /** The highest passing rate below the lowest failing one; 0 when none passed. */
  orders_per_s: number;
  seconds: number;
  p99_limit_ms: number;
  drain_s: number;
  criterion: string;
  /** The passing step at that rate, or null. */
  at_capacity: CapacityStep | null;
  /** Every step, in the order tried. */
  steps: CapacityStep[];
}

/** Searches for the capacity with steps of `seconds`, bisecting at most `bisections` times. */
export async function capacityRun(
  context: BenchContext,
  seconds: number,
  bisections: number,
): Promise<CapacityFigures> {
  const tried: CapacityTry[] = [];
  const steps: CapacityStep[] = [];
  // A failing step's backlog must be worked off before the next step measures anything.
  const backlogMs = Math.max(60, 3 * seconds) * 1000;
  let session: ChainSession | undefined;
  let sessions = 0;
  try {
    for (
      let rate = nextCapacityRate(tried, bisections);
      rate !== undefined;
      rate = nextCapacityRate(tried, bisections)
    ) {
      if (!session) {
        session = await ChainSession.open(context, `cap${sessions++}`);
        await runStep(session, warmUpPlan);
      }
      note(`capacity: ${rate} orders/s for ${seconds}s`);
      const plan = {
        rate,
        seconds,
        drainMs: capacityDrainMs,
        waitMs: capacityDrainMs,
        seed: 20 + tried.length,
      };
      const record = await runStep(session, plan);
      const left = await session.waitFor(record.ids, backlogMs);
      await session.catchUp();
      const figures = stepFigures(record, session.appendTimes, session.completions);
      const verdict = capacityVerdict(figures);
      steps.push({ ...figures, ...verdict });
      tried.push({ rate, passed: verdict.passed });
      note(
        `  ${
          verdict.passed ? "PASS" : "FAIL"
        } offered ${figures.achieved_orders_per_s}/s, done in drain ${figures.completed_in_drain}/${figures.published}, e2e p50/p99 ${figures.e2e_p50_ms}/${figures.e2e_p99_ms} ms, CPU ${figures.cpu_us_per_order.all} µs/order${
          verdict.passed ? "" : ` (${verdict.reason})`
        }`,
      );
      if (left > 0 || session.exitedRoles().length > 0) {
        note(`  ${left} orders still pending after ${backlogMs / 1000}s: a fresh chain for the next step`);
        await session.close();
        session = undefined;
      }
    }
  } finally {
    await session?.close();
  }
  const capacity = capacityOf(tried);
  return {
    orders_per_s: capacity,
    seconds,
    p99_limit_ms: capacityP99LimitMs,
    drain_s: capacityDrainMs / 1000,
    criterion: `runs of ${seconds} s; a rate passes when the publisher reaches ${
      minOfferedShare * 100
    } % of it, every order is done within the run + ${
      capacityDrainMs / 1000
    } s and end-to-end p99 <= ${capacityP99LimitMs} ms`,
    at_capacity: steps.find((s) => s.passed && s.offered_orders_per_s === capacity) ?? null,
    steps,
  };
}
