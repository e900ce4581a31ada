/**
 * The live route registry's wiring, used by launch.ts: `chain routes list|set|enable|disable|delete|diff|apply`,
 * the seeding of the routes topic by `chain init`, the follower a command center routes with, and the one warning
 * (and the dashboard's view) when the live routes differ from the routes file.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { Kafka } from "kafkajs";
import type { CommonConfig, RoutesAction, RoutesFile } from "./config.ts";
import { settings } from "./settings.ts";
import { forbiddenRouteTargets } from "./roles.ts";
import type { Logger } from "../logging/logger.ts";
import {
  ensureRouteTopic,
  publishRouteChanges,
  readRouteTopic,
  RouteTopicFollower,
} from "../kafka/route_topic.ts";
import { RouteAudit, type RouteAuditRow } from "../cassandra/route_audit.ts";
import { ensureSchema } from "../cassandra/schema.ts";
import {
  type ApplyResult,
  LiveRouteRegistry,
  planRouteChange,
  type RouteRules,
} from "../routing/live_route_registry.ts";
import type { Route, RouteRegistry } from "../routing/route_registry.ts";
import {
  changesToApply,
  diffRoutes,
  formatDifference,
  planApply,
  type PlannedChange,
  type RouteDifference,
} from "../routing/route_diff.ts";
import type { RoutesFileView } from "../observability/dashboard_model.ts";

/** What the routes wiring needs from launch.ts. */
export interface RoutesContext {
  kafka: Kafka;
  logger: Logger;
  stdout: { write(text: string): Promise<void> };
}

/** The topics no route may target: the inbox and the dead-letter topics (a loop), and the routes topic itself. */
export function routeRules(common: CommonConfig): RouteRules {
  return { forbiddenTopics: [...forbiddenRouteTargets(common.topics), common.routesTopic] };
}

/** A follower's consumer group: its own per process (see route_topic.ts). */
function groupPrefix(common: CommonConfig): string {
  return `${common.clientId}-routes`;
}

async function withAdmin<T>(
  kafka: Kafka,
  work: (admin: ReturnType<Kafka["admin"]>) => Promise<T>,
): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** The routes topic read to its end, or an error saying to run `chain init` when it is missing. */
export async function currentRoutes(
  context: RoutesContext,
  common: CommonConfig,
): Promise<LiveRouteRegistry> {
  const exists = await withAdmin(
    context.kafka,
    async (admin) => (await admin.listTopics()).includes(common.routesTopic),
  );
  if (!exists) throw new Error(`routes topic ${common.routesTopic} does not exist; run chain init first`);
  const registry = new LiveRouteRegistry(routeRules(common), common.routesTopic);
  return await readRouteTopic(context.kafka, registry, {
    topic: common.routesTopic,
    groupPrefix: groupPrefix(common),
  });
}

/**
 * `chain routes`: `list` prints the live routes, `diff` how they differ from a routes file; the others validate
 * the change (`apply`: every change of the file) against the topic's current routes and the broker's topics,
 * publish it and write its audit row. A rejected change publishes nothing.
 */
