/**
 * The live route registry's wiring, used by launch.ts: `chain routes list|set|enable|disable|delete`, the seeding
 * of the routes topic by `chain init`, and the follower a command center routes with.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { Kafka } from "kafkajs";
import type { CommonConfig, RoutesAction } from "./config.ts";
import type { Logger } from "./log.ts";
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

/** What the routes wiring needs from launch.ts. */
export interface RoutesContext {
  kafka: Kafka;
  logger: Logger;
  stdout: { write(text: string): Promise<void> };
}

/** The topics no route may target: the inbox and the dead-letter topics (a loop), and the routes topic itself. */
export function routeRules(common: CommonConfig): RouteRules {
  const { inbox, commandCenterDlq, service1Dlq, service2Dlq } = common.topics;
  return { forbiddenTopics: [inbox, commandCenterDlq, service1Dlq, service2Dlq, common.routesTopic] };
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
async function currentRoutes(context: RoutesContext, common: CommonConfig): Promise<LiveRouteRegistry> {
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
 * `chain routes`: `list` prints the live routes; the others validate the change against the topic's current
 * routes and the broker's topics, publish it and write its audit row. A rejected change publishes nothing.
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
    const row: RouteAuditRow = {
      workerName: change.workerName,
      changedAt: new Date(),
      actor,
      action: action.action,
      before,
      after: change.route ?? undefined,
      topic: common.routesTopic,
      offset: published.offset,
    };
    try {
      await audit.write([row]);
    } catch (error) {
      throw new Error(
        `route ${change.workerName} changed (${common.routesTopic} offset ${published.offset}), but its ` +
          `route_changes row could not be written: ${(error as Error).message}`,
      );
    }
    await context.stdout.write(
      `${action.action} ${change.workerName}: ${describe(before)} -> ${
        describe(change.route ?? undefined)
      } ` +
        `(${common.routesTopic} offset ${published.offset}, by ${actor})\n`,
    );
    return 0;
  });
}

/**
 * Seeds the routes topic from the routes file: publishes the routes whose worker has no record in the topic yet,
 * so running init again never overwrites a live change (nor brings back a deleted route). Creates the topic.
 * Each seeded route gets an audit row when `audit` is given. Returns the seeded worker names.
 */
export async function seedRoutes(
  seed: RouteRegistry,
  actor: string,
  common: CommonConfig,
  context: RoutesContext,
  audit: RouteAudit | undefined,
): Promise<string[]> {
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
  if (missing.length === 0) return [];
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
  return missing.map((route) => route.workerName);
}

/**
 * Starts a command center's registry: creates the routes topic if missing, seeds it from the routes file when it
 * has never held a record (a chain started without `chain init`), reads it to its end and keeps following it,
 * logging each change. Resolves with the registry and its follower (stop it on exit) once caught up.
 */
export async function followRoutes(
  seed: RouteRegistry,
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
    const seeded = await seedRoutes(seed, "command-center", common, context, undefined);
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
