/**
 * Wires the real clients (kafkajs, cassandra-driver, SMTP) to a resolved command and runs it: one short
 * `wire<Role>()` per role or command, chosen from the {@link wiring} table. Everything the command needs was
 * resolved and checked by config.ts before anything here connects.
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { Kafka } from "kafkajs";
import type { CommonConfig, RunnableCommand } from "./config.ts";
import { encryptionKeyVariable } from "./settings.ts";
import { type Logger, silentLogger } from "../logging/logger.ts";
import { createLogger, routeProcessWarnings } from "../logging/pino_logger.ts";
import { ChainMetrics } from "../observability/chain_metrics.ts";
import { Readiness } from "../observability/readiness.ts";
import { type Page, serveHttp } from "../observability/http_server.ts";
import { commandCenterDashboard } from "../observability/dashboard.ts";
import { CountingMailer } from "../observability/counting_mailer.ts";
import { reportKeyUsage } from "../observability/key_usage.ts";
import { countKafkajsRequests, createKafka } from "../kafka/kafkajs/kafka_client.ts";
import { countPlatformaticRequests } from "../kafka/platformatic/platformatic_client.ts";
import { RequestCounts } from "../observability/request_counts.ts";
import { ensureTopics, topicRecordLimits } from "../kafka/topics.ts";
import {
  type CheckedSource,
  type ClosableSink,
  type RecordAdapters,
  recordAdapters,
} from "../kafka/record_adapters.ts";
import { createCassandraClient } from "../cassandra/cassandra_client.ts";
import { ensureSchema, METADATA_TTL_SECONDS, NO_ROUTE_KEY } from "../cassandra/schema.ts";
import { CassandraRowWriter, CassandraTallyWriter, tallyGroupOf } from "../cassandra/cassandra_row_writer.ts";
import { RouteTallyBuffer } from "../stats/route_tally_buffer.ts";
import { CassandraOrderStore } from "../cassandra/cassandra_order_store.ts";
import { CassandraInventory, INITIAL_STOCK } from "../cassandra/inventory.ts";
import { formatTrace, readTrace } from "../cassandra/trace_query.ts";
import { readRouteStats } from "../cassandra/route_stats_query.ts";
import { formatStatsJson, formatStatsTable } from "../stats/stats_report.ts";
import { SmtpMailer } from "../smtp/smtp_mailer.ts";
import { BufferedRoutingLog } from "../routing/buffered_routing_log.ts";
import { CoalescingSink } from "../messaging/coalescing_sink.ts";
import type { RecordSink } from "../messaging/records.ts";
import { NoRoutingLog, type RoutingLog } from "../routing/routing_log.ts";
import type { RouteRegistry } from "../routing/route_registry.ts";
import { GENERATED_SKUS } from "../order/order.ts";
import { runCommandCenter } from "../roles/command_center.ts";
import {
  currentRoutes,
  followRoutes,
  routesFileView,
  runRoutes,
  seedRoutes,
  warnIfRoutesDiffer,
} from "./routes_command.ts";
import { deadLetterCounts, runDlq } from "../dlq/dlq_command.ts";
import { DlqReplays } from "../cassandra/dlq_replays.ts";
import { readTopicsToEnd } from "../kafka/topic_snapshot.ts";
import { RouteAudit } from "../cassandra/route_audit.ts";
import { runService1 } from "../roles/service_1.ts";
import { runService2 } from "../roles/service_2.ts";
import { generatedOrders, jsonLineOrders, noProgress, publish } from "../roles/publisher.ts";
import { terminalProgress } from "../roles/terminal_progress.ts";
import { lines } from "../roles/text_lines.ts";
import { HopTracer } from "../tracing/spans.ts";
import { consumerTopics, deadLetterSettings, roleTopics } from "./roles.ts";
import { type LagTarget, sampleConsumerLag } from "../kafka/consumer_lag.ts";
import { formatLagJson, formatLagTable, lagExitCode } from "../lag/lag_report.ts";

/** Standard output, injected so `main` can be run in-process. */
export interface Output {
  write(text: string): Promise<void>;
}

