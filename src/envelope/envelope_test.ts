import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  additionalData,
  encodeEnvelope,
  type Envelope,
  EnvelopeError,
  type EnvelopeErrorReason,
  KEY_ID_HEADER,
  openEnvelope,
  openWithKeyring,
  parseEnvelope,
  sealEnvelope,
  sealWithKeyring,
  UnknownKeyError,
} from "./envelope.ts";
import { Keyring, LEGACY_KEY_ID } from "./keyring.ts";
import { DecryptError, encrypt, parseKey } from "./aes_gcm.ts";
import { PayloadError } from "../failure/payload_error.ts";

const key = await parseKey("5a".repeat(32));
const requestId = "550e8400-e29b-41d4-a716-446655440000";
const order = {
  orderId: "o-1",
  userId: "u-1",
  amount: 42.5,
  items: [{ sku: "sku-001", quantity: 1, price: 42.5 }],
};
const sealed = await sealEnvelope(key, requestId, "initial-publisher", order);
const max = 1024 * 1024;

function bytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
}

function rejects(value: Uint8Array, reason: EnvelopeErrorReason, field?: string) {
  assert.throws(() => parseEnvelope(value, max), (error: unknown) => {
    assert.ok(error instanceof EnvelopeError, String(error));
    assert.equal(error.reason, reason);
    if (field) assert.equal(error.field, field);
    return true;
  });
}

function flipBase64(text: string): string {
  const raw = Buffer.from(text, "base64");
  raw[0] ^= 0x01;
  return raw.toString("base64");
}

Deno.test("sealEnvelope() then openEnvelope() gives the payload back", async () => {
  assert.equal(sealed.request_id, requestId);
  assert.equal(sealed.worker_name, "initial-publisher");
  assert.deepEqual(await openEnvelope(key, parseEnvelope(encodeEnvelope(sealed), max)), order);
});

Deno.test("encodeEnvelope() writes exactly the five fields in order", () => {
  const text = new TextDecoder().decode(encodeEnvelope({ ...sealed, extra: 1 } as Envelope));
  assert.deepEqual(Object.keys(JSON.parse(text)), ["request_id", "worker_name", "data", "iv", "tag"]);
});

Deno.test("additionalData() is chain-envelope-v1, the lower-case request_id and the worker_name, by newlines", () => {
  assert.equal(
    new TextDecoder().decode(additionalData(requestId.toUpperCase(), "initial-publisher")),
    `chain-envelope-v1\n${requestId}\ninitial-publisher`,
  );
});

for (const field of ["data", "iv", "tag"] as const) {
  Deno.test(`openEnvelope() rejects a changed ${field}`, async () => {
    await assert.rejects(openEnvelope(key, { ...sealed, [field]: flipBase64(sealed[field]) }), DecryptError);
  });
}

Deno.test("openEnvelope() rejects the payload moved to another request_id", async () => {
  await assert.rejects(openEnvelope(key, { ...sealed, request_id: crypto.randomUUID() }), DecryptError);
});

Deno.test("openEnvelope() rejects the payload relabelled with another worker_name", async () => {
  await assert.rejects(openEnvelope(key, { ...sealed, worker_name: "service-1-publisher" }), DecryptError);
});

Deno.test("openEnvelope() says a non-JSON plaintext is not JSON without showing it", async () => {
  const s = await encrypt(key, new TextEncoder().encode("secret words"), additionalData(requestId, "w"));
  const envelope: Envelope = {
    request_id: requestId,
    worker_name: "w",
    data: Buffer.from(s.ciphertext).toString("base64"),
    iv: Buffer.from(s.iv).toString("base64"),
    tag: Buffer.from(s.tag).toString("base64"),
  };
  await assert.rejects(openEnvelope(key, envelope), (e: unknown) => {
    assert.ok(e instanceof PayloadError);
    assert.ok(!e.message.includes("secret"));
    return true;
  });
});

Deno.test("parseEnvelope() accepts upper-case UUIDs and leaves unknown fields out", () => {
  const e = parseEnvelope(bytes({ trace: "x", ...sealed, request_id: requestId.toUpperCase(), n: 1 }), max);
  assert.deepEqual(e, { ...sealed, request_id: requestId.toUpperCase() });
  assert.deepEqual(Object.keys(e), ["request_id", "worker_name", "data", "iv", "tag"]);
});

Deno.test("parseEnvelope() accepts a message of exactly the size limit", () => {
  const value = encodeEnvelope(sealed);
  assert.deepEqual(parseEnvelope(value, value.byteLength), sealed);
});

