import assert from "node:assert/strict";
import { route } from "./route.ts";
import type { Route, RouteRegistry } from "./route_registry.ts";
import { encodeEnvelope, type Envelope } from "../envelope.ts";

const registry: RouteRegistry = new Map<string, Route>([
  ["initial-publisher", {
    workerName: "initial-publisher",
    targetTopic: "service-1-topic",
    enabled: true,
    routeId: "r1",
  }],
  ["paused", { workerName: "paused", targetTopic: "service-2-topic", enabled: false, routeId: "r-paused" }],
]);
const id = "550E8400-E29B-41D4-A716-446655440000";

function envelope(worker: string, overrides: Partial<Record<keyof Envelope, unknown>> = {}): Uint8Array {
  const base = {
    request_id: id,
    worker_name: worker,
    data: "AAAA",
    iv: "AAAAAAAAAAAAAAAA",
    tag: "AAAAAAAAAAAAAAAAAAAAAA==",
  };
  return new TextEncoder().encode(JSON.stringify({ ...base, ...overrides }));
}

Deno.test("route() forwards a known, enabled worker_name to its registry topic", () => {
  assert.deepEqual(
    route(
      encodeEnvelope(JSON.parse(new TextDecoder().decode(envelope("initial-publisher")))),
      registry,
      4096,
    ),
    {
      kind: "forward",
      topic: "service-1-topic",
      routeId: "r1",
      requestId: id.toLowerCase(),
      workerName: "initial-publisher",
    },
  );
});

Deno.test("route() sends an unknown worker_name to the dead-letter topic", () => {
  const d = route(envelope("service-2-topic"), registry, 4096);
  assert.equal(d.kind, "dead_letter");
  assert.equal(d.kind === "dead_letter" && d.reason, "unknown_worker");
  assert.equal(d.kind === "dead_letter" && d.workerName, "service-2-topic", "a worker_name is never a topic");
});

Deno.test("route() dead-letters a disabled route, naming it", () => {
  const d = route(envelope("paused"), registry, 4096);
  assert.deepEqual(d, {
    kind: "dead_letter",
    reason: "route_disabled",
    detail: 'route r-paused for worker_name "paused" is disabled',
    requestId: id.toLowerCase(),
    workerName: "paused",
  });
});

Deno.test("route() dead-letters a message with no value", () => {
  assert.deepEqual(route(null, registry, 4096), {
    kind: "dead_letter",
    reason: "malformed",
    detail: "message has no value",
  });
  assert.equal(route(new Uint8Array(), registry, 4096).kind, "dead_letter");
});

Deno.test("route() dead-letters every malformed shape as malformed, with the parser's reason", () => {
  const cases: [Uint8Array, RegExp, number?][] = [
    [new TextEncoder().encode("not json"), /not UTF-8 JSON/],
    [new TextEncoder().encode("[1,2]"), /an array/],
    [envelope("initial-publisher", { request_id: "nope" }), /request_id is not a UUID/],
    [envelope("initial-publisher", { data: 5 }), /data must be a string/],
    [envelope("initial-publisher", { tag: undefined }), /tag is missing/],
    [envelope("initial-publisher", { iv: "AAAA" }), /iv must be 12 bytes/],
    [envelope("initial-publisher"), /more than the limit of 10/, 10],
  ];
  for (const [value, detail, limit] of cases) {
    const d = route(value, registry, limit ?? 4096);
    assert.equal(d.kind, "dead_letter");
    if (d.kind === "dead_letter") {
      assert.equal(d.reason, "malformed");
      assert.match(d.detail, detail);
    }
  }
});