export async function runRoutes(
  action: RoutesAction,
  actor: string,
  common: CommonConfig,
  context: RoutesContext,
  withCassandra: <T>(work: (client: cassandra.Client) => Promise<T>) => Promise<T>,
): Promise<number> {
  const routes = await currentRoutes(context, common);
  if (action.action === "list") {
    await context.stdout.write(formatRoutes(routes));
    return 0;
  }
  if ("routesFile" in action) {
    return action.action === "diff"
      ? await printDiff(routes, action, context)
      : await applyFile(routes, action, actor, common, context, withCassandra);
  }
  const topics = new Set(await withAdmin(context.kafka, (admin) => admin.listTopics()));
  const change = planRouteChange(
    routes.snapshot(),
    action,
    routeRules(common),
    (topic) => topics.has(topic),
    common.routesTopic,
  );
  const before = routes.get(action.workerName);
  if ("noChange" in change) {
    await context.stdout.write(
      `route ${action.workerName} is already ${describe(change.route)}; nothing changed\n`,
    );
    return 0;
  }
  return await withCassandra(async (client) => {
    // The audit table is made sure of first: Cassandra being down stops the change before it is made.
    await ensureSchema(client, common.cassandra.keyspace, common.cassandra.replication);
    const audit = new RouteAudit(client, common.cassandra.keyspace);
    const [published] = await publishRouteChanges(context.kafka, common.routesTopic, [change]);
    await writeAudit(audit, [{
      workerName: change.workerName,
      changedAt: new Date(),
      actor,
      action: action.action,
      before,
      after: change.route ?? undefined,
      topic: common.routesTopic,
      offset: published.offset,
    }]);
    await context.stdout.write(
      `${action.action} ${change.workerName}: ${describe(before)} -> ${
        describe(change.route ?? undefined)
      } ` +
        `(${common.routesTopic} offset ${published.offset}, by ${actor})\n`,
    );
    return 0;
  });
}

/** Writes the audit rows of changes already published; a failure says which changes lack their row. */
async function writeAudit(audit: RouteAudit, rows: RouteAuditRow[]): Promise<void> {
  try {
    await audit.write(rows);
  } catch (error) {
    const changes = rows.map((row) => `${row.workerName} (${row.topic} offset ${row.offset})`).join(", ");
    const reason = (error as Error).message;
    throw new Error(`route ${changes} changed, but the route_changes rows could not be written: ${reason}`);
  }
}

type FileAction = Extract<RoutesAction, { action: "diff" | "apply" }>;

/** `chain routes diff`: a line per difference; exit 1 when `apply` with the same flags would publish anything. */
async function printDiff(routes: LiveRouteRegistry, action: FileAction, context: RoutesContext) {
  const differences = diffRoutes(routes.snapshot(), action.registry);
  if (differences.length > 0) {
    await context.stdout.write(differences.map((d) => `${formatDifference(d, action.prune)}\n`).join(""));
  }
  return changesToApply(differences, action.prune).length > 0 ? 1 : 0;
}

/**
 * `chain routes apply`: publishes the changes that make the live routes the file's (in one request, in an order
 * each command center accepts, see planApply) and an audit row for each (action `apply`); refused as a whole,
 * nothing published, when one breaks a rule.
 */
async function applyFile(
  routes: LiveRouteRegistry,
  action: FileAction,
  actor: string,
  common: CommonConfig,
  context: RoutesContext,
  withCassandra: <T>(work: (client: cassandra.Client) => Promise<T>) => Promise<T>,
): Promise<number> {
  const live = routes.snapshot();
  const differences = diffRoutes(live, action.registry);
  const changes = changesToApply(differences, action.prune);
  const kept = differences.filter((d) => !changes.includes(d)).map((d) => `${formatDifference(d, false)}\n`);
  const { path } = action.routesFile;
  if (changes.length === 0) {
    const nothing = `nothing to apply: the live routes in ${common.routesTopic} have the routes of ${path}\n`;
    await context.stdout.write(kept.join("") + nothing);
    return 0;
  }
  const topics = new Set(await withAdmin(context.kafka, (admin) => admin.listTopics()));
  let planned: PlannedChange[];
  try {
    planned = planApply(live, changes, routeRules(common), (topic) => topics.has(topic), common.routesTopic);
  } catch (error) {
    throw new RangeError(`${path} not applied, nothing published: ${(error as Error).message}`);
  }
  return await withCassandra(async (client) => {
    // The audit table is made sure of first: Cassandra being down stops the apply before anything is published.
    await ensureSchema(client, common.cassandra.keyspace, common.cassandra.replication);
    const audit = new RouteAudit(client, common.cassandra.keyspace);
    const published = await publishRouteChanges(
      context.kafka,
      common.routesTopic,
      planned.map((p) => p.change),
    );
    const changedAt = new Date();
    await writeAudit(
      audit,
      planned.map(({ change }, i) => ({
        workerName: change.workerName,
        changedAt,
        actor,
        action: "apply",
        before: live.get(change.workerName),
        after: change.route ?? undefined,
        topic: common.routesTopic,
        offset: published[i].offset,
      })),
    );
    const where = (i: number) => `(${common.routesTopic} offset ${published[i].offset}, by ${actor})`;
    const lines = planned.map(({ difference }, i) => `${formatDifference(difference, true)} ${where(i)}\n`);
    await context.stdout.write([...lines, ...kept].join(""));
    return 0;
  });
}

