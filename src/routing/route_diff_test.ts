import assert from "node:assert/strict";
import {
  changesToApply,
  diffRoutes,
  formatDifference,
  planApply,
  type RouteDifference,
} from "./route_diff.ts";
import type { Route, RouteRegistry } from "./route_registry.ts";

const rules = { forbiddenTopics: ["inbox", "cc-dlq", "routes"] };
const SOURCE = "chain-routes";
const topics = new Set(["s1", "s2", "s3", "inbox"]);
const exists = (topic: string) => topics.has(topic);

const route = (workerName: string, targetTopic: string, routeId: string, enabled = true): Route =>
  Object.freeze({ workerName, targetTopic, enabled, routeId });
const registry = (...routes: Route[]): RouteRegistry => new Map(routes.map((r) => [r.workerName, r]));

const a = route("a", "s1", "route-a");
const b = route("b", "s2", "route-b");
const c = route("c", "s3", "route-c");

Deno.test("diffRoutes() finds nothing when the live routes are the file's", () => {
  assert.deepEqual(diffRoutes(registry(a, b), registry(b, a)), []);
});

Deno.test("diffRoutes() names each kind of difference once per worker, sorted by worker name", () => {
  const live = registry(
    route("e", "s1", "route-e"),
    route("d", "s1", "route-d", false),
    route("z-live-only", "s2", "route-z"),
    route("t", "s1", "route-t"),
    route("i", "s1", "route-i"),
    route("x", "s1", "route-x"),
  );
  const file = registry(
    route("e", "s1", "route-e", false),
    route("d", "s1", "route-d", true),
    route("t", "s2", "route-t"),
    route("i", "s1", "route-i2", false),
    route("x", "s1", "route-x"),
    route("n-new", "s3", "route-n"),
  );
  const differences = diffRoutes(live, file);
  assert.deepEqual(differences.map((d) => [d.workerName, d.kind]), [
    ["d", "enabled"],
    ["e", "disabled"],
    ["i", "changed"],
    ["n-new", "added"],
    ["t", "changed"],
    ["z-live-only", "deleted"],
  ]);
  assert.deepEqual(differences.find((d) => d.workerName === "t"), {
    kind: "changed",
    workerName: "t",
    before: live.get("t"),
    after: file.get("t"),
  });
});

Deno.test("changesToApply() keeps a live route the file lacks unless pruning", () => {
  const differences = diffRoutes(registry(a, b), registry(a, c));
  assert.deepEqual(changesToApply(differences, true).map((d) => d.kind), ["deleted", "added"]);
  assert.deepEqual(changesToApply(differences, false).map((d) => d.kind), ["added"]);
});

Deno.test("formatDifference() writes one line per kind, a deletion without --prune as kept", () => {
  const line = (live: Route[], file: Route[], prune = true) =>
    diffRoutes(registry(...live), registry(...file)).map((d) => formatDifference(d, prune));
  assert.deepEqual(line([], [a]), ["added    a: -> s1 (route-a, enabled)"]);
  assert.deepEqual(line([a], [b]).slice(0, 1), ["deleted  a: s1 (route-a, enabled) ->"]);
  assert.deepEqual(line([a], [b], false).slice(0, 1), [
    "kept     a: s1 (route-a, enabled) is live only; --prune deletes it",
  ]);
  assert.deepEqual(line([a], [{ ...a, enabled: false }]), ["disabled a: s1 (route-a)"]);
  assert.deepEqual(line([{ ...a, enabled: false }], [a]), ["enabled  a: s1 (route-a)"]);
  assert.deepEqual(line([a], [{ ...a, targetTopic: "s2" }]), ["changed  a: targetTopic s1 -> s2"]);
  assert.deepEqual(line([a], [{ ...a, routeId: "r2", enabled: false }]), [
    "changed  a: routeId route-a -> r2, enabled -> disabled",
  ]);
});

Deno.test("planApply() turns each difference into the record that removes it", () => {
  const live = registry(a, b, route("old", "s1", "route-old"));
  const file = registry({ ...a, enabled: false }, { ...b, targetTopic: "s3" }, c);
  const planned = planApply(live, changesToApply(diffRoutes(live, file), true), rules, exists, SOURCE);
  assert.deepEqual(planned.map((p) => [p.difference.kind, p.change]), [
    ["disabled", { workerName: "a", route: { ...a, enabled: false } }],
    ["changed", { workerName: "b", route: { ...b, targetTopic: "s3" } }],
    ["added", { workerName: "c", route: c }],
    ["deleted", { workerName: "old", route: null }],
  ]);
});

Deno.test("planApply() orders the records so each fits the routes the ones before it leave", () => {
  // "a" takes the routeId "b" gives up: "b" must change first, or a command center would reject a's record.
  const live = registry(a, b);
  const file = registry({ ...a, routeId: "route-b" }, { ...b, routeId: "route-b2" });
  const planned = planApply(live, diffRoutes(live, file), rules, exists, SOURCE);
  assert.deepEqual(planned.map((p) => p.change.workerName), ["b", "a"]);

  // The last live route is deleted only after the file's route is added.
  const one = registry(a);
  const replaced = planApply(one, diffRoutes(one, registry(c)), rules, exists, SOURCE);
  assert.deepEqual(replaced.map((p) => p.difference.kind), ["added", "deleted"]);
});

Deno.test("planApply() refuses the whole apply when a change breaks a rule", () => {
  const refuse = (live: RouteRegistry, changes: RouteDifference[], message: RegExp) =>
    assert.throws(() => planApply(live, changes, rules, exists, SOURCE), (error) => {
      assert.ok(error instanceof RangeError);
      assert.match(error.message, message);
      return true;
    });
  const live = registry(a, b);
  refuse(
    live,
    diffRoutes(live, registry(a, { ...b, targetTopic: "missing" })),
    /"b".*"missing" does not exist/,
  );
  refuse(live, diffRoutes(live, registry(a, { ...b, targetTopic: "routes" })), /"b".*would loop/);
  refuse(live, diffRoutes(live, registry(a, { ...b, targetTopic: "inbox" })), /"b".*would loop/);
  // Without --prune the live-only "b" stays, and still holds the routeId the file gives "c".
  refuse(
    live,
    changesToApply(diffRoutes(live, registry(a, { ...c, routeId: "route-b" })), false),
    /"c".*routeId "route-b" is already used by route "b"/,
  );
  // Two routes that swap ids: no order of single records gets there.
  refuse(
    live,
    diffRoutes(live, registry({ ...a, routeId: "route-b" }, { ...b, routeId: "route-a" })),
    /already used/,
  );
});