Deno.test("parseEnvelope() rejects a message over the size limit", () => {
  assert.throws(() => parseEnvelope(bytes("x".repeat(max + 1)), max), {
    name: "EnvelopeError",
    message: /limit/,
  });
  assert.throws(() => parseEnvelope(encodeEnvelope(sealed), 10), { message: /more than the limit of 10/ });
});

Deno.test("parseEnvelope() rejects text that is not JSON", () => rejects(bytes("hello {"), "not_json"));
Deno.test("parseEnvelope() rejects invalid UTF-8", () =>
  rejects(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), "not_json"));
Deno.test("parseEnvelope() rejects a JSON array", () => rejects(bytes([sealed]), "not_object"));
Deno.test("parseEnvelope() rejects a JSON string", () => rejects(bytes('"envelope"'), "not_object"));
Deno.test("parseEnvelope() rejects JSON null", () => rejects(bytes("null"), "not_object"));

for (const field of ["request_id", "worker_name", "data", "iv", "tag"] as const) {
  Deno.test(`parseEnvelope() rejects a missing ${field}`, () => {
    const copy: Record<string, unknown> = { ...sealed };
    delete copy[field];
    rejects(bytes(copy), "missing_field", field);
  });
  for (
    const [label, wrong] of [["number", 7], ["null", null], ["object", { a: 1 }], ["array", ["x"]]] as const
  ) {
    Deno.test(`parseEnvelope() rejects ${field} as a ${label}`, () => {
      rejects(bytes({ ...sealed, [field]: wrong }), "wrong_type", field);
    });
  }
}

Deno.test("parseEnvelope() rejects a request_id that is not a UUID", () => {
  rejects(bytes({ ...sealed, request_id: "550e8400e29b41d4a716446655440000" }), "invalid_request_id");
  rejects(bytes({ ...sealed, request_id: "../../etc" }), "invalid_request_id");
});

Deno.test("parseEnvelope() rejects an empty worker_name", () => {
  rejects(bytes({ ...sealed, worker_name: "" }), "invalid_worker_name");
});
Deno.test("parseEnvelope() rejects a worker_name with a slash or a space", () => {
  rejects(bytes({ ...sealed, worker_name: "a/b" }), "invalid_worker_name");
  rejects(bytes({ ...sealed, worker_name: "a b" }), "invalid_worker_name");
});
Deno.test("parseEnvelope() rejects a worker_name of 129 characters", () => {
  rejects(bytes({ ...sealed, worker_name: "w".repeat(129) }), "invalid_worker_name");
  assert.equal(
    parseEnvelope(bytes({ ...sealed, worker_name: "w".repeat(128) }), max).worker_name.length,
    128,
  );
});

Deno.test("parseEnvelope() rejects data that is not base64", () => {
  rejects(bytes({ ...sealed, data: "not base64!" }), "invalid_base64", "data");
  rejects(bytes({ ...sealed, data: "" }), "invalid_base64", "data");
  rejects(bytes({ ...sealed, data: "abc" }), "invalid_base64", "data");
});

Deno.test("parseEnvelope() rejects an iv of 11 or 13 bytes", () => {
  rejects(bytes({ ...sealed, iv: Buffer.alloc(11).toString("base64") }), "invalid_iv_length", "iv");
  rejects(bytes({ ...sealed, iv: Buffer.alloc(13).toString("base64") }), "invalid_iv_length", "iv");
});

Deno.test("parseEnvelope() rejects a tag of 15 bytes", () => {
  rejects(bytes({ ...sealed, tag: Buffer.alloc(15).toString("base64") }), "invalid_tag_length", "tag");
  rejects(bytes({ ...sealed, tag: Buffer.alloc(17).toString("base64") }), "invalid_tag_length", "tag");
});

Deno.test("sealEnvelope() refuses a request_id or worker_name that could not travel", async () => {
  await assert.rejects(sealEnvelope(key, "nope", "w", {}), {
    name: "EnvelopeError",
    reason: "invalid_request_id",
  });
  await assert.rejects(sealEnvelope(key, requestId, "a b", {}), {
    name: "EnvelopeError",
    reason: "invalid_worker_name",
  });
});

Deno.test("sealEnvelope() refuses a payload with no JSON form", async () => {
  await assert.rejects(sealEnvelope(key, requestId, "w", undefined), TypeError);
  await assert.rejects(sealEnvelope(key, requestId, "w", () => 1), TypeError);
});

