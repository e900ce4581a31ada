import assert from "node:assert/strict";
import { type Service1Stats, service1WorkerName, validateBatch } from "./service_1.ts";
import { inRecord, MemorySink } from "../testing/memory_kafka.ts";
import {
  encodeEnvelope,
  KEY_ID_HEADER,
  openEnvelope,
  parseEnvelope,
  sealEnvelope,
} from "../envelope/envelope.ts";
import { parseKey } from "../envelope/aes_gcm.ts";
import { Keyring, LEGACY_KEY_ID } from "../envelope/keyring.ts";
import { deadLetterHeader } from "../messaging/dead_letter.ts";
import { createLogger } from "../logging/pino_logger.ts";
import { silentTracer } from "../testing/silent_tracer.ts";

const key = await parseKey("0".repeat(64));
const otherKey = await parseKey("1".repeat(64));
const options = { inboxTopic: "inbox", dlqTopic: "s1-dlq", maxMessageBytes: 65536, recordLimitBytes: 131072 };
const now = new Date("2026-11-25T10:00:00.000Z");
/** The ring of one legacy key: it opens the header-less envelopes most tests here seal, and seals as "default". */
const keyring = new Keyring(new Map([[LEGACY_KEY_ID, key]]), LEGACY_KEY_ID);
const deps = { keyring, now: () => now, logger: createLogger("silent", {}), tracer: silentTracer() };
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
  assert.equal(out.headers?.[KEY_ID_HEADER], LEGACY_KEY_ID, "sealed with the active key, named in a header");
  assert.deepEqual(await openEnvelope(key, envelope, LEGACY_KEY_ID), {
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
  const output = parseEnvelope(sink.sent[0].value as Uint8Array, 65536);
  const enriched = await openEnvelope(key, output, LEGACY_KEY_ID) as Record<
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

// Key ids and rotation: a ring of A (decrypt-only) and B (active).
const keyA = await parseKey("a".repeat(64));
const keyB = await parseKey("b".repeat(64));
const rotating = new Keyring(new Map([["A", keyA], ["B", keyB], [LEGACY_KEY_ID, key]]), "B");

/** A batch of records, each with its chain-key-id header when it has one. */
function keyedBatch(...records: { value: Uint8Array; keyId?: string }[]) {
  const batch = batchOf(...records.map((r) => r.value));
  return {
    ...batch,
    records: batch.records.map((r, i) => ({
      ...r,
      headers: records[i].keyId === undefined ? {} : { [KEY_ID_HEADER]: records[i].keyId },
    })),
  };
}

Deno.test("validateBatch() opens with the key the header names and seals with the active key, naming it", async () => {
  const requestId = crypto.randomUUID();
  const sealedWithA = await sealEnvelope(keyA, requestId, "initial-publisher", order, "A");
  const legacy = await sealEnvelope(key, crypto.randomUUID(), "initial-publisher", order);
  const sink = new MemorySink();
  const stats: Service1Stats = { valid: 0, invalid: 0, deadLettered: 0 };
  await validateBatch(
    keyedBatch({ value: encodeEnvelope(sealedWithA), keyId: "A" }, { value: encodeEnvelope(legacy) }),
    { ...deps, keyring: rotating, sink },
    options,
    stats,
  );
  assert.deepEqual(stats, { valid: 2, invalid: 0, deadLettered: 0 });
  for (const out of sink.sent) {
    assert.equal(out.topic, "inbox");
    assert.equal(out.headers?.[KEY_ID_HEADER], "B");
    const envelope = parseEnvelope(out.value as Uint8Array, 65536);
    assert.equal((await openEnvelope(keyB, envelope, "B") as { orderId: string }).orderId, "o-1");
    await assert.rejects(openEnvelope(keyB, envelope), "the key id is in the additional data");
  }
});

Deno.test("validateBatch() dead-letters an unknown key id as unknown_key, a swapped one as decrypt_failed", async () => {
  const sealedWithA = await sealEnvelope(keyA, crypto.randomUUID(), "initial-publisher", order, "A");
  const sealedWithC = await sealEnvelope(otherKey, crypto.randomUUID(), "initial-publisher", order, "C");
  const sink = new MemorySink();
  const stats: Service1Stats = { valid: 0, invalid: 0, deadLettered: 0 };
  await validateBatch(
    keyedBatch(
      { value: encodeEnvelope(sealedWithC), keyId: "C" },
      // Sealed with A, relabelled as B: B is in the ring, but the header is bound into the additional data.
      { value: encodeEnvelope(sealedWithA), keyId: "B" },
      { value: encodeEnvelope(sealedWithA), keyId: "not a key id" },
      { value: encodeEnvelope(sealedWithA), keyId: "A" },
    ),
    { ...deps, keyring: rotating, sink },
    options,
    stats,
  );
  assert.deepEqual(sink.sent.map((r) => [r.topic, r.headers?.[deadLetterHeader.reason]]), [
    ["s1-dlq", "unknown_key"],
    ["s1-dlq", "decrypt_failed"],
    ["s1-dlq", "malformed"],
    ["inbox", undefined],
  ]);
  assert.match(
    sink.sent[0].headers?.[deadLetterHeader.detail] ?? "",
    /key "C", which the keyring does not hold/,
  );
  assert.deepEqual(stats, { valid: 1, invalid: 0, deadLettered: 3 });
});

Deno.test("validateBatch() dead-letters a message without a key id as unknown_key when the ring has no default key", async () => {
  const legacy = await sealEnvelope(key, crypto.randomUUID(), "initial-publisher", order);
  const sink = new MemorySink();
  const stats: Service1Stats = { valid: 0, invalid: 0, deadLettered: 0 };
  const noLegacy = new Keyring(new Map([["A", keyA], ["B", keyB]]), "B");
  await validateBatch(
    keyedBatch({ value: encodeEnvelope(legacy) }),
    { ...deps, keyring: noLegacy, sink },
    options,
    stats,
  );
  assert.equal(sink.sent[0].headers?.[deadLetterHeader.reason], "unknown_key");
  assert.match(sink.sent[0].headers?.[deadLetterHeader.detail] ?? "", /no chain-key-id header/);
});