/**
 * The command that makes the live routes the file's: `chain routes apply [FILE] [--prune]`, with the file unless
 * it is the built-in one, `--prune` when some live route is not in the file, and `--routes-topic` when not the
 * default.
 */
export function applyCommand(
  routesFile: RoutesFile,
  differences: readonly RouteDifference[],
  common: CommonConfig,
): string {
  const words = ["chain", "routes", "apply"];
  if (!routesFile.builtIn) words.push(shellWord(routesFile.path));
  if (differences.some((d) => d.kind === "deleted")) words.push("--prune");
  if (common.routesTopic !== settings.routesTopic.default) words.push("--routes-topic", common.routesTopic);
  return words.join(" ");
}

function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The dashboard's view of the live routes against the routes file the command center started with; read on every
 * look, so a live change shows at once.
 */
export function routesFileView(
  live: RouteRegistry,
  file: RouteRegistry,
  routesFile: RoutesFile,
  common: CommonConfig,
): RoutesFileView {
  const differences = diffRoutes(live, file);
  return {
    path: routesFile.path,
    differences: differences.map((d) => ({
      workerName: d.workerName,
      kind: d.kind,
      line: formatDifference(d, true),
    })),
    apply: differences.length > 0 ? applyCommand(routesFile, differences, common) : null,
  };
}

/**
 * Logs one warning when the live routes differ from the routes file: the workers that differ, how, and the
 * command that applies the file. Nothing when they match.
 */
export function warnIfRoutesDiffer(
  logger: Logger,
  live: RouteRegistry,
  file: RouteRegistry,
  routesFile: RoutesFile,
  common: CommonConfig,
): void {
  const view = routesFileView(live, file, routesFile, common);
  if (view.apply === null) return;
  const workers = view.differences.map((d) => d.workerName);
  logger.warn(
    {
      topic: common.routesTopic,
      file: routesFile.path,
      workers,
      differences: view.differences.map((d) => d.line),
      apply: view.apply,
    },
    `the live routes in ${common.routesTopic} differ from the routes file ${routesFile.path} for ` +
      `${workers.join(", ")}; the live routes are used; to use the file's, run: ${view.apply}`,
  );
}

/**
 * Seeds the routes topic from the routes file: publishes the routes whose worker has no record in the topic yet,
 * so running init again never overwrites a live change (nor brings back a deleted route). Creates the topic.
 * Each seeded route gets an audit row when `audit` is given. Returns the seeded worker names and the live routes
 * after the seeding.
 */
export async function seedRoutes(
  seed: RouteRegistry,
  actor: string,
  common: CommonConfig,
  context: RoutesContext,
  audit: RouteAudit | undefined,
): Promise<{ seeded: string[]; live: RouteRegistry }> {
  await withAdmin(
    context.kafka,
    (admin) => ensureRouteTopic(admin, common.routesTopic, common.topicReplicationFactor),
  );
  const seen = new Set<string>();
  const registry = new LiveRouteRegistry(routeRules(common), common.routesTopic);
  await readRouteTopic(context.kafka, registry, {
    topic: common.routesTopic,
    groupPrefix: groupPrefix(common),
  });
  // A deleted route's tombstone counts as seen: keys ever written, not only the ones alive.
  for (const name of registry.keysSeen()) seen.add(name);
  const missing = [...seed.values()].filter((route) => !seen.has(route.workerName));
  if (missing.length === 0) return { seeded: [], live: registry.snapshot() };
  const published = await publishRouteChanges(
    context.kafka,
    common.routesTopic,
    missing.map((route) => ({ workerName: route.workerName, route })),
  );
  const changedAt = new Date();
  await audit?.write(missing.map((route, i) => ({
    workerName: route.workerName,
    changedAt,
    actor,
    action: "seed",
    before: undefined,
    after: route,
    topic: common.routesTopic,
    offset: published[i].offset,
  })));
  for (const route of missing) registry.apply({ workerName: route.workerName, route });
  return { seeded: missing.map((route) => route.workerName), live: registry.snapshot() };
}

