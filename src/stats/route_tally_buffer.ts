/**
 * The hops of `chain stats`, gathered per route and bucket for an interval and written as one `route_tallies`
 * row per route and interval instead of one per metadata write: at 100 orders/s the metadata log writes about
 * fifty times a second, the tallies once a second. The metadata row writer hands over the hops whose rows it
 * stored ({@link RouteTallyBuffer.add}); the buffer writes them through a {@link TallyWriter}.
 *
 * A group of hops is sealed when its write starts, so a write that fails is tried again (at the next interval)
 * as exactly the same hops, whose tally row has the same key: a retry overwrites, it never counts twice. Hops
 * wait at most `maxPendingHops`; beyond it the oldest sealed groups are dropped and counted. What waits is lost
 * if the process dies: at most an interval of hops, or what piled up while Cassandra was away
 * ({@link RouteTallyBuffer.pending}, `/metrics`' `chain_metadata_hops_untallied`).
 *
 * @module
 */
import type { RoutingRow } from "../routing/routing_log.ts";
import { isRetriable } from "../failure/retry_policy.ts";

/** Stores the tally of one group of hops (one route, one bucket); the same hops always make the same row. */
export interface TallyWriter {
  write(hops: readonly RoutingRow[]): Promise<void>;
}

/** How the buffer gathers and writes. */
export interface RouteTallyBufferOptions {
  /** How long hops gather before their tallies are written. */
  intervalMs: number;
  /** Hops waiting at most; beyond it the oldest are dropped and counted. */
  maxPendingHops: number;
  /** Hops of one tally at most: a group that reaches it is written at once (a tally row stays small). */
  maxGroupHops: number;
  /** The `route_tallies` group of a hop: its route and bucket. */
  groupOf(row: RoutingRow): string;
}

/** Counts of the buffer since it was made, in hops. */
export interface TallyCounts {
  written: number;
  dropped: number;
  failed: number;
  pending: number;
}

/** Gathers hops and writes one tally per group and interval; see the module notes. */
export class RouteTallyBuffer {
  readonly #writer: TallyWriter;
  readonly #options: RouteTallyBufferOptions;
  /** Hops gathering, per group. */
  #open = new Map<string, RoutingRow[]>();
  /** Groups whose write failed in a way that may pass, to be tried again as they are. */
  #sealed: RoutingRow[][] = [];
  #writing: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #counts = { written: 0, dropped: 0, failed: 0 };

  constructor(writer: TallyWriter, options: RouteTallyBufferOptions) {
    this.#writer = writer;
    this.#options = options;
  }

  /** Adds hops whose metadata rows were stored; their tallies are written within an interval. */
  add(rows: readonly RoutingRow[]): void {
    if (this.#closed) {
      this.#counts.dropped += rows.length;
      return;
    }
    let full = false;
    for (const row of rows) {
      const group = this.#options.groupOf(row);
      const hops = this.#open.get(group);
      if (hops) {
        hops.push(row);
        if (hops.length >= this.#options.maxGroupHops) full = true;
      } else this.#open.set(group, [row]);
    }
    this.#shed();
    if (full && !this.#writing) queueMicrotask(() => this.flush());
    else this.#schedule();
  }

  /** Hops waiting to be tallied. */
  pending(): number {
    let n = 0;
    for (const hops of this.#open.values()) n += hops.length;
    for (const hops of this.#sealed) n += hops.length;
    return n;
  }

  counts(): TallyCounts {
    return { ...this.#counts, pending: this.pending() };
  }

  /** Writes every group now (after the write in flight); resolves when done, failed or not. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#writing) await this.#writing;
    const groups = [...this.#sealed, ...this.#open.values()];
    this.#sealed = [];
    this.#open = new Map();
    if (groups.length === 0) return;
    const writing = this.#write(groups);
    this.#writing = writing;
    await writing;
    this.#writing = undefined;
    this.#schedule();
  }

  /** Writes what waits (one try), stops taking hops and counts what could not be written as dropped. */
  async close(): Promise<TallyCounts> {
    this.#closed = true;
    await this.flush();
    clearTimeout(this.#timer);
    return this.counts();
  }

  async #write(groups: RoutingRow[][]): Promise<void> {
    const results = await Promise.allSettled(groups.map((hops) => this.#writer.write(hops)));
    results.forEach((result, i) => {
      const hops = groups[i];
      if (result.status === "fulfilled") this.#counts.written += hops.length;
      else if (isRetriable(result.reason) && !this.#closed) this.#sealed.push(hops);
      else this.#counts.failed += hops.length;
    });
  }

  /** Drops the oldest waiting groups while more than `maxPendingHops` wait. */
  #shed(): void {
    let excess = this.pending() - this.#options.maxPendingHops;
    while (excess > 0 && this.#sealed.length > 0) {
      const hops = this.#sealed.shift()!;
      this.#counts.dropped += hops.length;
      excess -= hops.length;
    }
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed || (this.#open.size === 0 && this.#sealed.length === 0)) {
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, this.#options.intervalMs);
    // The role's consumer keeps the process alive; this timer alone must not.
    Deno.unrefTimer(this.#timer);
  }
}
