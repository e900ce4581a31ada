import assert from "node:assert/strict";
import pino from "pino";
import {
  BufferedRoutingLog,
  type BufferedRoutingLogOptions,
  RowWriteError,
  type RowWriter,
} from "./buffered_routing_log.ts";
import { NoRoutingLog, type RoutingRow } from "./routing_log.ts";
import type { Logger } from "../logging/logger.ts";
import { createLogger } from "../logging/pino_logger.ts";

/** A writer whose every call waits for the test to settle it, unless it is set to answer at once. */
class ControlledWriter implements RowWriter {
  readonly calls: { rows: readonly RoutingRow[]; settle: PromiseWithResolvers<void> }[] = [];
  /** Resolves every call at once while true. */
  instant = false;
  #called = Promise.withResolvers<void>();

  write(rows: readonly RoutingRow[]): Promise<void> {
    const settle = Promise.withResolvers<void>();
    this.calls.push({ rows, settle });
    this.#called.resolve();
    this.#called = Promise.withResolvers<void>();
    if (this.instant) settle.resolve();
    return settle.promise;
  }

  /** Resolves on the next call to write(). */
  nextCall(): Promise<void> {
    return this.#called.promise;
  }

  written(): string[][] {
    return this.calls.map((c) => c.rows.map((r) => r.requestId));
  }
}

function row(n: number): RoutingRow {
  return {
    requestId: `req-${n}`,
    workerName: "initial-publisher",
    sourceTopic: "inbox",
    targetTopic: "s1",
    routeId: "to-s1",
    success: true,
    processingTimeMs: 0.5,
    routedAt: new Date(1_700_000_000_000 + n),
    sourcePartition: 0,
    sourceOffset: String(n),
  };
}

/** A warn-level logger that keeps its lines. */
function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

function options(overrides: Partial<BufferedRoutingLogOptions> = {}): BufferedRoutingLogOptions {
  return {
    capacity: 100,
    maxBatch: 10,
    concurrency: 1,
    logger: createLogger("silent", {}),
    reportEveryMs: 60_000,
    ...overrides,
  };
}

Deno.test("BufferedRoutingLog writes rows in the order they were logged, maxBatch at a time", async () => {
  const writer = new ControlledWriter();
  writer.instant = true;
  const log = new BufferedRoutingLog(writer, options({ maxBatch: 2, concurrency: 2 }));
  for (let n = 0; n < 5; n++) log.log(row(n));
  const stats = await log.flush(10_000);
  assert.deepEqual(writer.written(), [["req-0", "req-1"], ["req-2", "req-3"], ["req-4"]]);
  assert.deepEqual(stats, { written: 5, dropped: 0, failed: 0, pending: 0 });
  log.log(row(5));
  await log.close(10_000);
  assert.deepEqual(writer.written().at(-1), ["req-5"]);
});

Deno.test("BufferedRoutingLog with lingerMs gathers rows logged in separate ticks into one write", async () => {
  const writer = new ControlledWriter();
  writer.instant = true;
  const log = new BufferedRoutingLog(writer, options({ maxBatch: 10, lingerMs: 50 }));
  log.log(row(0));
  await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 5));
  log.log(row(1));
  assert.equal(writer.calls.length, 0, "nothing written before the linger ends");
  await writer.nextCall();
  assert.deepEqual(writer.written(), [["req-0", "req-1"]]);
  // A full write does not wait: maxBatch rows start one at once.
  for (let n = 2; n < 12; n++) log.log(row(n));
  await Promise.resolve();
  assert.deepEqual(writer.written()[1], Array.from({ length: 10 }, (_, i) => `req-${i + 2}`));
  // close() writes what lingers without waiting for the timer.
  log.log(row(12));
  const stats = await log.close(0);
  assert.deepEqual(writer.written().at(-1), ["req-12"]);
  assert.deepEqual(stats, { written: 13, dropped: 0, failed: 0, pending: 0 });
});

Deno.test("BufferedRoutingLog drops and counts rows beyond its capacity, and warns with counts only", async () => {
  const writer = new ControlledWriter();
  const { logger, lines } = capturingLogger();
  const log = new BufferedRoutingLog(writer, options({ capacity: 3, logger }));
  for (let n = 0; n < 5; n++) log.log(row(n));
  assert.deepEqual(log.stats(), { written: 0, dropped: 2, failed: 0, pending: 3 });
  assert.equal(lines.length, 1, "the first drop is reported at once, the second waits for the interval");
  assert.equal(lines[0].dropped, 1);
  await writer.nextCall();
  writer.calls[0].settle.resolve();
  const stats = await log.close(10_000);
  assert.deepEqual(stats, { written: 3, dropped: 2, failed: 0, pending: 0 });
  assert.deepEqual(writer.written(), [["req-0", "req-1", "req-2"]]);
  assert.equal(lines.length, 2, "close() reports what the interval held back");
  assert.deepEqual([lines[1].dropped, lines[1].totalDropped], [1, 2]);
  for (const line of lines) assert.ok(!JSON.stringify(line).includes("req-"), "no row content in a warning");
});

