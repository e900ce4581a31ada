/**
 * CPU and context switches per thread of a process, from Linux's /proc/PID/task/TID: what a JVM's worker pools
 * cost (Cassandra's `MutationStage`, `Native-Transport-Requests`, Kafka's `data-plane-kafka-request-handler`),
 * which a Java profiler that sees only Java frames misses when the time is spent parking and waking.
 *
 * @module
 */

/** One thread's counters at one moment. */
export interface ThreadSample {
  /** The thread's name (`comm`), at most 15 characters. */
  name: string;
  /** CPU seconds, user and system. */
  user: number;
  system: number;
  voluntarySwitches: number;
  involuntarySwitches: number;
}

/** Per-thread counters of `pid`, keyed by thread id; empty when the process is gone. */
export function threadSamples(pid: number): Map<number, ThreadSample> {
  const out = new Map<number, ThreadSample>();
  let tasks: Iterable<Deno.DirEntry>;
  try {
    tasks = Deno.readDirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const task of tasks) {
    const tid = Number(task.name);
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/task/${tid}/stat`);
      const close = stat.lastIndexOf(")");
      const name = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      const status = Deno.readTextFileSync(`/proc/${pid}/task/${tid}/status`);
      out.set(tid, {
        name,
        user: Number(fields[11]) / 100,
        system: Number(fields[12]) / 100,
        voluntarySwitches: Number(status.match(/^voluntary_ctxt_switches:\s+(\d+)/m)?.[1] ?? 0),
        involuntarySwitches: Number(status.match(/^nonvoluntary_ctxt_switches:\s+(\d+)/m)?.[1] ?? 0),
      });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** A pool's threads share a name up to their number: `MutationStage-3` is `MutationStage-*`. */
export function poolName(threadName: string): string {
  return threadName.replace(/[-_ #:]?\d+$/, "*").replace(/\d+/g, "#");
}

/** What a pool of threads used between two samples. */
export interface PoolUse {
  pool: string;
  threads: number;
  userSeconds: number;
  systemSeconds: number;
  voluntarySwitches: number;
  involuntarySwitches: number;
}

/** The use of each pool between `before` and `after` (threads born meanwhile count from zero), busiest first. */
export function poolUse(
  before: ReadonlyMap<number, ThreadSample>,
  after: ReadonlyMap<number, ThreadSample>,
): PoolUse[] {
  const pools = new Map<string, PoolUse>();
  for (const [tid, now] of after) {
    const then = before.get(tid);
    const pool = poolName(now.name);
    const use = pools.get(pool) ??
      { pool, threads: 0, userSeconds: 0, systemSeconds: 0, voluntarySwitches: 0, involuntarySwitches: 0 };
    use.threads++;
    use.userSeconds += now.user - (then?.user ?? 0);
    use.systemSeconds += now.system - (then?.system ?? 0);
    use.voluntarySwitches += now.voluntarySwitches - (then?.voluntarySwitches ?? 0);
    use.involuntarySwitches += now.involuntarySwitches - (then?.involuntarySwitches ?? 0);
    pools.set(pool, use);
  }
  return [...pools.values()].sort((a, b) =>
    (b.userSeconds + b.systemSeconds) - (a.userSeconds + a.systemSeconds)
  );
}
