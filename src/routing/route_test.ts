import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { route, type RouteDecision } from "./route.ts";
import type { Route, RouteRegistry } from "./route_registry.ts";
import { encodeEnvelope, type Envelope } from "../envelope/envelope.ts";

const registry: RouteRegistry = new Map<string, Route>([
  ["initial-publisher", {
    workerName: "initial-publisher",
    targetTopic: "service-1-topic",
    enabled: true,
    routeId: "route-publisher-to-service1",
  }],
  ["paused", { workerName: "paused", targetTopic: "service-2-topic", enabled: false, routeId: "r-paused" }],
]);
const requestId = "550E8400-E29B-41D4-A716-446655440000";
const max = 4096;
const encoder = new TextEncoder();

function envelope(workerName: string): Envelope {
  return {
    request_id: requestId,
    worker_name: workerName,
    data: Buffer.from("ciphertext").toString("base64"),
    iv: Buffer.alloc(12, 1).toString("base64"),
    tag: Buffer.alloc(16, 2).toString("base64"),
  };
}

/** The value of an envelope from `initial-publisher` with some fields replaced or removed (`undefined`). */
function value(overrides: Record<string, unknown>): Uint8Array {
  return encoder.encode(JSON.stringify({ ...envelope("initial-publisher"), ...overrides }));
}

/** A dead letter with `reason`, filed under `filedAs` (the message's own valid request_id) or under none. */
function assertMalformed(
  decision: RouteDecision,
  detail: RegExp,
  filedAs: string | undefined = undefined,
  reason = "malformed",
): void {
  assert.equal(decision.kind, "dead_letter");
  if (decision.kind !== "dead_letter") return;
  assert.equal(decision.reason, reason);
  assert.match(decision.detail, detail);
  assert.equal(decision.requestId, filedAs);
  assert.equal(decision.workerName, undefined);
}

/** The request_id of {@link value}'s messages, as a malformed one is filed under it. */
const filed = requestId.toLowerCase();

Deno.test("route() forwards a known, enabled worker_name to its registry topic", () => {
  assert.deepEqual(route(encodeEnvelope(envelope("initial-publisher")), registry, max), {
    kind: "forward",
    topic: "service-1-topic",
    routeId: "route-publisher-to-service1",
    requestId: requestId.toLowerCase(),
    workerName: "initial-publisher",
  });
});

Deno.test("route() takes the topic from the registry, never from the message", () => {
  const decision = route(value({ topic: "elsewhere", targetTopic: "elsewhere" }), registry, max);
  assert.equal(decision.kind === "forward" && decision.topic, "service-1-topic");
});

Deno.test("route() sends an unknown worker_name to the dead-letter topic", () => {
  assert.deepEqual(route(encodeEnvelope(envelope("service-2-topic")), registry, max), {
    kind: "dead_letter",
    reason: "unknown_worker",
    detail: 'no route for worker_name "service-2-topic"',
    requestId: requestId.toLowerCase(),
    workerName: "service-2-topic",
  });
});

Deno.test("route() dead-letters a disabled route, naming it", () => {
  assert.deepEqual(route(encodeEnvelope(envelope("paused")), registry, max), {
    kind: "dead_letter",
    reason: "route_disabled",
    detail: 'route r-paused for worker_name "paused" is disabled',
    requestId: requestId.toLowerCase(),
    workerName: "paused",
  });
});

Deno.test("route() dead-letters a message with no value", () => {
  const expected = { kind: "dead_letter", reason: "malformed", detail: "message has no value" };
  assert.deepEqual(route(null, registry, max), expected);
  assert.deepEqual(route(new Uint8Array(), registry, max), expected);
});

Deno.test("route() dead-letters a message over the size limit as oversize, under its request_id", () => {
  assertMalformed(
    route(encodeEnvelope(envelope("initial-publisher")), registry, 10),
    /more than the limit of 10/,
    filed,
    "oversize",
  );
});

Deno.test("route() dead-letters a value that is not UTF-8 JSON", () => {
  assertMalformed(route(encoder.encode("not json"), registry, max), /not UTF-8 JSON/);
  assertMalformed(route(new Uint8Array([0x7b, 0xff, 0x7d]), registry, max), /not UTF-8 JSON/);
});

Deno.test("route() dead-letters JSON that is not an object", () => {
  assertMalformed(route(encoder.encode("[1,2]"), registry, max), /an array/);
  assertMalformed(route(encoder.encode('"initial-publisher"'), registry, max), /a string/);
  assertMalformed(route(encoder.encode("null"), registry, max), /null/);
});

Deno.test("route() dead-letters a missing field or a field of the wrong type", () => {
  assertMalformed(route(value({ tag: undefined }), registry, max), /tag is missing/, filed);
  assertMalformed(route(value({ worker_name: undefined }), registry, max), /worker_name is missing/, filed);
  assertMalformed(route(value({ data: 5 }), registry, max), /data must be a string/, filed);
  assertMalformed(route(value({ request_id: null }), registry, max), /request_id must be a string/);
});

Deno.test("route() dead-letters a bad request_id or worker_name", () => {
  assertMalformed(route(value({ request_id: "nope" }), registry, max), /request_id is not a UUID/);
  assertMalformed(
    route(value({ worker_name: "../initial-publisher" }), registry, max),
    /worker_name must be/,
    filed,
  );
  assertMalformed(route(value({ worker_name: "" }), registry, max), /worker_name must be/, filed);
});

Deno.test("route() dead-letters bad base64 and wrong iv or tag lengths", () => {
  assertMalformed(route(value({ data: "not base64!" }), registry, max), /data must be/, filed);
  assertMalformed(
    route(value({ iv: Buffer.alloc(11).toString("base64") }), registry, max),
    /iv must be 12/,
    filed,
  );
  assertMalformed(
    route(value({ tag: Buffer.alloc(15).toString("base64") }), registry, max),
    /tag must be 16/,
    filed,
  );
});

Deno.test("route() never puts the payload in a dead-letter detail", () => {
  const data = Buffer.from("top secret order").toString("base64");
  for (const overrides of [{ data: `${data}!` }, { data, iv: "short" }, { data, request_id: data }]) {
    const decision = route(value(overrides), registry, max);
    assert.ok(decision.kind === "dead_letter" && !decision.detail.includes(data), JSON.stringify(decision));
  }
});
