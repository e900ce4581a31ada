import assert from "node:assert/strict";
import { fulfilBatch, markRetry, type Service2Stats } from "./service_2.ts";
import { inRecord, MemorySink } from "../testing/memory_kafka.ts";
import { MemoryOrderStore } from "../testing/memory_order_store.ts";
import { RecordingMailer } from "../testing/recording_mailer.ts";
import { encodeEnvelope, sealEnvelope } from "../envelope/envelope.ts";
import { parseKey } from "../envelope/aes_gcm.ts";
import { Keyring, LEGACY_KEY_ID } from "../envelope/keyring.ts";
import { deadLetterHeader } from "../messaging/dead_letter.ts";
import { createLogger } from "../logging/pino_logger.ts";
import { silentTracer } from "../testing/silent_tracer.ts";
import type { EnrichedOrder } from "../order/order.ts";

const key = await parseKey("2".repeat(64));
/** The ring of one legacy key: it opens the header-less envelopes these tests seal. */
const keyring = new Keyring(new Map([[LEGACY_KEY_ID, key]]), LEGACY_KEY_ID);
const logger = createLogger("silent", {});
const tracer = silentTracer();
const options = { dlqTopic: "s2-dlq", maxMessageBytes: 65536, recordLimitBytes: 131072 };
const items = [{ sku: "sku-001", quantity: 2, price: 5 }, { sku: "sku-002", quantity: 1, price: 3 }];
const valid: EnrichedOrder = {
  orderId: "o-1",
  userId: "u-1",
  email: "u-1@example.com",
  amount: 13,
  items,
  processedBy: "service-1",
  validationStatus: "valid",
  validatedAt: "2026-11-25T10:00:00.000Z",
};
const invalid: EnrichedOrder = {
  ...valid,
  amount: 0,
  validationStatus: "invalid",
  validationReason: "amount must be > 0 and < 10000",
};

function stats(): Service2Stats {
  return { fulfilled: 0, rejected: 0, repeated: 0, deadLettered: 0 };
}

/** Delivers `orders` (request_id, order) to service-2 as one batch; its stats. */
async function deliver(
  orders: [string, EnrichedOrder][],
  deps: { store: MemoryOrderStore; mailer: RecordingMailer; sink?: MemorySink },
): Promise<Service2Stats> {
  const records = await Promise.all(orders.map(async ([id, order], i) => ({
    ...inRecord(i, encodeEnvelope(await sealEnvelope(key, id, "service-1-publisher", order))),
    topic: "s2",
    partition: 0,
  })));
  const s = stats();
  await fulfilBatch(
    { topic: "s2", partition: 0, records },
    { sink: deps.sink ?? new MemorySink(), keyring, logger, tracer, ...deps },
    options,
    s,
  );
  return s;
}

const state = async (store: MemoryOrderStore, id: string) => (await store.states([id])).get(id);

Deno.test("service-2 saves a valid order, mails it once and takes its items off the inventory", async () => {
  const store = new MemoryOrderStore();
  const mailer = new RecordingMailer();
  const id = crypto.randomUUID();
  assert.deepEqual(await deliver([[id, valid]], { store, mailer }), { ...stats(), fulfilled: 1 });
  assert.deepEqual(await state(store, id), { saved: true, emailed: true, stockTaken: true });
  assert.equal(mailer.sent.length, 1);
  assert.equal(mailer.sent[0].requestId, id);
  assert.equal(mailer.sent[0].to, "u-1@example.com");
  assert.equal(await store.level("sku-001"), -2);
  assert.equal(await store.level("sku-002"), -1);
});

Deno.test("service-2 repeats nothing when the same order is delivered again, in the same batch or later", async () => {
  const store = new MemoryOrderStore();
  const mailer = new RecordingMailer();
  const id = crypto.randomUUID();
  assert.deepEqual(await deliver([[id, valid], [id, valid]], { store, mailer }), {
    ...stats(),
    fulfilled: 1,
    repeated: 1,
  });
  assert.deepEqual(await deliver([[id, valid]], { store, mailer }), { ...stats(), repeated: 1 });
  assert.equal(mailer.sent.length, 1);
  assert.equal(await store.level("sku-001"), -2);
});

Deno.test("service-2 asks the store once per batch for its requests' steps, then two requests per order", async () => {
  const store = new MemoryOrderStore();
  const mailer = new RecordingMailer();
  const ids = Array.from({ length: 5 }, () => crypto.randomUUID());
  const s = await deliver(ids.map((id) => [id, valid]), { store, mailer });
  assert.equal(s.fulfilled, 5);
  assert.deepEqual(store.calls, { states: 1, save: 0, saveAndTakeStock: 5, markEmailed: 5 });
  for (const id of ids) assert.equal((await state(store, id))?.emailed, true);
});

