/**
 * Part 5, the curve: the whole chain at each of the mode's rates (100, 300, 1,000 orders/s) for the mode's
 * curve length, one running chain for all of them (warmed up first), each point waiting until every order it
 * sent is complete (at most five minutes) before the next starts.
 *
 * @module
 */
import { type BenchContext, note } from "./bench_context.ts";
import { capacityDrainMs } from "./capacity_search.ts";
import { ChainSession } from "./chain_session.ts";
import { runStep, warmUpPlan } from "./rate_step.ts";
import { stageNames, type StepFigures, stepFigures } from "./step_figures.ts";

/** How long a point waits for its last orders after its last acknowledgement. */
const pointWaitMs = 300_000;

/** Measures the whole chain at each of `rates` for `seconds`; one figure set per rate. */
export async function curveRun(context: BenchContext, rates: readonly number[], seconds: number) {
  const points: StepFigures[] = [];
  let session: ChainSession | undefined;
  try {
    for (const [i, rate] of rates.entries()) {
      if (!session) {
        session = await ChainSession.open(context, `curve${i}`);
        await runStep(session, warmUpPlan);
      }
      note(`curve: ${rate} orders/s for ${seconds}s through the whole chain`);
      const plan = { rate, seconds, drainMs: capacityDrainMs, waitMs: pointWaitMs, seed: 10 + i };
      const record = await runStep(session, plan);
      await session.catchUp();
      const point = stepFigures(record, session.appendTimes, session.completions);
      points.push(point);
      note(
        `  offered ${point.achieved_orders_per_s}/s, done ${point.completed}/${point.published}, hop p99 ${point.hop_p99_ms} ms, e2e p50/p99 ${point.e2e_p50_ms}/${point.e2e_p99_ms} ms, CPU ${point.cpu_us_per_order.all} µs/order`,
      );
      note(
        `  stages p50/p99 ms: ${
          stageNames.map((n) => `${n} ${point.stages[n].p50_ms}/${point.stages[n].p99_ms}`).join(", ")
        }`,
      );
      if (record.problems.length > 0) {
        note(`  ${record.problems.join("; ")}: a fresh chain for the next point`);
        await session.close();
        session = undefined;
      }
    }
  } finally {
    await session?.close();
  }
  return points;
}
