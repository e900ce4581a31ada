/**
 * The figures of one measured step of the whole chain (a point of the curve, a step of the capacity search),
 * from what the step saw, the orders' broker append times and their completion times. Pure.
 *
 * - Offered rate: acknowledged orders per second from the first acknowledgement the bench saw to the last.
 * - Hop: service-1 topic append − inbox append of the publisher's record, and service-2 topic append − inbox
 *   append of service-1's record (broker LogAppendTime on both, one clock).
 * - End to end: service-2's "order fulfilled/rejected" log time − inbox append of the publisher's record.
 * - Stages: where the end-to-end time goes, p50/p99 of each: `hop1` (command center to service-1's topic),
 *   `service1` (service-1's record on the inbox − its input's append), `hop2` (command center to service-2's
 *   topic), `service2` (completion − service-2's input append).
 * - CPU µs per order: each process's CPU seconds in the step over the orders completed in the step; `all` sums
 *   them.
 *
 * @module
 */
import type { StepRecord } from "./rate_step.ts";
import { summarise } from "./stats.ts";

/** Broker append times (ms) by request_id, the first of each. */
export interface AppendTimes {
  /** The publisher's record on the inbox. */
  inboxFirst: ReadonlyMap<string, number>;
  /** service-1's record on the inbox. */
  inboxSecond: ReadonlyMap<string, number>;
  /** The command center's forward to the service-1 topic. */
  s1: ReadonlyMap<string, number>;
  /** The command center's forward to the service-2 topic. */
  s2: ReadonlyMap<string, number>;
}

/** The figures of a step, as they go into the JSON (`curve` entries, `capacity.steps`). */
export interface StepFigures {
  offered_orders_per_s: number;
  /** What the publisher actually got acknowledged per second. */
  achieved_orders_per_s: number;
  seconds: number;
  published: number;
  /** Orders completed by the time the figures were taken. */
  completed: number;
  /** Orders completed within the run plus the drain. */
  completed_in_drain: number;
  drain_s: number;
  hop_p50_ms: number;
  hop_p95_ms: number;
  hop_p99_ms: number;
  hop_max_ms: number;
  e2e_p50_ms: number;
  e2e_p95_ms: number;
  e2e_p99_ms: number;
  e2e_max_ms: number;
  /** p50 and p99 (ms) of each stage of an order's way; see the module's notes. */
  stages: Record<StageName, { p50_ms: number; p99_ms: number }>;
  /** Per process, and `all`. */
  cpu_us_per_order: Record<string, number>;
  /** Peak resident memory per process, MiB. */
  rss_mib: Record<string, number>;
  /**
   * Requests and Cassandra rows per completed order, per role process (`kafka produce`, `cassandra batch`,
   * `rows written`, …), and `all` summed over them.
   */
  requests_per_order: Record<string, Record<string, number>>;
  problems: string[];
}

/** The stages of an order's way through the chain, in order. */
export const stageNames = ["hop1", "service1", "hop2", "service2"] as const;
export type StageName = typeof stageNames[number];

/** Figures of `step`, given the append times and completions known now. */
export function stepFigures(
  step: StepRecord,
  times: AppendTimes,
  completions: ReadonlyMap<string, number>,
): StepFigures {
  const { plan, ids } = step;
  const drainDeadline = step.lastAckAt + plan.drainMs;
  const hops: number[] = [];
  const e2e: number[] = [];
  const stages: Record<StageName, number[]> = { hop1: [], service1: [], hop2: [], service2: [] };
  let completed = 0;
  let inDrain = 0;
  for (const id of ids) {
    const done = completions.get(id);
    const sent = times.inboxFirst.get(id);
    if (done !== undefined) {
      completed++;
      if (done <= drainDeadline) inDrain++;
      if (sent !== undefined) e2e.push(done - sent);
    }
    const s1 = times.s1.get(id);
    const back = times.inboxSecond.get(id);
    const s2 = times.s2.get(id);
    if (sent !== undefined && s1 !== undefined) {
      hops.push(s1 - sent);
      stages.hop1.push(s1 - sent);
    }
    if (s1 !== undefined && back !== undefined) stages.service1.push(back - s1);
    if (back !== undefined && s2 !== undefined) {
      hops.push(s2 - back);
      stages.hop2.push(s2 - back);
    }
    if (s2 !== undefined && done !== undefined) stages.service2.push(done - s2);
  }
  const span = (step.lastAckAt - step.firstAckAt) / 1000;
  const hop = summarise(hops);
  const end = summarise(e2e);
  const cpu: Record<string, number> = {};
  let all = 0;
  for (const [name, seconds] of Object.entries(step.cpuSeconds)) {
    cpu[name] = step.completedInStep > 0 ? Math.round((seconds * 1e6) / step.completedInStep) : NaN;
    if (Number.isFinite(cpu[name])) all += cpu[name];
  }
  cpu.all = step.completedInStep > 0 ? all : NaN;
  return {
    offered_orders_per_s: plan.rate,
    achieved_orders_per_s: span > 0 ? Math.round((ids.length - step.firstAckCount) / span) : NaN,
    seconds: plan.seconds,
    published: ids.length,
    completed,
    completed_in_drain: inDrain,
    drain_s: plan.drainMs / 1000,
    hop_p50_ms: hop.p50,
    hop_p95_ms: hop.p95,
    hop_p99_ms: hop.p99,
    hop_max_ms: hop.max,
    e2e_p50_ms: end.p50,
    e2e_p95_ms: end.p95,
    e2e_p99_ms: end.p99,
    e2e_max_ms: end.max,
    stages: Object.fromEntries(stageNames.map((name) => {
      const { p50, p99 } = summarise(stages[name]);
      return [name, { p50_ms: p50, p99_ms: p99 }];
    })) as StepFigures["stages"],
    cpu_us_per_order: cpu,
    rss_mib: Object.fromEntries(
      Object.entries(step.rssMiB).map(([n, mib]) => [n, Math.round(mib * 10) / 10]),
    ),
    requests_per_order: requestsPerOrder(step.requests, step.completedInStep),
    problems: step.problems,
  };
}

/** Each process's request counts over `orders`, rounded to 0.01, and their sum as `all`. */
function requestsPerOrder(
  requests: Record<string, Record<string, number>>,
  orders: number,
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const all: Record<string, number> = {};
  for (const [process, tally] of Object.entries(requests ?? {})) {
    const row: Record<string, number> = {};
    for (const [name, n] of Object.entries(tally)) {
      if (!(n > 0) || !(orders > 0)) continue;
      row[name] = Math.round((100 * n) / orders) / 100;
      all[name] = (all[name] ?? 0) + n;
    }
    out[process] = row;
  }
  out.all = Object.fromEntries(
    Object.entries(all).map(([name, n]) => [name, orders > 0 ? Math.round((100 * n) / orders) / 100 : NaN]),
  );
  return out;
}