Deno.test("BufferedRoutingLog reports drops held back by the interval when the interval ends", async () => {
  const writer = new ControlledWriter();
  const second = Promise.withResolvers<Record<string, unknown>>();
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "warn" }, {
    write(line: string) {
      lines.push(JSON.parse(line));
      if (lines.length === 2) second.resolve(lines[1]);
    },
  });
  const log = new BufferedRoutingLog(writer, options({ capacity: 1, logger, reportEveryMs: 5 }));
  for (let n = 0; n < 4; n++) log.log(row(n));
  assert.equal(lines.length, 1);
  // The report timer is unref'd (it must not keep a process alive), so the test keeps the event loop running.
  const keepAlive = setInterval(() => {}, 1000);
  try {
    assert.deepEqual([(await second.promise).dropped, lines[1].totalDropped], [2, 3]);
  } finally {
    clearInterval(keepAlive);
  }
  writer.calls[0].settle.resolve();
  await log.close(10_000);
});

Deno.test("BufferedRoutingLog holds the rows of a write that may pass later and writes them once the writer is back", async () => {
  const writer = new ControlledWriter();
  const { logger, lines } = capturingLogger();
  const log = new BufferedRoutingLog(
    writer,
    options({ maxBatch: 2, logger, minBackoffMs: 1, maxBackoffMs: 4 }),
  );
  // The backoff timer does not keep a process alive (a role's consumer does); here an interval does.
  const keepAlive = setInterval(() => {}, 1000);
  log.log(row(0));
  log.log(row(1));
  await writer.nextCall();
  const retried = writer.nextCall();
  writer.calls[0].settle.reject(new Error("NoHostAvailableError: All host(s) tried for query failed"));
  log.log(row(2));
  await retried;
  assert.deepEqual(log.stats(), { written: 0, dropped: 0, failed: 0, pending: 3 }, "held, not lost");
  assert.equal(lines.length, 1);
  assert.deepEqual([lines[0].retries, lines[0].held, lines[0].error], [
    1,
    3,
    "NoHostAvailableError: All host(s) tried for query failed",
  ]);
  writer.instant = true;
  writer.calls[1].settle.resolve();
  assert.deepEqual(await log.flush(10_000), { written: 3, dropped: 0, failed: 0, pending: 0 });
  assert.deepEqual(
    writer.written().slice(1).flat(),
    ["req-0", "req-1", "req-2"],
    "the held rows first, in order",
  );
  await log.close(10_000);
  clearInterval(keepAlive);
});

Deno.test("BufferedRoutingLog tries a failed write again as exactly the same rows, even with room for more", async () => {
  const writer = new ControlledWriter();
  const log = new BufferedRoutingLog(writer, options({ maxBatch: 10, concurrency: 2, minBackoffMs: 1 }));
  const keepAlive = setInterval(() => {}, 1000);
  log.log(row(0));
  await writer.nextCall();
  log.log(row(1));
  await writer.nextCall();
  // Both writes fail; the newer one fails first. Meanwhile more rows arrive.
  const timeout = () =>
    Object.assign(new Error("OperationTimedOutError"), { name: "OperationTimedOutError" });
  writer.calls[1].settle.reject(timeout());
  writer.calls[0].settle.reject(timeout());
  log.log(row(2));
  log.log(row(3));
  writer.instant = true;
  assert.deepEqual(await log.flush(10_000), { written: 4, dropped: 0, failed: 0, pending: 0 });
  assert.deepEqual(writer.written().slice(2), [["req-1"], ["req-0"], ["req-2", "req-3"]]);
  await log.close(10_000);
  clearInterval(keepAlive);
});

Deno.test("BufferedRoutingLog counts a write that fails for good as failed, only its lost rows, and goes on", async () => {
  const writer = new ControlledWriter();
  const log = new BufferedRoutingLog(writer, options());
  for (let n = 0; n < 3; n++) log.log(row(n));
  await writer.nextCall();
  const invalid = Object.assign(new Error("unconfigured table"), { name: "ResponseError", code: 0x2200 });
  writer.calls[0].settle.reject(
    new RowWriteError("1 of 3 routing_metadata rows were not written: unconfigured table", 1, {
      cause: invalid,
    }),
  );
  assert.deepEqual(await log.flush(10_000), { written: 2, dropped: 0, failed: 1, pending: 0 });
  writer.instant = true;
  log.log(row(3));
  assert.deepEqual(await log.close(10_000), { written: 3, dropped: 0, failed: 1, pending: 0 });
});