Deno.test("service-2 finishes the steps a failure left undone, and marks the mails that did go out", async () => {
  const store = new MemoryOrderStore();
  const mailer = new RecordingMailer();
  const [failing, fine] = [crypto.randomUUID(), crypto.randomUUID()];
  mailer.failNext = 1;
  mailer.failRetriable = true;
  await assert.rejects(deliver([[failing, valid], [fine, valid]], { store, mailer }));
  assert.deepEqual(await state(store, failing), { saved: true, emailed: false, stockTaken: true });
  assert.deepEqual(await state(store, fine), { saved: true, emailed: true, stockTaken: true });
  assert.deepEqual(await deliver([[failing, valid], [fine, valid]], { store, mailer }), {
    ...stats(),
    fulfilled: 1,
    repeated: 1,
  });
  assert.deepEqual(mailer.sent.map((m) => m.requestId).sort(), [failing, fine].sort(), "one mail each");
  assert.equal(await store.level("sku-001"), -4, "stock taken once per order");
});

Deno.test("service-2 records an invalid order as rejected, with no email and no inventory change", async () => {
  const store = new MemoryOrderStore();
  const mailer = new RecordingMailer();
  const id = crypto.randomUUID();
  assert.deepEqual(await deliver([[id, invalid]], { store, mailer }), { ...stats(), rejected: 1 });
  assert.equal(mailer.sent.length, 0);
  assert.equal(await store.level("sku-001"), 0);
  assert.equal((await state(store, id))?.saved, true);
  assert.deepEqual(await deliver([[id, invalid]], { store, mailer }), { ...stats(), repeated: 1 });
});

Deno.test("fulfilBatch() dead-letters what it cannot decrypt or read as an order, and fulfils the rest", async () => {
  const store = new MemoryOrderStore();
  const mailer = new RecordingMailer();
  const sink = new MemorySink();
  const good = await sealEnvelope(key, crypto.randomUUID(), "service-1-publisher", valid);
  const notAnOrder = await sealEnvelope(key, crypto.randomUUID(), "service-1-publisher", { hello: "world" });
  const tampered = { ...good, tag: "AAAAAAAAAAAAAAAAAAAAAA==" };
  const records = [encodeEnvelope(tampered), encodeEnvelope(notAnOrder), encodeEnvelope(good)]
    .map((v, i) => ({ ...inRecord(i, v), topic: "s2", partition: 0 }));
  const s = stats();
  await fulfilBatch(
    { topic: "s2", partition: 0, records },
    { sink, keyring, store, mailer, logger, tracer },
    options,
    s,
  );
  assert.deepEqual(sink.sent.map((r) => r.headers?.[deadLetterHeader.reason]), [
    "decrypt_failed",
    "invalid_payload",
  ]);
  assert.deepEqual(s, { fulfilled: 1, rejected: 0, repeated: 0, deadLettered: 2 });
  assert.equal(mailer.sent.length, 1);
});

Deno.test("fulfilBatch() dead-letters an order whose mail is refused for good, and fulfils the others", async () => {
  const store = new MemoryOrderStore();
  const mailer = new RecordingMailer();
  mailer.failNext = 1;
  mailer.failRetriable = false;
  const sink = new MemorySink();
  const refused = await sealEnvelope(key, crypto.randomUUID(), "service-1-publisher", valid);
  const fine = await sealEnvelope(key, crypto.randomUUID(), "service-1-publisher", valid);
  const records = [encodeEnvelope(refused), encodeEnvelope(fine)]
    .map((v, i) => ({ ...inRecord(i, v), topic: "s2", partition: 0 }));
  const s = stats();
  await fulfilBatch(
    { topic: "s2", partition: 0, records },
    { sink, keyring, store, mailer, logger, tracer },
    options,
    s,
  );
  assert.deepEqual(sink.sent.map((r) => r.headers?.[deadLetterHeader.reason]), ["permanent_failure"]);
  assert.equal(sink.sent[0].value, records[0].value, "the original envelope is kept for a replay");
  assert.deepEqual(s, { fulfilled: 1, rejected: 0, repeated: 0, deadLettered: 1 });
  assert.deepEqual(mailer.sent.map((c) => c.requestId), [fine.request_id]);
});

Deno.test("fulfilBatch() fails the batch on a mail failure that may pass later, so it comes again", async () => {
  const store = new MemoryOrderStore();
  const mailer = new RecordingMailer();
  mailer.failNext = 1;
  mailer.failRetriable = true;
  const sink = new MemorySink();
  const envelope = await sealEnvelope(key, crypto.randomUUID(), "service-1-publisher", valid);
  const records = [{ ...inRecord(0, encodeEnvelope(envelope)), topic: "s2", partition: 0 }];
  const batch = { topic: "s2", partition: 0, records };
  const s = stats();
  await assert.rejects(fulfilBatch(batch, { sink, keyring, store, mailer, logger, tracer }, options, s));
  assert.equal(sink.sent.length, 0, "nothing dead-lettered");
  await fulfilBatch(batch, { sink, keyring, store, mailer, logger, tracer }, options, s);
  assert.deepEqual(s, { fulfilled: 1, rejected: 0, repeated: 0, deadLettered: 0 });
  assert.equal(mailer.sent.length, 1);
});

