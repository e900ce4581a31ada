/**
 * One test suite for every {@link RecordSink} and {@link RecordSource}: the in-memory fakes
 * (src/testing/memory_kafka.ts) and both Kafka adapters (platformatic and kafkajs) must behave alike, as the roles rely on them. Each case
 * makes its own topic and consumer group (for Kafka: fresh ones) and cleans them up.
 *
 * The contract assumes nothing about batch boundaries or about how partitions are handed out: only what
 * {@link RecordSource} promises (each partition in offset order, commit after the handler, a failed batch
 * again) and what {@link RecordSink} promises (records stored as sent, one key's records in order).
 *
 * @module
 */
import assert from "node:assert/strict";
import type { InRecord, RecordBatch, RecordSink, RecordSource } from "./records.ts";

/** A record put straight onto a partition by the probe, as another producer would. */
export interface ProducedRecord {
  key: string | null;
  value: string;
  headers?: Record<string, string>;
}

/** How a contract case puts records on the topic and looks at it: outside the ports. */
export interface RecordsProbe {
  /** Appends `records` to `partition` (0 or 1) of the topic, in order. */
  produce(partition: number, records: readonly ProducedRecord[]): Promise<void>;
  /** Every record on the topic now: partitions in ascending order, each in offset order. */
  read(): Promise<InRecord[]>;
  /** The offsets the group committed: partition → next offset to read; partitions never committed absent. */
  committed(): Promise<Record<number, string>>;
}

/** What a contract case needs: an empty topic of 2 partitions, the ports over it, a probe, a cleanup. */
export interface RecordsUnderTest {
  topic: string;
  sink: RecordSink;
  /** Consumes `topic` in the case's consumer group: each run() goes on from what the group committed. */
  source: RecordSource;
  probe: RecordsProbe;
  cleanup(): Promise<void>;
}

const text = (bytes: Uint8Array | null) => bytes === null ? null : new TextDecoder().decode(bytes);

/** A record as the contract compares it: no timestamp (each side has its own clock). */
function shape(r: InRecord) {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    key: text(r.key),
    value: text(r.value),
    headers: { ...r.headers },
  };
}

/**
 * Runs `source` until the handler aborts it or `timeoutMs` passes; resolves with whether it timed out, so a
 * fake that never hands a record fails the case instead of hanging it.
 */
async function runUntil(
  source: RecordSource,
  handler: (batch: RecordBatch, stop: () => void) => Promise<void>,
  timeoutMs = 30_000,
): Promise<{ timedOut: boolean }> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    await source.run((batch) => handler(batch, () => controller.abort()), controller.signal);
  } finally {
    clearTimeout(timer);
  }
  return { timedOut };
}

