import assert from "node:assert/strict";
import { deadLetter, deadLetterHeader, fitOrDeadLetter, recordBytes } from "./dead_letter.ts";
import type { InRecord } from "./records.ts";

function consumed(valueBytes: number, key = "k-1"): InRecord {
  return {
    topic: "inbox",
    partition: 2,
    offset: "41",
    key: new TextEncoder().encode(key),
    value: new Uint8Array(valueBytes).fill(0x61),
    headers: {},
    timestamp: 0,
  };
}

Deno.test("deadLetter() keeps the original value and key with the reason and source headers when they fit", () => {
  const record = consumed(100);
  const out = deadLetter(record, "malformed", "not UTF-8 JSON", { topic: "dlq", limitBytes: 10_000 });
  assert.equal(out.topic, "dlq");
  assert.equal(out.value, record.value);
  assert.equal(out.key, record.key);
  assert.deepEqual(out.headers, {
    [deadLetterHeader.reason]: "malformed",
    [deadLetterHeader.detail]: "not UTF-8 JSON",
    [deadLetterHeader.sourceTopic]: "inbox",
    [deadLetterHeader.sourcePartition]: "2",
    [deadLetterHeader.sourceOffset]: "41",
  });
});

Deno.test("deadLetter() leaves the value out when it and the headers would exceed the limit, and says where it is", () => {
  const limit = 1_048_588;
  const record = consumed(1_048_400);
  assert.ok(
    recordBytes({ topic: "dlq", key: record.key, value: record.value! }) <= limit,
    "the original fits",
  );
  const out = deadLetter(record, "oversize", "message is too large", { topic: "dlq", limitBytes: limit });
  assert.equal(out.value, "");
  assert.ok(recordBytes(out) <= limit);
  assert.equal(out.headers?.[deadLetterHeader.reason], "oversize");
  assert.equal(out.headers?.[deadLetterHeader.sourceOffset], "41");
  assert.match(out.headers?.[deadLetterHeader.reduced] ?? "", /value of 1048400 bytes left out/);
});

Deno.test("deadLetter() drops even the key when the reduced record would not fit with it", () => {
  const out = deadLetter(consumed(10, "k".repeat(5000)), "malformed", "bad", {
    topic: "dlq",
    limitBytes: 2000,
  });
  assert.equal(out.key, null);
  assert.equal(out.headers?.[deadLetterHeader.sourcePartition], "2");
});

Deno.test("fitOrDeadLetter() passes a record that fits and dead-letters one that has grown too large", () => {
  const source = consumed(10);
  const dlq = { topic: "dlq", limitBytes: 10_000 };
  const small = { topic: "inbox", key: "k", value: "v".repeat(100) };
  assert.equal(fitOrDeadLetter(small, 1000, source, dlq), small);
  const grown = fitOrDeadLetter({ ...small, value: "v".repeat(2000) }, 1000, source, dlq);
  assert.equal(grown.topic, "dlq");
  assert.equal(grown.headers?.[deadLetterHeader.reason], "oversize");
  assert.match(
    grown.headers?.[deadLetterHeader.detail] ?? "",
    /record for inbox would be \d+ bytes, more than its limit of 1000/,
  );
});

Deno.test("recordBytes() counts key, value and headers in UTF-8 bytes, plus framing", () => {
  const base = recordBytes({ topic: "t", key: null, value: "" });
  assert.equal(recordBytes({ topic: "t", key: "ab", value: "é" }) - base, 2 + 2);
  assert.equal(recordBytes({ topic: "t", key: null, value: "", headers: { h: "xyz" } }) - base, 1 + 3 + 10);
});

Deno.test("deadLetter() keeps the original's headers (key id, traceparent) but not a chain-dlq-* header of its own", () => {
  const record: InRecord = {
    ...consumed(10),
    headers: {
      "chain-key-id": "2026-01",
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      [deadLetterHeader.reduced]: "forged",
      absent: undefined,
    },
  };
  const out = deadLetter(record, "route_disabled", "route r is disabled", {
    topic: "dlq",
    limitBytes: 10_000,
  });
  assert.equal(out.headers?.["chain-key-id"], "2026-01");
  assert.equal(out.headers?.traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  assert.equal(out.headers?.[deadLetterHeader.reduced], undefined);
  assert.equal(out.headers?.[deadLetterHeader.reason], "route_disabled");
  assert.ok(!("absent" in (out.headers ?? {})));
});
