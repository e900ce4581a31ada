/**
 * Parts 1 and its baseline, repeated: for each of the mode's runs, the router with the metadata log on, then off,
 * then the kcat relay, all on the same preloaded envelopes. The report takes the medians.
 *
 * @module
 */
import { type BenchContext, note } from "./bench_context.ts";
import { relayRun } from "./relay_run.ts";
import { routerRun } from "./router_run.ts";

/** Every run's rates (msg/s), the envelopes lost over all runs, and the router's peak RSS per run. */
export interface ThroughputResults {
  withLog: number[];
  withoutLog: number[];
  relay: number[];
  coldWithLog: number[];
  coldRelay: number[];
  lost: number;
  routerRss: number[];
}

/** Runs the router (log on, log off) and the relay `context.mode.runs` times over `preloaded`. */
export async function throughputRuns(
  context: BenchContext,
  preloaded: Uint8Array[],
): Promise<ThroughputResults> {
  const runs = context.mode.runs;
  const results: ThroughputResults = {
    withLog: [],
    withoutLog: [],
    relay: [],
    coldWithLog: [],
    coldRelay: [],
    lost: 0,
    routerRss: [],
  };
  for (let run = 1; run <= runs; run++) {
    note(`run ${run}/${runs}: router with metadata log`);
    const a = await routerRun(context, preloaded, true, run);
    note(`  ${a.perSecond.toFixed(0)} msg/s, lost ${a.lost}, metadata ${JSON.stringify(a.metadata)}`);
    note(`run ${run}/${runs}: router without metadata log`);
    const b = await routerRun(context, preloaded, false, run);
    note(`  ${b.perSecond.toFixed(0)} msg/s, lost ${b.lost}`);
    note(`run ${run}/${runs}: kcat relay`);
    const c = await relayRun(context, preloaded, run);
    results.withLog.push(a.perSecond);
    results.withoutLog.push(b.perSecond);
    results.relay.push(c.perSecond);
    results.coldWithLog.push(a.coldPerSecond);
    results.coldRelay.push(c.coldPerSecond);
    results.lost += a.lost + b.lost + c.lost;
    results.routerRss.push(a.rss);
    note(`  ${c.perSecond.toFixed(0)} msg/s, lost ${c.lost}`);
  }
  return results;
}