Deno.test("service-2 keeps marking a sent mail while the store fails for now, so the mail is not sent again", async () => {
  class FlakyMarks extends MemoryOrderStore {
    failures = 2;
    override markEmailed(requestIds: readonly string[]): Promise<void> {
      if (this.failures-- > 0) {
        return Promise.reject(Object.assign(new Error("OperationTimedOutError"), { retriable: true }));
      }
      return super.markEmailed(requestIds);
    }
  }
  const store = new FlakyMarks();
  const mailer = new RecordingMailer();
  const id = crypto.randomUUID();
  assert.deepEqual(await deliver([[id, valid]], { store, mailer }), { ...stats(), fulfilled: 1 });
  assert.equal(store.failures, -1, "two failed marks, then one that held");
  assert.deepEqual(await state(store, id), { saved: true, emailed: true, stockTaken: true });
  assert.equal(mailer.sent.length, 1);
});

/**
 * Runs `run` on a fake clock: `performance.now()` stands still but for timers, and a timer fires at once (on a
 * real 0 ms timer) having moved the clock on by its delay. Minutes of backoff pass in milliseconds.
 */
async function onFakeClock<T>(run: () => Promise<T>): Promise<T> {
  const realNow = performance.now;
  const realSetTimeout = globalThis.setTimeout;
  let now = realNow.call(performance);
  performance.now = () => now;
  globalThis.setTimeout = ((callback: () => void, ms = 0) =>
    realSetTimeout(() => {
      now += ms;
      callback();
    }, 0)) as typeof setTimeout;
  try {
    return await run();
  } finally {
    performance.now = realNow;
    globalThis.setTimeout = realSetTimeout;
  }
}

/** A store whose marks fail for now (retriably) until `recovered` returns true; times them on the clock. */
class DownMarks extends MemoryOrderStore {
  attempts = 0;
  firstMs = NaN;
  lastMs = NaN;
  constructor(private readonly recovered: (store: DownMarks) => boolean) {
    super();
  }
  override markEmailed(requestIds: readonly string[]): Promise<void> {
    this.attempts++;
    this.lastMs = performance.now();
    if (this.attempts === 1) this.firstMs = this.lastMs;
    if (!this.recovered(this)) {
      return Promise.reject(Object.assign(new Error("NoHostAvailableError"), { retriable: true }));
    }
    return super.markEmailed(requestIds);
  }
}

Deno.test("service-2 waits out a store outage at the mark however long it lasts, and mails once", async () => {
  const tenMinutes = 10 * 60_000;
  const store = new DownMarks((s) => s.lastMs - s.firstMs >= tenMinutes);
  const mailer = new RecordingMailer();
  const id = crypto.randomUUID();
  const s = await onFakeClock(() => deliver([[id, valid]], { store, mailer }));
  assert.deepEqual(s, { ...stats(), fulfilled: 1 });
  assert.ok(store.lastMs - store.firstMs >= tenMinutes, "the mark held after 10 minutes of outage");
  assert.ok(store.attempts > 100, `${store.attempts} tries, backing off to ${markRetry.maxDelayMs} ms`);
  assert.deepEqual(await state(store, id), { saved: true, emailed: true, stockTaken: true });
  assert.equal(mailer.sent.length, 1);
});

Deno.test("service-2's stop ends the wait of a mark that keeps failing, and the batch fails unmarked", async () => {
  const stop = new AbortController();
  const store = new DownMarks((s) => {
    if (s.attempts === 3) stop.abort();
    return false;
  });
  const mailer = new RecordingMailer();
  const sink = new MemorySink();
  const id = crypto.randomUUID();
  const record = {
    ...inRecord(0, encodeEnvelope(await sealEnvelope(key, id, "service-1-publisher", valid))),
    topic: "s2",
    partition: 0,
  };
  const batch = { topic: "s2", partition: 0, records: [record] };
  await onFakeClock(() =>
    assert.rejects(
      fulfilBatch(
        batch,
        { sink, keyring, store, mailer, logger, tracer, signal: stop.signal },
        options,
        stats(),
      ),
    )
  );
  assert.equal(store.attempts, 3, "no try after the stop");
  assert.equal(mailer.sent.length, 1);
  assert.deepEqual(await state(store, id), { saved: true, emailed: false, stockTaken: true });
  assert.equal(sink.sent.length, 0, "nothing dead-lettered");
});