/** What every wiring gets besides its command. */
interface Context {
  logger: Logger;
  kafka: Kafka;
  /** The roles' record source and sink, on the client `KAFKA_CLIENT` names. */
  records: RecordAdapters;
  signal: AbortSignal;
  stdout: Output;
  /** This process's metrics, served on `/metrics` when the role has an HTTP port. */
  metrics: ChainMetrics;
  /** The requests this process sends to Kafka, Cassandra and SMTP (part of the metrics). */
  requests: RequestCounts;
  /** The checks behind `/ready`; each wiring adds its parts. */
  readiness: Readiness;
  /** Extra pages of the HTTP endpoint (the command center's dashboard); a wiring may add to it. */
  pages: Record<string, Page>;
  /** The roles' hop spans, over the OpenTelemetry API's global provider (Deno's under `OTEL_DENO=true`). */
  tracer: HopTracer;
}

type Wiring<N extends RunnableCommand["name"]> = (
  command: Extract<RunnableCommand, { name: N }>,
  context: Context,
) => Promise<number>;

/** Runs `command` until it is done or `signal` aborts; resolves with the process exit code. */
export async function launch(command: RunnableCommand, signal: AbortSignal, stdout: Output): Promise<number> {
  const { common } = command;
  const logger = createLogger(common.logLevel, { role: command.name });
  routeProcessWarnings(logger);
  const kafka = createKafka(
    { brokers: common.brokers, clientId: common.clientId, security: common.kafkaSecurity },
    kafkaLogger(command, logger),
  );
  const requests = new RequestCounts();
  countKafkajsRequests(kafka, requests);
  const stopCounting = countPlatformaticRequests(requests);
  const wire = wiring[command.name] as Wiring<typeof command.name>;
  const records = recordAdapters(common.kafkaClient, kafka, {
    brokers: common.brokers,
    clientId: common.clientId,
    security: common.kafkaSecurity,
  }, logger);
  const context = {
    logger,
    kafka,
    records,
    signal,
    stdout,
    metrics: new ChainMetrics(),
    requests,
    readiness: new Readiness(),
    pages: {} as Record<string, Page>,
    tracer: new HopTracer(),
  };
  context.metrics.observeRequests(requests);
  try {
    return await serveAndWire(command, context, wire);
  } finally {
    stopCounting();
  }
}

/**
 * The logger kafkajs's own lines go to. `chain dlq` is an operator's command whose failure is its one `chain:`
 * line: kafkajs's retry lines (one per attempt while a broker is away) stay out unless debugging.
 */
function kafkaLogger(command: RunnableCommand, logger: Logger): Logger {
  if (command.name !== "dlq" || logger.isLevelEnabled("debug")) return logger;
  return silentLogger;
}

/** Runs the wiring, with `/ping`, `/ready` and `/metrics` served meanwhile when the role has an HTTP port. */
async function serveAndWire<N extends RunnableCommand["name"]>(
  command: Extract<RunnableCommand, { name: N }>,
  context: Context,
  wire: Wiring<N>,
): Promise<number> {
  const { common } = command;
  const { logger } = context;
  if (!common.http.enabled) return await wire(command, context);
  // The endpoint lives as long as the role: it stops when the role ends, however it ends.
  const stopHttp = new AbortController();
  const http = await serveHttp({
    ...common.http,
    metrics: context.metrics,
    readiness: context.readiness,
    pages: context.pages,
    signal: stopHttp.signal,
  });
  logger.info({ address: `http://${http.hostname}:${http.port}` }, "serving /ping, /ready and /metrics");
  try {
    return await wire(command, context);
  } finally {
    stopHttp.abort();
    await http.finished;
  }
}

/** Each role and command, and how it is wired. */
const wiring: { [N in RunnableCommand["name"]]: Wiring<N> } = {
  "init": wireInit,
  "trace": wireTrace,
  "routes": wireRoutes,
  "dlq": wireDlq,
  "stats": wireStats,
  "lag": wireLag,
  "command-center": wireCommandCenter,
  "service-1": wireService1,
  "service-2": wireService2,
  "publisher": wirePublisher,
};

/**
 * `chain lag`: samples the groups over the window (three samples), prints the table or JSON, and exits 0 when
 * every group and topic is OK, 1 otherwise. chain's own groups are looked at on their own input topic; another
 * group on every topic it has committed offsets for or is assigned.
 */
