/**
 * The bench's `idle` part: the whole chain standing with no traffic (after a warm-up, so every consumer has
 * joined and every connection is open), and the share of a core each process takes meanwhile, from /proc.
 * Issue 16's aim: at most 10 % of one core for all processes together.
 *
 * @module
 */
import { type BenchContext, note, sleep } from "./bench_context.ts";
import { ChainSession } from "./chain_session.ts";
import { cpuSeconds } from "./process_stats.ts";
import { runStep, warmUpPlan } from "./rate_step.ts";

/** Percent of one core per process (`all`: their sum) over the idle window. */
export interface IdleFigures {
  seconds: number;
  percent_of_a_core: Record<string, number>;
}

/** Each process's share of a core, from its CPU seconds before and after a window of `seconds`. */
export function idleShares(
  before: Record<string, number>,
  after: Record<string, number>,
  seconds: number,
): Record<string, number> {
  const shares: Record<string, number> = {};
  let all = 0;
  for (const [name, cpu] of Object.entries(after)) {
    const share = (100 * (cpu - (before[name] ?? NaN))) / seconds;
    shares[name] = Math.round(share * 100) / 100;
    all += share;
  }
  shares.all = Math.round(all * 100) / 100;
  return shares;
}

/** Stands the bench's chain up, warms it, then measures `seconds` with no traffic. */
export async function idleRun(context: BenchContext, seconds: number): Promise<IdleFigures> {
  note(`idle: the chain standing ${seconds}s with no traffic`);
  const session = await ChainSession.open(context, "idle");
  try {
    await runStep(session, warmUpPlan);
    await sleep(5000);
    const pids = session.pids();
    const cpu = () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
    const before = cpu();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    return { seconds, percent_of_a_core: idleShares(before, cpu(), (performance.now() - t0) / 1000) };
  } finally {
    await session.close();
  }
}
