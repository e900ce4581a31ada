import assert from "node:assert/strict";
import { type Service1Stats, service1WorkerName, validateBatch } from "./service_1.ts";
import { inRecord, MemorySink } from "../testing/memory_kafka.ts";
import { encodeEnvelope, openEnvelope, parseEnvelope, sealEnvelope } from "../envelope/envelope.ts";
import { parseKey } from "../envelope/aes_gcm.ts";
import { deadLetterHeader } from "../messaging/dead_letter.ts";
import { createLogger } from "../app/log.ts";

const key = await parseKey("0".repeat(64));
const otherKey = await parseKey("1".repeat(64));
const options = { inboxTopic: "inbox", dlqTopic: "s1-dlq", maxMessageBytes: 65536, recordLimitBytes: 131072 };
const now = new Date("2026-11-25T10:00:00.000Z");
const deps = { key, now: () => now, logger: createLogger("silent", {}) };
const order = {
  orderId: "o-1",
  userId: "u-1",
  email: "u-1@example.com",
  amount: 12.5,
  items: [{ sku: "sku-001", quantity: 1, price: 12.5 }],
};

function batchOf(...values: (Uint8Array | string)[]) {
  return {
    topic: "s1",
    partition: 0,
    records: values.map((v, i) => ({ ...inRecord(i, v, `k${i}`), topic: "s1", partition: 0 })),
  };
}

Deno.test("validateBatch() re-encrypts a valid order, enriched, to the inbox as service-1-publisher", async () => {
  const requestId = crypto.randomUUID();
  const incoming = await sealEnvelope(key, requestId, "initial-publisher", order);
  const sink = new MemorySink();
  const stats: Service1Stats = { valid: 0, invalid: 0, deadLettered: 0 };
  await validateBatch(batchOf(encodeEnvelope(incoming)), { ...deps, sink }, options, stats);
  assert.equal(sink.sent.length, 1);
  const out = sink.sent[0];
  assert.equal(out.topic, "inbox");
  assert.equal(out.key, requestId);
  const envelope = parseEnvelope(out.value as Uint8Array, 65536);
  assert.equal(envelope.request_id, requestId);
  assert.equal(envelope.worker_name, service1WorkerName);
  assert.notEqual(envelope.iv, incoming.iv, "a fresh IV");
  assert.deepEqual(await openEnvelope(key, envelope), {
    ...order,
    processedBy: "service-1",
    validationStatus: "valid",
    validatedAt: now.toISOString(),
  });
  assert.deepEqual(stats, { valid: 1, invalid: 0, deadLettered: 0 });
});

Deno.test("validateBatch() passes an invalid amount on as invalid with the reason", async () => {
  const incoming = await sealEnvelope(key, crypto.randomUUID(), "initial-publisher", {
    ...order,
    amount: 10000,
  });
  const sink = new MemorySink();
  const stats: Service1Stats = { valid: 0, invalid: 0, deadLettered: 0 };
  await validateBatch(batchOf(encodeEnvelope(incoming)), { ...deps, sink }, options, stats);
  const enriched = await openEnvelope(key, parseEnvelope(sink.sent[0].value as Uint8Array, 65536)) as Record<
    string,
    unknown
  >;
  assert.equal(enriched.validationStatus, "invalid");
  assert.match(String(enriched.validationReason), /amount/);
  assert.deepEqual(stats, { valid: 0, invalid: 1, deadLettered: 0 });
});

Deno.test("validateBatch() dead-letters a payload sealed with another key and carries on with the next", async () => {
  const wrong = await sealEnvelope(otherKey, crypto.randomUUID(), "initial-publisher", order);
  const right = await sealEnvelope(key, crypto.randomUUID(), "initial-publisher", order);
  const sink = new MemorySink();
  const stats: Service1Stats = { valid: 0, invalid: 0, deadLettered: 0 };
  await validateBatch(
    batchOf(encodeEnvelope(wrong), "garbage", encodeEnvelope(right)),
    { ...deps, sink },
    options,
    stats,
  );
  assert.deepEqual(sink.sent.map((r) => [r.topic, r.headers?.[deadLetterHeader.reason]]), [
    ["s1-dlq", "decrypt_failed"],
    ["s1-dlq", "malformed"],
    ["inbox", undefined],
  ]);
  assert.deepEqual(stats, { valid: 1, invalid: 0, deadLettered: 2 });
});