async function wireLag(command: Extract<RunnableCommand, { name: "lag" }>, context: Context) {
  const { topics } = command.common;
  const ownTopics: Record<string, string> = Object.fromEntries(
    consumerTopics(topics).map(({ group, topic }) => [group, topic]),
  );
  const targets: LagTarget[] = command.groups.map((group) =>
    ownTopics[group] === undefined ? { group } : { group, topics: [ownTopics[group]] }
  );
  const admin = context.kafka.admin();
  await admin.connect();
  try {
    const sampling = { samples: 3, intervalMs: (command.windowSeconds * 1000) / 2, probeTimeoutMs: 5000 };
    const rows = await sampleConsumerLag(context.kafka, admin, targets, sampling, context.signal);
    await context.stdout.write(command.json ? formatLagJson(rows) : formatLagTable(rows));
    return lagExitCode(rows);
  } finally {
    await admin.disconnect();
  }
}

async function wireInit(command: Extract<RunnableCommand, { name: "init" }>, context: Context) {
  const { common } = command;
  await createTopics(context, common, [...Object.values(common.topics), ...targetTopics(command.registry)]);
  await withCassandra(common, context, async (client) => {
    await ensureSchema(client, common.cassandra.keyspace, common.cassandra.replication);
    const stock = Object.fromEntries(GENERATED_SKUS.map((sku) => [sku, INITIAL_STOCK]));
    const seeded = await new CassandraInventory(client, common.cassandra.keyspace).seedMissing(stock);
    if (seeded.length > 0) context.logger.info({ skus: seeded, stock: INITIAL_STOCK }, "seeded inventory");
    const audit = new RouteAudit(client, common.cassandra.keyspace);
    const routes = await seedRoutes(command.registry, command.actor, common, context, audit);
    if (routes.seeded.length > 0) {
      context.logger.info({ topic: common.routesTopic, workers: routes.seeded }, "seeded routes");
    }
    warnIfRoutesDiffer(context.logger, routes.live, command.registry, command.routesFile, common);
  });
  await context.stdout.write(`topics and keyspace ${common.cassandra.keyspace} are ready\n`);
  return 0;
}

/** `chain routes list|set|enable|disable|delete`: see routes_command.ts. */
async function wireRoutes(command: Extract<RunnableCommand, { name: "routes" }>, context: Context) {
  const { common } = command;
  return await runRoutes(
    command.action,
    command.actor,
    common,
    context,
    (work) => withCassandra(common, context, work),
  );
}

/**
 * `chain dlq list|replay`: the dead-letter topics read to their end with kafkajs, the replays recorded in
 * Cassandra (`dlq_replays`, made sure of first, so Cassandra being down stops a replay before it publishes), the
 * live routes read only when a decision needs them, and the replays published by the roles' sink (acks=all).
 */
async function wireDlq(command: Extract<RunnableCommand, { name: "dlq" }>, context: Context) {
  const { common, request } = command;
  return await withCassandra(common, context, async (client) => {
    await ensureSchema(client, common.cassandra.keyspace, common.cassandra.replication);
    return await runDlq(request, {
      readTopics: (topics) =>
        readTopicsToEnd(context.kafka, topics, { groupPrefix: `${common.clientId}-read` }),
      replays: new DlqReplays(client, common.cassandra.keyspace),
      routes: () => currentRoutes(context, common),
      withSink: (work) => withSink(context, work),
      stdout: context.stdout,
      logger: context.logger,
      now: () => new Date(),
    });
  });
}

async function wireTrace(command: Extract<RunnableCommand, { name: "trace" }>, context: Context) {
  const { common, requestId } = command;
  const hops = await withCassandra(
    common,
    context,
    (client) => readTrace(client, common.cassandra.keyspace, requestId),
  );
  await context.stdout.write(formatTrace(hops, requestId) + "\n");
  return hops.length > 0 ? 0 : 1;
}

/** `chain stats`: every route of the registry and `-` (hops without a route), or the one `--route`. */
async function wireStats(command: Extract<RunnableCommand, { name: "stats" }>, context: Context) {
  const { common, sinceMs } = command;
  const routeKeys = command.routeId !== undefined
    ? [command.routeId]
    : [...new Set([...command.registry.values()].map((r) => r.routeId)), NO_ROUTE_KEY];
  const now = new Date();
  const stats = await withCassandra(
    common,
    context,
    (client) => readRouteStats(client, common.cassandra.keyspace, routeKeys, sinceMs, now),
  );
  const report = { sinceMs, now, ttlSeconds: METADATA_TTL_SECONDS };
  await context.stdout.write((command.json ? formatStatsJson : formatStatsTable)(stats, report) + "\n");
  return 0;
}

