import assert from "node:assert/strict";
import pino from "pino";
import { type CommonConfig, resolveCommand } from "./config.ts";
import { applyCommand, routesFileView, warnIfRoutesDiffer } from "./routes_command.ts";
import { diffRoutes } from "../routing/route_diff.ts";
import type { Route, RouteRegistry } from "../routing/route_registry.ts";

async function common(env: Record<string, string> = {}): Promise<CommonConfig> {
  const command = await resolveCommand(["routes", "list"], env);
  assert.equal(command.name, "routes");
  return (command as { common: CommonConfig }).common;
}

const route = (workerName: string, targetTopic: string, enabled = true): Route =>
  Object.freeze({ workerName, targetTopic, enabled, routeId: `route-${workerName}` });
const registry = (...routes: Route[]): RouteRegistry => new Map(routes.map((r) => [r.workerName, r]));
const file = registry(
  route("initial-publisher", "service-1-topic"),
  route("service-1-publisher", "service-2-topic"),
);
const stale = registry(
  route("initial-publisher", "other-s1"),
  route("service-1-publisher", "service-2-topic"),
  route("legacy", "other-s2"),
);
const given = { path: "/etc/chain/routes.json", builtIn: false };

Deno.test("applyCommand() names the file unless built in, --prune when a live route is not in it", async () => {
  const config = await common();
  const changed = diffRoutes(
    registry(route("initial-publisher", "x"), file.get("service-1-publisher")!),
    file,
  );
  assert.equal(
    applyCommand({ path: "/x/routes.json", builtIn: true }, changed, config),
    "chain routes apply",
  );
  assert.equal(applyCommand(given, changed, config), "chain routes apply /etc/chain/routes.json");
  assert.equal(
    applyCommand(given, diffRoutes(stale, file), config),
    "chain routes apply /etc/chain/routes.json --prune",
  );
  assert.equal(
    applyCommand(
      { path: "/tmp/my routes.json", builtIn: false },
      changed,
      await common({ ROUTES_TOPIC: "r2" }),
    ),
    "chain routes apply '/tmp/my routes.json' --routes-topic r2",
  );
});

Deno.test("routesFileView() lists each difference with its line, and no command when the routes match", async () => {
  const config = await common();
  const view = routesFileView(stale, file, given, config);
  assert.equal(view.path, given.path);
  assert.deepEqual(view.differences.map((d) => [d.workerName, d.kind]), [
    ["initial-publisher", "changed"],
    ["legacy", "deleted"],
  ]);
  assert.match(
    view.differences[0].line,
    /^changed +initial-publisher: targetTopic other-s1 -> service-1-topic$/,
  );
  assert.equal(view.apply, "chain routes apply /etc/chain/routes.json --prune");
  assert.deepEqual(routesFileView(file, file, given, config), {
    path: given.path,
    differences: [],
    apply: null,
  });
});

Deno.test("warnIfRoutesDiffer() logs one warning naming the workers and the command, nothing when they match", async () => {
  const config = await common();
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  warnIfRoutesDiffer(logger, file, file, given, config);
  assert.equal(lines.length, 0);
  warnIfRoutesDiffer(logger, stale, file, given, config);
  assert.equal(lines.length, 1);
  const [warning] = lines;
  assert.equal(warning.level, 40);
  assert.deepEqual(warning.workers, ["initial-publisher", "legacy"]);
  assert.equal(warning.apply, "chain routes apply /etc/chain/routes.json --prune");
  assert.match(
    String(warning.msg),
    /differ from the routes file \/etc\/chain\/routes\.json for initial-publisher, legacy; .*run: chain routes apply/,
  );
});