Deno.test("BufferedRoutingLog.close() counts rows still held for an absent writer as dropped", async () => {
  const writer = new ControlledWriter();
  const log = new BufferedRoutingLog(writer, options({ maxBatch: 1, concurrency: 1, minBackoffMs: 60_000 }));
  log.log(row(0));
  log.log(row(1));
  await writer.nextCall();
  const probe = writer.nextCall();
  writer.calls[0].settle.reject(new Error("timeout"));
  await new Promise((resolve) => setTimeout(resolve, 10)); // the rows are held, backing off for a minute
  const closing = log.close(50);
  await probe;
  writer.calls[1].settle.reject(new Error("still away"));
  const stats = await closing;
  assert.equal(stats.written + stats.dropped + stats.failed, 2, "every row logged is accounted for");
  assert.deepEqual(stats, { written: 0, dropped: 1, failed: 1, pending: 0 });
});

Deno.test("BufferedRoutingLog counts the rows of a writer that throws instead of rejecting", async () => {
  const writer: RowWriter = {
    write() {
      throw new Error("not connected");
    },
  };
  const log = new BufferedRoutingLog(writer, options());
  log.log(row(0));
  assert.deepEqual(await log.close(10_000), { written: 0, dropped: 0, failed: 1, pending: 0 });
});

Deno.test("BufferedRoutingLog.log() returns at once while the writer is blocked", async () => {
  const writer = new ControlledWriter();
  const log = new BufferedRoutingLog(writer, options({ maxBatch: 1, concurrency: 1 }));
  log.log(row(0));
  await writer.nextCall();
  for (let n = 1; n <= 50; n++) assert.equal(log.log(row(n)), undefined);
  assert.equal(writer.calls.length, 1, "one write in flight at concurrency 1");
  assert.deepEqual(log.stats(), { written: 0, dropped: 0, failed: 0, pending: 51 });
  writer.instant = true;
  writer.calls[0].settle.resolve();
  assert.deepEqual(await log.close(10_000), { written: 51, dropped: 0, failed: 0, pending: 0 });
});

Deno.test("BufferedRoutingLog.flush() waits for the writes in flight", async () => {
  const writer = new ControlledWriter();
  const log = new BufferedRoutingLog(writer, options({ maxBatch: 1, concurrency: 2 }));
  log.log(row(0));
  log.log(row(1));
  await writer.nextCall();
  let flushed = false;
  const flushing = log.flush(10_000).then((stats) => {
    flushed = true;
    return stats;
  });
  writer.calls[0].settle.resolve();
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(flushed, false, "one write is still in flight");
  assert.equal(writer.calls.length, 2);
  writer.calls[1].settle.resolve();
  assert.deepEqual(await flushing, { written: 2, dropped: 0, failed: 0, pending: 0 });
  await log.close(10_000);
});

Deno.test("BufferedRoutingLog.flush() gives up after its timeout and reports what is pending", async () => {
  const writer = new ControlledWriter();
  const log = new BufferedRoutingLog(writer, options());
  log.log(row(0));
  log.log(row(1));
  assert.deepEqual(await log.flush(1), { written: 0, dropped: 0, failed: 0, pending: 2 });
  writer.calls[0].settle.resolve();
  assert.deepEqual(await log.close(10_000), { written: 2, dropped: 0, failed: 0, pending: 0 });
});

Deno.test("BufferedRoutingLog.close() stops taking rows and counts later ones as dropped", async () => {
  const writer = new ControlledWriter();
  writer.instant = true;
  const log = new BufferedRoutingLog(writer, options());
  log.log(row(0));
  await log.close(10_000);
  log.log(row(1));
  assert.deepEqual(log.stats(), { written: 1, dropped: 1, failed: 0, pending: 0 });
  assert.equal(writer.calls.length, 1);
});

Deno.test("BufferedRoutingLog rejects sizes that are not positive integers", () => {
  const writer = new ControlledWriter();
  assert.throws(() => new BufferedRoutingLog(writer, options({ capacity: 0 })), {
    name: "RangeError",
    message: "BufferedRoutingLog: capacity must be a positive integer, got 0",
  });
  assert.throws(() => new BufferedRoutingLog(writer, options({ maxBatch: 1.5 })), RangeError);
  assert.throws(() => new BufferedRoutingLog(writer, options({ concurrency: NaN })), RangeError);
  assert.throws(() => new BufferedRoutingLog(writer, options({ reportEveryMs: -1 })), RangeError);
});

Deno.test("NoRoutingLog takes rows and counts nothing", async () => {
  const log = new NoRoutingLog();
  log.log(row(0));
  const none = { written: 0, dropped: 0, failed: 0, pending: 0 };
  assert.deepEqual(log.stats(), none);
  assert.deepEqual(await log.flush(10), none);
  assert.deepEqual(await log.close(10), none);
});