async function wireCommandCenter(
  command: Extract<RunnableCommand, { name: "command-center" }>,
  context: Context,
) {
  const { common, metadataLog } = command;
  const { topics } = common;
  const { logger } = context;
  if (command.keyInEnvironment) {
    logger.warn(
      `${encryptionKeyVariable} is set, but the command center never reads it; remove it from its environment`,
    );
  }
  // The routes topic is read to its end before the inbox is consumed, then followed until the role stops.
  context.readiness.add("routes", () => `routes topic ${common.routesTopic} not read to its end yet`);
  const { registry, follower } = await followRoutes(
    command.registry,
    command.routesFile,
    common,
    context,
    (result) => context.metrics.routeChanges.inc({ action: result.kind }),
  );
  context.readiness.add("routes", () => registry.size > 0 ? undefined : "the route registry is empty");
  const { input, deadLetter } = roleTopics("command-center", topics);
  const written = [deadLetter, ...targetTopics(registry)];
  const recordLimitBytes = await createTopics(context, common, [input, ...written], written)
    .catch(async (error) => {
      await follower.stop();
      throw error;
    });
  const cassandra = metadataLog.enabled
    ? createCassandraClient(common.cassandra, context.requests)
    : undefined;
  let routingLog: RoutingLog = new NoRoutingLog();
  let tallies: RouteTallyBuffer | undefined;
  // The dashboard on the HTTP port: lag of the command center's group and the services' (sampled while viewed).
  // And how the live routes differ from the routes file it started with.
  const fileView = () => routesFileView(registry.snapshot(), command.registry, command.routesFile, common);
  const lagTargets = consumerTopics(topics).map(({ role, group, topic }) => ({
    group: role === "command-center" ? common.groupId : group,
    topics: [topic],
  }));
  // And the chain's dead-letter topics by topic and reason, replayable and replayed (the replays need Cassandra).
  const replays = cassandra ? new DlqReplays(cassandra, common.cassandra.keyspace) : undefined;
  const deadLetterSampler = async () => ({
    rows: await deadLetterCounts(
      {
        readTopics: (names) =>
          readTopicsToEnd(context.kafka, names, { groupPrefix: `${common.clientId}-dlq` }),
        replays,
      },
      deadLetterSettings.map((setting) => topics[setting]),
      new Set(consumerTopics(topics).map(({ topic }) => topic)),
      registry.snapshot(),
    ),
  });
  const dashboard = commandCenterDashboard(
    context.kafka,
    context.metrics,
    registry,
    lagTargets,
    fileView,
    deadLetterSampler,
  );
  Object.assign(context.pages, dashboard.pages());
  try {
    if (cassandra) ({ routingLog, tallies } = await openRoutingLog(cassandra, command, context));
    context.metrics.observeMetadata(() => ({ ...routingLog.stats(), untallied: tallies?.counts() }));
    await withSink(context, (sink) =>
      runCommandCenter(
        {
          source: sourceOf(context, common, input),
          sink,
          routingLog: dashboard.tap(routingLog),
          registry,
          logger,
          metrics: context.metrics,
          tracer: context.tracer,
        },
        { dlqTopic: deadLetter, maxMessageBytes: common.maxMessageBytes, recordLimitBytes },
        context.signal,
      ));
  } finally {
    await dashboard.stop();
    const metadata = await routingLog.close(10_000);
    logger.info({ metadata, tallies: await tallies?.close() }, "metadata log closed");
    await cassandra?.shutdown();
    await follower.stop();
  }
  return 0;
}

/**
 * The command center's metadata log on `cassandra`: the schema made sure of, Cassandra's health part of
 * readiness, rows buffered and written in the background, and their hops tallied for `chain stats` once a
 * second per route.
 */
