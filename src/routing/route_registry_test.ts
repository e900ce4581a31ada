import assert from "node:assert/strict";
import { assertNoLoops, parseRouteRegistry, type Route } from "./route_registry.ts";

const SOURCE = "routes.json";

function registryText(routes: unknown): string {
  return JSON.stringify({ routes });
}

function oneRoute(workerName: string, route: Record<string, unknown>): string {
  return registryText({ [workerName]: route });
}

const GOOD_ROUTE = { targetTopic: "service-1-topic", enabled: true, routeId: "route-a" };

function withRouteField(field: string, value: unknown): string {
  return oneRoute("worker-a", { ...GOOD_ROUTE, [field]: value });
}

Deno.test("parseRouteRegistry() reads the shipped routes.json as the two default routes", async () => {
  const text = await Deno.readTextFile(new URL("../../routes.json", import.meta.url));
  const registry = parseRouteRegistry(text, SOURCE);
  assert.deepEqual([...registry.entries()], [
    ["initial-publisher", {
      workerName: "initial-publisher",
      targetTopic: "service-1-topic",
      enabled: true,
      routeId: "route-publisher-to-service1",
    }],
    ["service-1-publisher", {
      workerName: "service-1-publisher",
      targetTopic: "service-2-topic",
      enabled: true,
      routeId: "route-service1-to-service2",
    }],
  ]);
});

Deno.test("parseRouteRegistry() keeps a disabled route", () => {
  const registry = parseRouteRegistry(withRouteField("enabled", false), SOURCE);
  assert.equal(registry.get("worker-a")?.enabled, false);
});

Deno.test("parseRouteRegistry() returns a registry that cannot be changed", () => {
  const registry = parseRouteRegistry(oneRoute("worker-a", GOOD_ROUTE), SOURCE);
  const route = registry.get("worker-a") as Route;
  assert.ok(Object.isFrozen(registry));
  assert.ok(Object.isFrozen(route));
  const mutable = registry as Map<string, Route>;
  assert.throws(() => mutable.set("worker-b", route), TypeError);
  assert.throws(() => mutable.delete("worker-a"), TypeError);
  assert.throws(() => mutable.clear(), TypeError);
  assert.equal(registry.size, 1);
});

Deno.test("parseRouteRegistry() rejects text that is not JSON", () => {
  assert.throws(() => parseRouteRegistry("{ routes: ", SOURCE), {
    name: "SyntaxError",
    message: /^routes\.json: not valid JSON: /,
  });
});

Deno.test('parseRouteRegistry() rejects a file without "routes"', () => {
  assert.throws(() => parseRouteRegistry("{}", SOURCE), {
    name: "TypeError",
    message: 'routes.json: "routes" must be an object mapping worker names to routes',
  });
});

Deno.test('parseRouteRegistry() rejects "routes" that is not an object', () => {
  for (const routes of [[], "x", null, 3]) {
    assert.throws(() => parseRouteRegistry(registryText(routes), SOURCE), {
      name: "TypeError",
      message: /^routes\.json: "routes" must be an object/,
    });
  }
});

Deno.test("parseRouteRegistry() rejects a top level that is not an object", () => {
  assert.throws(() => parseRouteRegistry("[]", SOURCE), { name: "TypeError", message: /^routes\.json: / });
});

Deno.test("parseRouteRegistry() rejects an empty registry", () => {
  assert.throws(() => parseRouteRegistry(registryText({}), SOURCE), {
    name: "RangeError",
    message: 'routes.json: "routes" must contain at least one route',
  });
});

Deno.test("parseRouteRegistry() rejects an invalid worker name", () => {
  for (const name of ["bad name", "", "a/b", "w".repeat(129)]) {
    assert.throws(() => parseRouteRegistry(oneRoute(name, GOOD_ROUTE), SOURCE), {
      name: "RangeError",
      message: /^routes\.json: route ".*": worker name must be 1-128 characters/,
    });
  }
});

Deno.test("parseRouteRegistry() accepts a 128-character worker name", () => {
  const name = "w".repeat(128);
  assert.ok(parseRouteRegistry(oneRoute(name, GOOD_ROUTE), SOURCE).has(name));
});

Deno.test("parseRouteRegistry() rejects a route that is not an object", () => {
  assert.throws(() => parseRouteRegistry(registryText({ "worker-a": "service-1-topic" }), SOURCE), {
    name: "TypeError",
    message: 'routes.json: route "worker-a": must be an object with targetTopic, enabled and routeId',
  });
});