/**
 * Starts a command center's registry: creates the routes topic if missing, seeds it from the routes file when it
 * has never held a record (a chain started without `chain init`), reads it to its end and keeps following it,
 * logging each change. Resolves with the registry and its follower (stop it on exit) once caught up, having
 * warned once if the live routes then differ from the file.
 */
export async function followRoutes(
  seed: RouteRegistry,
  routesFile: RoutesFile,
  common: CommonConfig,
  context: RoutesContext,
  onChange: (result: ApplyResult) => void,
): Promise<{ registry: LiveRouteRegistry; follower: RouteTopicFollower }> {
  const { logger } = context;
  const topic = common.routesTopic;
  const empty = await withAdmin(context.kafka, async (admin) => {
    await ensureRouteTopic(admin, topic, common.topicReplicationFactor);
    const [partition] = await admin.fetchTopicOffsets(topic);
    return partition === undefined || partition.high === "0";
  });
  if (empty) {
    const { seeded } = await seedRoutes(seed, "command-center", common, context, undefined);
    if (seeded.length > 0) {
      logger.warn(
        { topic, workers: seeded },
        "routes topic was empty: seeded it from the routes file (no audit rows)",
      );
    }
  }
  const registry = new LiveRouteRegistry(routeRules(common), topic);
  const follower = new RouteTopicFollower(context.kafka, registry, {
    topic,
    groupPrefix: groupPrefix(common),
    onChange: (result) => {
      logChange(logger, registry, result);
      onChange(result);
    },
  });
  await follower.start();
  logger.info(
    { topic, routes: registry.size, rejected: registry.counts.rejected },
    "route registry read to the end of its topic; following changes",
  );
  warnIfRoutesDiffer(logger, registry.snapshot(), seed, routesFile, common);
  return { registry, follower };
}

function logChange(logger: Logger, registry: LiveRouteRegistry, result: ApplyResult): void {
  const counts = { ...registry.counts };
  if (result.kind === "rejected") {
    logger.warn({ worker: result.workerName, error: result.error, ...counts }, "route change rejected");
  } else if (result.kind === "set") {
    logger.info(
      { worker: result.workerName, before: summary(result.before), after: summary(result.after), ...counts },
      "route changed",
    );
  } else if (result.kind === "deleted") {
    logger.info(
      { worker: result.workerName, before: summary(result.before), after: null, ...counts },
      "route changed",
    );
  }
}

function summary(route: Route | undefined) {
  return route === undefined
    ? null
    : { targetTopic: route.targetTopic, enabled: route.enabled, routeId: route.routeId };
}

function describe(route: Route | undefined): string {
  return route === undefined
    ? "no route"
    : `${route.targetTopic} (${route.routeId}, ${route.enabled ? "enabled" : "disabled"})`;
}

/** `chain routes list`: one line per route, sorted by worker name. */
export function formatRoutes(routes: RouteRegistry): string {
  const rows = [...routes.values()].sort((a, b) => a.workerName.localeCompare(b.workerName))
    .map((r) => [r.workerName, r.routeId, r.targetTopic, r.enabled ? "on" : "off"]);
  const all = [["worker", "route id", "target topic", "enabled"], ...rows];
  const widths = [0, 1, 2].map((i) => Math.max(...all.map((row) => row[i].length)));
  return all.map((row) => row.map((cell, i) => i < 3 ? cell.padEnd(widths[i]) : cell).join("  ")).join("\n") +
    "\n";
}
