/**
 * One test suite for every {@link RoutingLog}: the in-memory fake (src/testing/memory_routing_log.ts) and the
 * buffered log over Cassandra must behave alike, as the command center relies on them. Each case makes its own
 * log (for Cassandra: its own keyspace) and cleans it up.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { RoutingLog, RoutingLogStats, RoutingRow } from "./routing_log.ts";

/** How a contract case looks at the store behind the log, and breaks it: outside the port. */
export interface RoutingLogProbe {
  /** The rows stored for `requestId`, in any order. */
  rows(requestId: string): Promise<RoutingRow[]>;
  /** Makes every later write fail (for Cassandra: the table is dropped). */
  breakStore(): Promise<void>;
}

/** What a contract case needs: a fresh log over an empty store, its probe, and a way to remove them. */
export interface RoutingLogUnderTest {
  log: RoutingLog;
  probe: RoutingLogProbe;
  cleanup(): Promise<void>;
}

/** A successful hop of `requestId`, with the given fields changed. */
export function sampleRow(requestId: string, overrides: Partial<RoutingRow> = {}): RoutingRow {
  return {
    requestId,
    workerName: "initial-publisher",
    sourceTopic: "inbox",
    targetTopic: "s1",
    routeId: "to-s1",
    success: true,
    processingTimeMs: 1.25,
    routedAt: new Date("2026-11-25T10:00:00.000Z"),
    sourcePartition: 3,
    sourceOffset: "9007199254740993",
    ...overrides,
  };
}

const flushMs = 10_000;
const total = (s: RoutingLogStats) => s.written + s.dropped + s.failed + s.pending;
const byTime = (rows: RoutingRow[]) => [...rows].sort((a, b) => a.routedAt.getTime() - b.routedAt.getTime());

/** Registers the contract's Deno.test cases, named `<name>: …`, for the logs `make` returns. */
export function routingLogContract(name: string, make: () => Promise<RoutingLogUnderTest>): void {
  const test = (behaviour: string, fn: (log: RoutingLog, probe: RoutingLogProbe) => Promise<void>) =>
    Deno.test({
      name: `${name}: ${behaviour}`,
      // cassandra-driver keeps sockets and timers between the log's creation and its cleanup.
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const { log, probe, cleanup } = await make();
        try {
          await fn(log, probe);
        } finally {
          await cleanup();
        }
      },
    });

  test("a new log counts nothing, and flush() of it resolves at once", async (log) => {
    const none = { written: 0, dropped: 0, failed: 0, pending: 0 };
    assert.deepEqual(log.stats(), none);
    assert.deepEqual(await log.flush(flushMs), none);
  });

  test("rows logged are stored as given once flush() resolves", async (log, probe) => {
    const id = crypto.randomUUID();
    const start = Date.now();
    const given = [
      sampleRow(id, { routedAt: new Date(start) }),
      sampleRow(id, {
        workerName: "nobody",
        targetTopic: "command-center-dlq",
        routeId: "",
        success: false,
        processingTimeMs: 0.0625,
        routedAt: new Date(start + 7),
        reason: "unknown_worker: no route",
        sourcePartition: 0,
        sourceOffset: "0",
      }),
    ];
    for (const row of given) log.log(row);
    log.log(sampleRow(crypto.randomUUID(), { workerName: "another request" }));
    assert.deepEqual(await log.flush(flushMs), { written: 3, dropped: 0, failed: 0, pending: 0 });
    assert.deepEqual(byTime(await probe.rows(id)), given);
  });

  test("log() returns at once, and written + dropped + failed + pending is every row logged", async (log) => {
    const id = crypto.randomUUID();
    const start = Date.now();
    for (let i = 0; i < 25; i++) log.log(sampleRow(id, { routedAt: new Date(start + i) }));
    assert.equal(total(log.stats()), 25, "counted before any write finished");
    const flushed = await log.flush(flushMs);
    assert.deepEqual(flushed, { written: 25, dropped: 0, failed: 0, pending: 0 });
    assert.deepEqual(log.stats(), flushed);
  });

  test("close() writes what was logged before it, then drops and counts later rows", async (log, probe) => {
    const id = crypto.randomUUID();
    const start = Date.now();
    for (let i = 0; i < 5; i++) log.log(sampleRow(id, { routedAt: new Date(start + i) }));
    assert.deepEqual(await log.close(flushMs), { written: 5, dropped: 0, failed: 0, pending: 0 });
    log.log(sampleRow(id, { routedAt: new Date(start + 99), workerName: "too late" }));
    assert.deepEqual(log.stats(), { written: 5, dropped: 1, failed: 0, pending: 0 });
    const stored = await probe.rows(id);
    assert.equal(stored.length, 5);
    assert.ok(stored.every((r) => r.workerName !== "too late"));
  });

  test("rows whose write fails are counted as failed, not written, and log() still does not throw", async (
    log,
    probe,
  ) => {
    await probe.breakStore();
    const id = crypto.randomUUID();
    for (let i = 0; i < 3; i++) log.log(sampleRow(id, { routedAt: new Date(Date.now() + i) }));
    assert.deepEqual(await log.flush(flushMs), { written: 0, dropped: 0, failed: 3, pending: 0 });
  });
}