Deno.test("parseRouteRegistry() rejects an unknown key in a route", () => {
  assert.throws(() => parseRouteRegistry(withRouteField("targetTopik", "x"), SOURCE), {
    name: "TypeError",
    message:
      'routes.json: route "worker-a": unknown key "targetTopik"; allowed keys are targetTopic, enabled, routeId',
  });
});

Deno.test("parseRouteRegistry() rejects a missing targetTopic", () => {
  const { targetTopic: _t, ...route } = GOOD_ROUTE;
  assert.throws(() => parseRouteRegistry(oneRoute("worker-a", route), SOURCE), {
    name: "TypeError",
    message: 'routes.json: route "worker-a": targetTopic must be a string',
  });
});

Deno.test("parseRouteRegistry() rejects a targetTopic that is not a valid Kafka topic name", () => {
  for (const topic of ["", ".", "..", "has space", "a/b", "t".repeat(250)]) {
    assert.throws(() => parseRouteRegistry(withRouteField("targetTopic", topic), SOURCE), {
      name: "RangeError",
      message: /^routes\.json: route "worker-a": targetTopic must be a Kafka topic name/,
    });
  }
});

Deno.test("parseRouteRegistry() accepts a 249-character topic name", () => {
  const topic = "t".repeat(249);
  const registry = parseRouteRegistry(withRouteField("targetTopic", topic), SOURCE);
  assert.equal(registry.get("worker-a")?.targetTopic, topic);
});

Deno.test("parseRouteRegistry() rejects an enabled flag that is not a boolean", () => {
  for (const enabled of ["true", 1, null, undefined]) {
    assert.throws(() => parseRouteRegistry(withRouteField("enabled", enabled), SOURCE), {
      name: "TypeError",
      message: 'routes.json: route "worker-a": enabled must be true or false',
    });
  }
});

Deno.test("parseRouteRegistry() rejects a routeId that is not a string", () => {
  for (const routeId of [7, null, undefined]) {
    assert.throws(() => parseRouteRegistry(withRouteField("routeId", routeId), SOURCE), {
      name: "TypeError",
      message: 'routes.json: route "worker-a": routeId must be a string',
    });
  }
});

Deno.test("parseRouteRegistry() rejects an empty, over-long or oddly spelled routeId", () => {
  for (const routeId of ["", "r".repeat(129), "route a", "route/a"]) {
    assert.throws(() => parseRouteRegistry(withRouteField("routeId", routeId), SOURCE), {
      name: "RangeError",
      message: /^routes\.json: route "worker-a": routeId must be 1-128 characters/,
    });
  }
});

Deno.test("parseRouteRegistry() rejects a routeId used by two routes", () => {
  const text = registryText({
    "worker-a": GOOD_ROUTE,
    "worker-b": { ...GOOD_ROUTE, targetTopic: "service-2-topic" },
  });
  assert.throws(() => parseRouteRegistry(text, SOURCE), {
    name: "RangeError",
    message: 'routes.json: route "worker-b": routeId "route-a" is already used by route "worker-a"',
  });
});

Deno.test("parseRouteRegistry() names the source it was given", () => {
  assert.throws(() => parseRouteRegistry("nope", "/etc/chain/custom.json"), {
    message: /^\/etc\/chain\/custom\.json: not valid JSON/,
  });
});

Deno.test("assertNoLoops() accepts routes that avoid the forbidden topics", () => {
  const registry = parseRouteRegistry(oneRoute("worker-a", GOOD_ROUTE), SOURCE);
  assertNoLoops(registry, ["router-inbox", "router-dead-letter"], SOURCE);
});

Deno.test("assertNoLoops() rejects a route to the inbox topic", () => {
  const registry = parseRouteRegistry(withRouteField("targetTopic", "router-inbox"), SOURCE);
  assert.throws(() => assertNoLoops(registry, ["router-inbox", "router-dead-letter"], SOURCE), {
    name: "RangeError",
    message: 'routes.json: route "worker-a" (routeId "route-a") targets "router-inbox", ' +
      "which is the router's own inbox or dead-letter topic and would loop",
  });
});

Deno.test("assertNoLoops() rejects a disabled route to the dead-letter topic", () => {
  const text = oneRoute("worker-a", { ...GOOD_ROUTE, targetTopic: "router-dead-letter", enabled: false });
  const registry = parseRouteRegistry(text, SOURCE);
  assert.throws(() => assertNoLoops(registry, ["router-inbox", "router-dead-letter"], SOURCE), RangeError);
});