async function openRoutingLog(
  cassandraClient: cassandra.Client,
  { common, metadataLog }: Extract<RunnableCommand, { name: "command-center" }>,
  context: Context,
): Promise<{ routingLog: RoutingLog; tallies: RouteTallyBuffer }> {
  const { keyspace } = common.cassandra;
  await ensureSchema(cassandraClient, keyspace, common.cassandra.replication);
  context.readiness.add("cassandra", () => cassandraHealth(cassandraClient));
  const tallies = new RouteTallyBuffer(new CassandraTallyWriter(cassandraClient, keyspace), {
    intervalMs: TALLY_INTERVAL_MS,
    maxPendingHops: metadataLog.bufferRows,
    maxGroupHops: 5_000,
    groupOf: tallyGroupOf,
  });
  const routingLog = new BufferedRoutingLog(new CassandraRowWriter(cassandraClient, keyspace, tallies), {
    capacity: metadataLog.bufferRows,
    maxBatch: 200,
    concurrency: 8,
    // At 100 orders/s a write per routed batch was a Cassandra request or two per hop; 20 ms groups them.
    lingerMs: 20,
    logger: context.logger,
    reportEveryMs: 10_000,
  });
  return { routingLog, tallies };
}

/** How long the hops of `chain stats` gather before their tally rows are written (one per route). */
const TALLY_INTERVAL_MS = 1_000;

async function wireService1(command: Extract<RunnableCommand, { name: "service-1" }>, context: Context) {
  const { common, keyring } = command;
  reportKeyUsage(keyring, context.logger, context.metrics);
  const { topics } = common;
  const { input, deadLetter } = roleTopics("service-1", topics);
  const written = [deadLetter, topics.inbox];
  const recordLimitBytes = await createTopics(context, common, [input, ...written], written);
  await withSink(context, (sink) =>
    runService1(
      {
        source: sourceOf(context, common, input),
        sink,
        keyring,
        logger: context.logger,
        now: () => new Date(),
        metrics: context.metrics,
        tracer: context.tracer,
      },
      {
        inboxTopic: topics.inbox,
        dlqTopic: deadLetter,
        maxMessageBytes: common.maxMessageBytes,
        recordLimitBytes,
      },
      context.signal,
    ));
  return 0;
}

async function wireService2(command: Extract<RunnableCommand, { name: "service-2" }>, context: Context) {
  const { common, keyring } = command;
  reportKeyUsage(keyring, context.logger, context.metrics);
  const { input, deadLetter } = roleTopics("service-2", common.topics);
  const recordLimitBytes = await createTopics(context, common, [input, deadLetter], [deadLetter]);
  const mailer = new CountingMailer(new SmtpMailer(command.smtp), context.metrics, context.requests);
  try {
    await withCassandra(common, context, async (client) => {
      await ensureSchema(client, common.cassandra.keyspace, common.cassandra.replication);
      context.readiness.add("cassandra", () => cassandraHealth(client));
      const store = new CassandraOrderStore(client, common.cassandra.keyspace);
      await withSink(context, (sink) =>
        runService2(
          {
            source: sourceOf(context, common, input, { maxInFlight: command.maxInFlight }),
            sink,
            keyring,
            store,
            mailer,
            logger: context.logger,
            metrics: context.metrics,
            tracer: context.tracer,
          },
          { dlqTopic: deadLetter, maxMessageBytes: common.maxMessageBytes, recordLimitBytes },
          context.signal,
        ));
    });
  } finally {
    await mailer.close();
  }
  return 0;
}

