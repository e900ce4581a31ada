/**
 * One measured step of a running chain: a publisher sends `rate` orders/s for `seconds`, then the step waits
 * until service-2 has completed every order it sent (at most `waitMs` after the last acknowledgement). While it
 * runs it samples, every 100 ms, the acknowledgements (for the rate actually offered), the publisher's CPU and
 * peak RSS, and the resident memory of the roles, Kafka and Cassandra; CPU seconds of every process are taken
 * at the start and the end of the step.
 *
 * @module
 */
import type { ChainSession } from "./chain_session.ts";
import { cpuSeconds, peakRssMiB, rssMiB } from "./process_stats.ts";
import { publisherTally, type RequestTally } from "./request_tally.ts";

/** What a step does. */
export interface StepPlan {
  /** Offered orders per second. */
  rate: number;
  seconds: number;
  /** How long after the last acknowledgement an order may complete and still count as done in the run. */
  drainMs: number;
  /** How long after the last acknowledgement the step waits for the rest before it ends. */
  waitMs: number;
  /** The publisher's seed (the orders' content; request_ids are random). */
  seed: number;
}

/** What a step saw; {@link ./step_figures.ts} turns it into figures. */
export interface StepRecord {
  plan: StepPlan;
  /** The request_ids the publisher had acknowledged by Kafka. */
  ids: string[];
  /** When the bench first saw acknowledgements, and how many (ms since the epoch). */
  firstAckAt: number;
  firstAckCount: number;
  /** When the bench saw the last acknowledgement. */
  lastAckAt: number;
  /** Orders completed by the end of the step (the CPU figures are divided by this). */
  completedInStep: number;
  /**
   * CPU seconds each process used during the step: the roles, Kafka and Cassandra from the publisher's start
   * to the step's end; the publisher from its first acknowledgement (its start-up left out) to its exit.
   */
  cpuSeconds: Record<string, number>;
  /** Peak resident memory during the step, MiB: VmRSS sampled every 100 ms; the publisher's VmHWM. */
  rssMiB: Record<string, number>;
  /**
   * The requests each role sent during the step (the difference of its `/metrics` counts at the publisher's
   * start and the step's end), and the publisher's (its whole run).
   */
  requests: Record<string, RequestTally>;
  /** What went wrong: a publisher that failed, a role that exited. Empty when nothing did. */
  problems: string[];
}

/** A short step that runs before the measured ones of a fresh chain (JIT, connections, caches). */
export const warmUpPlan: StepPlan = { rate: 100, seconds: 5, drainMs: 5000, waitMs: 30_000, seed: 99 };

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Runs one step on `session`. */
export async function runStep(session: ChainSession, plan: StepPlan): Promise<StepRecord> {
  const pids = session.pids();
  const cpuBefore = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const requestsBefore = await session.requestTallies();
  const rss: Record<string, number> = {};
  const count = Math.max(1, Math.round(plan.rate * plan.seconds));
  const publisher = session.startPublisher(plan.rate, count, plan.seed);
  const acks = { first: NaN, firstCount: 0, last: NaN, seen: 0, cpuStart: NaN, cpu: NaN };
  const sample = () => {
    const now = Date.now();
    const seen = publisher.stdout.length;
    if (seen > acks.seen) {
      if (acks.seen === 0) {
        acks.first = now;
        acks.firstCount = seen;
        acks.cpuStart = cpuSeconds(publisher.pid);
      }
      acks.last = now;
      acks.seen = seen;
    }
    const cpu = cpuSeconds(publisher.pid);
    if (Number.isFinite(cpu)) acks.cpu = cpu;
    const hwm = peakRssMiB(publisher.pid);
    if (Number.isFinite(hwm)) rss.publisher = hwm;
    for (const [name, pid] of Object.entries(pids)) {
      const mib = rssMiB(pid);
      if (Number.isFinite(mib)) rss[name] = Math.max(rss[name] ?? 0, mib);
    }
    session.poll();
  };
  const problems: string[] = [];
  const timer = setInterval(sample, 100);
  let ids: string[];
  try {
    const status = await publisher.finished();
    sample();
    if (status.code !== 0) problems.push(`publisher exited with code ${status.code}: ${publisher.tail(3)}`);
    ids = publisher.stdout.filter((line) => uuid.test(line));
    const waitUntil = (Number.isFinite(acks.last) ? acks.last : Date.now()) + plan.waitMs;
    await session.waitFor(ids, waitUntil - Date.now());
    sample();
  } finally {
    clearInterval(timer);
  }
  const requestsAfter = await session.requestTallies();
  const requests: Record<string, RequestTally> = { publisher: publisherTally(publisher.stderr) };
  for (const [name, after] of Object.entries(requestsAfter)) {
    const before = requestsBefore[name] ?? {};
    requests[name] = Object.fromEntries(Object.entries(after).map(([k, n]) => [k, n - (before[k] ?? 0)]));
  }
  const cpu: Record<string, number> = { publisher: acks.cpu - acks.cpuStart };
  const pidsAfter = session.pids();
  for (const [name, pid] of Object.entries(pids)) {
    // A service restarted meanwhile (by someone else's fault test, say): its CPU in the step is unknown.
    if (pidsAfter[name] !== pid) {
      problems.push(`${name} restarted during the step (pid ${pid} → ${pidsAfter[name]})`);
    }
    cpu[name] = pidsAfter[name] === pid ? cpuSeconds(pid) - cpuBefore[name] : NaN;
  }
  for (const name of session.exitedRoles()) problems.push(`${name} exited during the step`);
  return {
    plan,
    ids,
    firstAckAt: acks.first,
    firstAckCount: acks.firstCount,
    lastAckAt: acks.last,
    completedInStep: ids.length - session.pending(ids).length,
    cpuSeconds: cpu,
    rssMiB: rss,
    requests,
    problems,
  };
}
