import assert from "node:assert/strict";
import {
  applyRouteChange,
  decodeRouteRecord,
  encodeRoute,
  LiveRouteRegistry,
  planRouteChange,
  type RouteRequest,
} from "./live_route_registry.ts";
import type { Route, RouteRegistry } from "./route_registry.ts";

const rules = { forbiddenTopics: ["inbox", "cc-dlq", "routes"] };
const SOURCE = "chain-routes";
const a: Route = { workerName: "a", targetTopic: "s1", enabled: true, routeId: "route-a" };
const b: Route = { workerName: "b", targetTopic: "s2", enabled: true, routeId: "route-b" };
const routes: RouteRegistry = new Map([["a", a], ["b", b]]);
const bytes = (text: string) => new TextEncoder().encode(text);
const topics = new Set(["s1", "s2", "s3", "inbox", "cc-dlq"]);
const plan = (request: RouteRequest) => planRouteChange(routes, request, rules, (t) => topics.has(t), SOURCE);

Deno.test("decodeRouteRecord() reads a route, a tombstone, and refuses bad keys and values", () => {
  assert.deepEqual(decodeRouteRecord(bytes("a"), bytes(encodeRoute(a)), SOURCE), {
    workerName: "a",
    route: a,
  });
  assert.deepEqual(decodeRouteRecord(bytes("a"), null, SOURCE), { workerName: "a", route: null });
  assert.throws(() => decodeRouteRecord(null, bytes(encodeRoute(a)), SOURCE), /no key/);
  assert.throws(() => decodeRouteRecord(bytes("bad name"), null, SOURCE), /worker name must be/);
  assert.throws(() => decodeRouteRecord(bytes("a"), bytes("{"), SOURCE), /not valid JSON/);
  assert.throws(
    () =>
      decodeRouteRecord(bytes("a"), bytes('{"targetTopic":"s1","enabled":true,"routeId":"r","x":1}'), SOURCE),
    /unknown key "x"/,
  );
});

Deno.test("applyRouteChange() sets, deletes, ignores repeats and rejects loops and duplicate routeIds", () => {
  const off = { ...a, enabled: false };
  const set = applyRouteChange(routes, { workerName: "a", route: off }, rules, SOURCE);
  assert.equal(set.result.kind, "set");
  assert.deepEqual(set.next.get("a"), off);
  assert.deepEqual(routes.get("a"), a, "the input map is left alone");

  const deleted = applyRouteChange(routes, { workerName: "b", route: null }, rules, SOURCE);
  assert.equal(deleted.result.kind, "deleted");
  assert.equal(deleted.next.has("b"), false);

  assert.equal(
    applyRouteChange(routes, { workerName: "a", route: a }, rules, SOURCE).result.kind,
    "unchanged",
  );
  assert.equal(
    applyRouteChange(routes, { workerName: "z", route: null }, rules, SOURCE).result.kind,
    "unchanged",
  );

  const loop = applyRouteChange(
    routes,
    { workerName: "a", route: { ...a, targetTopic: "inbox" } },
    rules,
    SOURCE,
  );
  assert.equal(loop.result.kind, "rejected");
  assert.equal(loop.next, routes);
  const dup = applyRouteChange(routes, { workerName: "c", route: { ...a, workerName: "c" } }, rules, SOURCE);
  assert.equal(dup.result.kind, "rejected");
  assert.match((dup.result as { error: string }).error, /routeId "route-a" is already used by route "a"/);
});

Deno.test("LiveRouteRegistry reads like a Map, applies changes, counts them and remembers every key", () => {
  const registry = new LiveRouteRegistry(rules, SOURCE);
  registry.apply({ workerName: "a", route: a });
  registry.apply({ workerName: "b", route: b });
  const before = registry.snapshot();
  registry.apply({ workerName: "a", route: { ...a, enabled: false } });
  registry.apply({ workerName: "b", route: null });
  registry.apply({ workerName: "a", route: { ...a, enabled: false } });
  registry.apply({ workerName: "x", error: new Error("bad") });
  assert.equal(registry.get("a")?.enabled, false);
  assert.equal(registry.has("b"), false);
  assert.equal(registry.size, 1);
  assert.deepEqual([...registry.values()].map((r) => r.workerName), ["a"]);
  assert.deepEqual([...registry].map(([k]) => k), ["a"]);
  assert.equal(before.get("a")?.enabled, true, "a snapshot does not change");
  assert.deepEqual(registry.counts, { changed: 4, unchanged: 1, rejected: 1 });
  assert.deepEqual([...registry.keysSeen()].sort(), ["a", "b", "x"]);
});

Deno.test("planRouteChange() turns enable, disable, delete and set into the record to publish", () => {
  assert.deepEqual(plan({ action: "disable", workerName: "a" }), {
    workerName: "a",
    route: { ...a, enabled: false },
  });
  assert.deepEqual(plan({ action: "enable", workerName: "a" }), {
    workerName: "a",
    route: a,
    noChange: true,
  });
  assert.deepEqual(plan({ action: "delete", workerName: "b" }), { workerName: "b", route: null });
  assert.deepEqual(plan({ action: "set", workerName: "a", targetTopic: "s3" }), {
    workerName: "a",
    route: { ...a, targetTopic: "s3" },
  });
  assert.deepEqual(plan({ action: "set", workerName: "new", targetTopic: "s3", enabled: false }), {
    workerName: "new",
    route: { workerName: "new", targetTopic: "s3", enabled: false, routeId: "route-new" },
  });
});

Deno.test("planRouteChange() refuses what a routes file may not hold, unknown routes and missing topics", () => {
  assert.throws(
    () => plan({ action: "disable", workerName: "nope" }),
    /^RangeError: no route for worker "nope"/,
  );
  assert.throws(() => plan({ action: "delete", workerName: "nope" }), /no route for worker "nope"/);
  assert.throws(
    () => plan({ action: "set", workerName: "a", targetTopic: "bad topic" }),
    /must be a Kafka topic/,
  );
  assert.throws(() => plan({ action: "set", workerName: "a", targetTopic: "gone" }), /"gone" does not exist/);
  assert.throws(() => plan({ action: "set", workerName: "a", targetTopic: "inbox" }), /would loop/);
  assert.throws(() => plan({ action: "set", workerName: "a", targetTopic: "cc-dlq" }), /would loop/);
  assert.throws(
    () => plan({ action: "set", workerName: "c", targetTopic: "s1", routeId: "route-b" }),
    /routeId "route-b" is already used by route "b"/,
  );
  assert.throws(() => plan({ action: "set", workerName: "bad name", targetTopic: "s1" }), /worker name/);
  const one: RouteRegistry = new Map([["a", a]]);
  assert.throws(
    () => planRouteChange(one, { action: "delete", workerName: "a" }, rules, () => true, SOURCE),
    /last route/,
  );
});