async function wirePublisher(command: Extract<RunnableCommand, { name: "publisher" }>, context: Context) {
  const { common, keyring, input } = command;
  const { logger } = context;
  reportKeyUsage(keyring, logger, context.metrics);
  await createTopics(context, common, [common.topics.inbox]);
  const showBar = command.progress === "auto" ? Deno.stderr.isTerminal() : command.progress;
  const progress = showBar ? await terminalProgress() : noProgress;
  const orders = input.kind === "lines"
    ? jsonLineOrders(lines(input.stream))
    : generatedOrders(input.count, input.invalidShare, input.seed);
  const stats = await withSink(context, async (sink) => {
    progress.start(input.kind === "generated" ? input.count : 0);
    try {
      return await publish(
        orders,
        {
          sink,
          keyring,
          logger,
          printIds: (ids) => context.stdout.write(ids.join("\n") + "\n"),
          progress,
          sleep,
          now: () => performance.now(),
          tracer: context.tracer,
        },
        { inboxTopic: common.topics.inbox, rate: command.rate, batchSize: 500 },
        context.signal,
      );
    } finally {
      progress.stop();
    }
  });
  // The publisher serves no /metrics: its requests go into its last line (the bench reads them there).
  logger.info({ ...stats, ...context.requests.snapshot() }, "publisher done");
  return stats.badInput > 0 ? 1 : 0;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const targetTopics = (registry: RouteRegistry) => [...registry.values()].map((r) => r.targetTopic);

/**
 * Creates the topics of `names` that do not exist yet, with the configured partitions and replication, and
 * returns the largest record the broker takes on all of `written` (the topics the role produces to).
 */
async function createTopics(
  context: Context,
  common: CommonConfig,
  names: string[],
  written: string[] = [],
): Promise<number> {
  const admin = context.kafka.admin();
  await admin.connect();
  try {
    const created = await ensureTopics(admin, names, common.topicPartitions, common.topicReplicationFactor);
    if (created.length > 0) context.logger.info({ topics: created }, "created topics");
    if (written.length === 0) return Number.MAX_SAFE_INTEGER;
    const limits = await topicRecordLimits(admin, written);
    const [topic, limit] = [...limits].reduce((low, next) => next[1] < low[1] ? next : low);
    // Checked once here: MAX_MESSAGE_BYTES above what a written topic takes is allowed (such messages are
    // dead-lettered as oversize, in reduced form), but it is likely a mistake, so say so.
    if (common.maxMessageBytes > limit - RECORD_HEADROOM_BYTES) {
      context.logger.warn(
        { maxMessageBytes: common.maxMessageBytes, topic, maxRecordBytes: limit },
        "MAX_MESSAGE_BYTES is above what the broker takes on a topic this role writes; messages near it will " +
          "be dead-lettered as oversize",
      );
    }
    return limit;
  } finally {
    await admin.disconnect();
  }
}

/** Room for a record's key, headers and framing on top of a MAX_MESSAGE_BYTES value. */
const RECORD_HEADROOM_BYTES = 4096;

/**
 * The role's consumer of `topic`; `/ready` waits for it to join its group and hear from Kafka. `keyed`: orders of
 * different keys in one partition at once, at most `maxInFlight` in hand (service-2).
 */
function sourceOf(
  context: Context,
  common: CommonConfig,
  topic: string,
  keyed?: { maxInFlight: number },
): CheckedSource {
  const source = context.records.source({
    groupId: common.groupId,
    instanceId: common.instanceId,
    sessionTimeoutMs: common.sessionTimeoutMs,
    topic,
    concurrency: common.topicPartitions,
    metrics: context.metrics,
    ...(keyed ? { ordering: "key" as const, maxInFlight: keyed.maxInFlight } : {}),
  });
  context.readiness.add("consumer", () => source.health());
  context.logger.info(
    {
      topic,
      group: common.groupId,
      kafkaClient: context.records.client,
      ...(context.records.client === "platformatic" ? { instanceId: common.instanceId } : {}),
    },
    "consuming",
  );
  return source;
}

/**
 * Runs `work` with a connected producer, closed afterwards however `work` ends. Sends made at once (the
 * partitions a role handles in parallel) share produce requests (CoalescingSink).
 */
async function withSink<T>(context: Context, work: (sink: RecordSink) => Promise<T>): Promise<T> {
  context.readiness.add("producer", () => "not connected yet");
  const sink: ClosableSink = await context.records.connectSink();
  context.readiness.add("producer", () => undefined);
  try {
    return await work(new CoalescingSink(sink));
  } finally {
    context.readiness.add("producer", () => "closed");
    await sink.close();
  }
}

/** Undefined while the driver holds a connection to some Cassandra host; otherwise why not. */
function cassandraHealth(client: cassandra.Client): string | undefined {
  return client.getState().getConnectedHosts().length > 0 ? undefined : "no Cassandra host connected";
}

/** Runs `work` with a Cassandra session, shut down afterwards however `work` ends. */
async function withCassandra<T>(
  common: CommonConfig,
  context: Pick<Context, "requests">,
  work: (client: cassandra.Client) => Promise<T>,
): Promise<T> {
  const client = createCassandraClient(common.cassandra, context.requests);
  try {
    return await work(client);
  } finally {
    await client.shutdown();
  }
}