/** Registers the contract's Deno.test cases, named `<name>: …`, for what `make` returns. */
export function recordsContract(name: string, make: () => Promise<RecordsUnderTest>): void {
  const test = (behaviour: string, fn: (unit: RecordsUnderTest) => Promise<void>) =>
    Deno.test({
      name: `${name}: ${behaviour}`,
      // kafkajs keeps sockets and timers between a client's creation and its cleanup.
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const unit = await make();
        try {
          await fn(unit);
        } finally {
          await unit.cleanup();
        }
      },
    });

  test("send() resolves once the records are on the topic with key, value and headers as sent", async (u) => {
    const binary = new Uint8Array([0, 255, 1, 128]);
    await u.sink.send([]);
    await u.sink.send([
      { topic: u.topic, key: "k-text", value: "v-text", headers: { "x-a": "1", "x-b": "two" } },
      { topic: u.topic, key: new TextEncoder().encode("k-bytes"), value: binary },
      { topic: u.topic, key: null, value: "no key" },
    ]);
    const read = await u.probe.read();
    assert.equal(read.length, 3, "the empty send wrote nothing; the other wrote 3");
    const byValue = new Map(read.map((r) => [text(r.value), r]));
    const t = byValue.get("v-text")!;
    assert.deepEqual([text(t.key), { ...t.headers }], ["k-text", { "x-a": "1", "x-b": "two" }]);
    const b = read.find((r) => text(r.key) === "k-bytes")!;
    assert.deepEqual(b.value, binary, "bytes come back as they were sent");
    assert.deepEqual({ ...b.headers }, {}, "no headers sent, none read");
    assert.equal(byValue.get("no key")?.key, null);
    assert.ok(read.every((r) => r.topic === u.topic && Number.isFinite(r.timestamp)));
  });

  test("records of one key land on one partition in the order sent, across sends", async (u) => {
    const values = Array.from({ length: 6 }, (_, i) => `v${i}`);
    await u.sink.send(values.slice(0, 3).map((value) => ({ topic: u.topic, key: "same", value })));
    await u.sink.send([{ topic: u.topic, key: "other", value: "o" }]);
    await u.sink.send(values.slice(3).map((value) => ({ topic: u.topic, key: "same", value })));
    const same = (await u.probe.read()).filter((r) => text(r.key) === "same");
    assert.deepEqual(same.map((r) => text(r.value)), values);
    assert.equal(new Set(same.map((r) => r.partition)).size, 1, "one key, one partition");
    const offsets = same.map((r) => BigInt(r.offset));
    assert.ok(offsets.every((o, i) => i === 0 || o > offsets[i - 1]), "offsets grow");
  });

  test("run() hands every record of each partition in offset order, as produced, and commits them", async (u) => {
    await u.probe.produce(0, [
      { key: "a", value: "a0", headers: { "x-h": "h0" } },
      { key: null, value: "a1" },
      { key: "a", value: "a2" },
    ]);
    await u.probe.produce(1, [{ key: "b", value: "b0" }, {
      key: "b",
      value: "b1",
      headers: { "x-h": "h1" },
    }]);
    const handed: InRecord[] = [];
    const { timedOut } = await runUntil(u.source, (batch, stop) => {
      assert.ok(batch.records.every((r) => r.topic === batch.topic && r.partition === batch.partition));
      handed.push(...batch.records);
      if (handed.length >= 5) stop();
      return Promise.resolve();
    });
    assert.equal(timedOut, false, `handed ${handed.length} of 5 records`);
    const onPartition = (p: number) => handed.filter((r) => r.partition === p).map(shape);
    const expected = (partition: number, values: [string | null, string, Record<string, string>][]) =>
      values.map(([key, value, headers], i) => ({
        topic: u.topic,
        partition,
        offset: String(i),
        key,
        value,
        headers,
      }));
    assert.deepEqual(
      onPartition(0),
      expected(0, [["a", "a0", { "x-h": "h0" }], [null, "a1", {}], ["a", "a2", {}]]),
    );
    assert.deepEqual(onPartition(1), expected(1, [["b", "b0", {}], ["b", "b1", { "x-h": "h1" }]]));
    assert.deepEqual(await u.probe.committed(), { 0: "3", 1: "2" });
  });

  test("a batch whose handler throws is handed again and is not committed until a handler resolves", async (u) => {
    await u.probe.produce(0, [{ key: "k", value: "r0" }, { key: "k", value: "r1" }, {
      key: "k",
      value: "r2",
    }]);
    const firstOffsets: string[] = [];
    const finished: string[] = [];
    let failures = 0;
    let committedAfterFailure: Record<number, string> | undefined;
    const { timedOut } = await runUntil(u.source, async (batch, stop) => {
      firstOffsets.push(batch.records[0].offset);
      if (failures === 0) {
        failures++;
        throw new Error("first attempt fails");
      }
      committedAfterFailure ??= await u.probe.committed();
      finished.push(...batch.records.map((r) => text(r.value)!));
      if (finished.length >= 3) stop();
    });
    assert.equal(timedOut, false, `finished ${finished.length} of 3 records`);
    assert.deepEqual(firstOffsets.slice(0, 2), ["0", "0"], "the failed batch is handed again from its start");
    assert.deepEqual(committedAfterFailure, {}, "nothing committed for the failed batch");
    assert.deepEqual(finished, ["r0", "r1", "r2"], "every record once after the retry");
    assert.deepEqual(await u.probe.committed(), { 0: "3" });
  });

  test("a batch failing when run() is stopped is not committed; the group's next run() starts with it", async (u) => {
    await u.probe.produce(0, [{ key: "k", value: "r0" }, { key: "k", value: "r1" }, {
      key: "k",
      value: "r2",
    }]);
    const first: string[] = [];
    let producedMore = false;
    const run1 = await runUntil(u.source, async (batch, stop) => {
      const offsets = batch.records.map((r) => Number(r.offset));
      if (offsets[0] >= 3) {
        stop();
        throw new Error("failing while stopping");
      }
      assert.ok(offsets.every((o) => o < 3), "the records produced later come in a later batch");
      first.push(...batch.records.map((r) => text(r.value)!));
      if (offsets.includes(2) && !producedMore) {
        producedMore = true;
        await u.probe.produce(0, [{ key: "k", value: "r3" }, { key: "k", value: "r4" }]);
      }
    });
    assert.equal(run1.timedOut, false, "the first run stopped when told");
    assert.deepEqual(first, ["r0", "r1", "r2"]);
    assert.deepEqual(await u.probe.committed(), { 0: "3" }, "only the finished batch is committed");

    const second: InRecord[] = [];
    const run2 = await runUntil(u.source, (batch, stop) => {
      second.push(...batch.records);
      if (second.length >= 2) stop();
      return Promise.resolve();
    });
    assert.equal(run2.timedOut, false, `the next run handed ${second.length} of 2 records`);
    assert.deepEqual(second.map((r) => [r.offset, text(r.value)]), [["3", "r3"], ["4", "r4"]]);
    assert.deepEqual(await u.probe.committed(), { 0: "5" });
  });

  test("run() with a signal already aborted resolves without handing or committing anything", async (u) => {
    await u.probe.produce(0, [{ key: "k", value: "r0" }]);
    const controller = new AbortController();
    controller.abort();
    let handed = 0;
    await u.source.run(() => {
      handed++;
      return Promise.resolve();
    }, controller.signal);
    assert.equal(handed, 0);
    assert.deepEqual(await u.probe.committed(), {});
  });
}