Deno.test("sealEnvelope() output passes parseEnvelope() and draws a fresh iv each time", async () => {
  const again = await sealEnvelope(key, requestId, "initial-publisher", order);
  assert.deepEqual(parseEnvelope(encodeEnvelope(again), max), again);
  assert.notEqual(again.iv, sealed.iv);
  assert.notEqual(again.data, sealed.data);
});

Deno.test("EnvelopeError messages never contain the field values", () => {
  const secret = "c2VjcmV0LXNlY3JldA==";
  for (
    const bad of [
      { ...sealed, worker_name: secret + "/" },
      { ...sealed, request_id: secret },
      { ...sealed, data: secret + "!" },
      { ...sealed, iv: secret },
      { ...sealed, tag: secret },
    ]
  ) {
    assert.throws(() => parseEnvelope(bytes(bad), max), (error: unknown) => {
      assert.ok(error instanceof EnvelopeError);
      assert.ok(!error.message.includes(secret), error.message);
      return true;
    });
  }
});

// Key ids: the id travels in the record's header and is bound into the additional data.
const keyA = await parseKey("a1".repeat(32));
const keyB = await parseKey("b2".repeat(32));
const ring = new Keyring(new Map([["A", keyA], ["B", keyB], [LEGACY_KEY_ID, key]]), "B");

Deno.test("the key id header is chain-key-id", () => {
  assert.equal(KEY_ID_HEADER, "chain-key-id");
});

Deno.test("additionalData() with a key id is chain-envelope-v2, request_id, worker_name and key id, by newlines", () => {
  const aad = additionalData(requestId.toUpperCase(), "initial-publisher", "2026-01");
  assert.equal(
    new TextDecoder().decode(aad),
    `chain-envelope-v2\n${requestId}\ninitial-publisher\n2026-01`,
  );
  assert.equal(aad.byteLength, 80, "README's example length");
});

Deno.test("sealWithKeyring() seals with the active key and names it; openWithKeyring() opens it by that id", async () => {
  const { envelope, keyId } = await sealWithKeyring(ring, requestId, "initial-publisher", order);
  assert.equal(keyId, "B");
  assert.deepEqual(await openWithKeyring(ring, envelope, "B"), order);
  assert.deepEqual(await openEnvelope(keyB, envelope, "B"), order);
  await assert.rejects(openEnvelope(keyB, envelope), DecryptError, "without the key id the AAD differs");
});

Deno.test("openWithKeyring() fails authentication when the header names another key the ring holds", async () => {
  const { envelope } = await sealWithKeyring(ring, requestId, "initial-publisher", order);
  await assert.rejects(openWithKeyring(ring, envelope, "A"), DecryptError);
  // The same key under another id: the key id alone in the additional data makes it fail.
  const twin = new Keyring(new Map([["B", keyB], ["B2", keyB]]), "B");
  await assert.rejects(openWithKeyring(twin, envelope, "B2"), DecryptError);
});

Deno.test("openWithKeyring() refuses a key id the ring does not hold with UnknownKeyError", async () => {
  const sealedWithC = await sealEnvelope(await parseKey("c3".repeat(32)), requestId, "w", order, "C");
  await assert.rejects(openWithKeyring(ring, sealedWithC, "C"), (e: unknown) => {
    assert.ok(e instanceof UnknownKeyError);
    assert.match(e.message, /key "C", which the keyring does not hold/);
    return true;
  });
  await assert.rejects(openWithKeyring(ring, sealedWithC, "x".repeat(300)), {
    name: "UnknownKeyError",
    message: /of 300 characters \(not a key id\)/,
  });
});

Deno.test("openWithKeyring() opens a message without a key id (the old format) with the default key", async () => {
  assert.deepEqual(await openWithKeyring(ring, sealed, undefined), order);
  const withoutDefault = new Keyring(new Map([["A", keyA], ["B", keyB]]), "B");
  await assert.rejects(openWithKeyring(withoutDefault, sealed, undefined), {
    name: "UnknownKeyError",
    message: /no chain-key-id header/,
  });
  // A header-less message under a key other than the default one does not authenticate.
  const underA = await sealEnvelope(keyA, requestId, "initial-publisher", order);
  await assert.rejects(openWithKeyring(ring, underA, undefined), DecryptError);
});

Deno.test("sealEnvelope() refuses a key id that could not travel", async () => {
  await assert.rejects(sealEnvelope(key, requestId, "w", {}, "a b"), RangeError);
  await assert.rejects(sealEnvelope(key, requestId, "w", {}, ""), RangeError);
  await assert.rejects(sealEnvelope(key, requestId, "w", {}, "k".repeat(65)), RangeError);
});
