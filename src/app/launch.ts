/**
 * Wires the real clients (kafkajs, cassandra-driver, SMTP) to a resolved command and runs it. Everything a role
 * reads at start-up (key, routes file) is checked before anything connects.
 *
 * @module
 */
import type { Command, CommonConfig } from "./config.ts";
import { ConfigError, encryptionKeyVariable } from "./config.ts";
import { createLogger, routeProcessWarnings } from "./log.ts";
import { createKafka } from "../kafka/kafka_client.ts";
import { ensureTopics } from "../kafka/topics.ts";
import { KafkaRecordSink } from "../kafka/kafka_record_sink.ts";
import { KafkaRecordSource } from "../kafka/kafka_record_source.ts";
import { createCassandraClient } from "../cassandra/cassandra_client.ts";
import { ensureSchema } from "../cassandra/schema.ts";
import { BufferedRoutingLog } from "../routing/buffered_routing_log.ts";
import { NoRoutingLog, type RoutingLog } from "../routing/routing_log.ts";
import { CassandraRowWriter } from "../cassandra/cassandra_row_writer.ts";
import { CassandraOrderStore } from "../cassandra/cassandra_order_store.ts";
import { formatTrace, readTrace } from "../cassandra/trace_query.ts";
import { SmtpMailer } from "../smtp/smtp_mailer.ts";
import { parseKey } from "../envelope/aes_gcm.ts";
import { assertNoLoops, parseRouteRegistry, type RouteRegistry } from "../routing/route_registry.ts";
import { runCommandCenter } from "../roles/command_center.ts";
import { runService1 } from "../roles/service_1.ts";
import { runService2 } from "../roles/service_2.ts";
import { generatedOrders, jsonLineOrders, noProgress, type Progress, publish } from "../roles/publisher.ts";
import { terminalProgress } from "../roles/terminal_progress.ts";
import { lines } from "../roles/text_lines.ts";

type Runnable = Exclude<Command, { kind: "help" } | { kind: "version" }>;

/** Standard output, injected so `main` can be run in-process. */
export interface Output {
  write(text: string): Promise<void>;
}

async function loadRegistry(file: string, common: CommonConfig): Promise<RouteRegistry> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    throw new ConfigError(`cannot read routes file ${file}: ${(error as Error).message}`);
  }
  try {
    const registry = parseRouteRegistry(text, file);
    const { inbox, commandCenterDlq, service1Dlq, service2Dlq } = common.topics;
    assertNoLoops(registry, [inbox, commandCenterDlq, service1Dlq, service2Dlq], file);
    return registry;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

async function loadKey(text: string): Promise<CryptoKey> {
  try {
    return await parseKey(text);
  } catch (error) {
    throw new ConfigError(`${encryptionKeyVariable}: ${(error as Error).message}`);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `command` until it is done or `signal` aborts; resolves with the process exit code. */
export async function launch(
  command: Runnable,
  env: Record<string, string | undefined>,
  signal: AbortSignal,
  stdout: Output,
): Promise<number> {
  const { common } = command;
  const role = command.kind === "role" ? command.role : command.kind;
  const logger = createLogger(common.logLevel, { role });
  routeProcessWarnings(logger);

  // Everything read from disk or the environment is checked before connecting.
  const registry = command.kind === "role" && command.role === "command-center"
    ? await loadRegistry(command.router.routesFile, common)
    : command.kind === "init"
    ? await loadRegistry(command.routesFile, common)
    : undefined;
  const key = command.kind === "role" && command.role !== "command-center"
    ? await loadKey(command.encryptionKey)
    : undefined;
  if (command.kind === "role" && command.role === "command-center" && env[encryptionKeyVariable]) {
    logger.warn(
      `${encryptionKeyVariable} is set, but the command center never reads it; remove it from its environment`,
    );
  }

  const kafka = createKafka({ brokers: common.brokers, clientId: common.clientId }, logger);
  const topics = common.topics;
  const createTopics = async (names: string[]) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const created = await ensureTopics(admin, names, common.topicPartitions, common.topicReplicationFactor);
      if (created.length > 0) logger.info({ topics: created }, "created topics");
    } finally {
      await admin.disconnect();
    }
  };

  switch (command.kind) {
    case "init": {
      await createTopics([...Object.values(topics), ...[...registry!.values()].map((r) => r.targetTopic)]);
      const cassandra = createCassandraClient(common.cassandra);
      try {
        await ensureSchema(cassandra, common.cassandra.keyspace, common.cassandra.replication);
      } finally {
        await cassandra.shutdown();
      }
      await stdout.write(`topics and keyspace ${common.cassandra.keyspace} are ready\n`);
      return 0;
    }
    case "trace": {
      const cassandra = createCassandraClient(common.cassandra);
      try {
        const hops = await readTrace(cassandra, common.cassandra.keyspace, command.requestId);
        await stdout.write(formatTrace(hops, command.requestId) + "\n");
        return hops.length > 0 ? 0 : 1;
      } finally {
        await cassandra.shutdown();
      }
    }
    case "role":
      break;
  }

  const sourceOf = (topic: string) =>
    new KafkaRecordSource(kafka, { groupId: common.groupId, topic, concurrency: common.topicPartitions });
  /** Runs `work` with a connected producer, closed afterwards however `work` ends. */
  const withSink = async (work: (sink: KafkaRecordSink) => Promise<unknown>) => {
    const sink = await KafkaRecordSink.connect(kafka);
    try {
      await work(sink);
    } finally {
      await sink.close();
    }
  };

  switch (command.role) {
    case "command-center": {
      await createTopics([
        topics.inbox,
        topics.commandCenterDlq,
        ...[...registry!.values()].map((r) => r.targetTopic),
      ]);
      const cassandra = command.router.metadataLog ? createCassandraClient(common.cassandra) : undefined;
      let routingLog: RoutingLog = new NoRoutingLog();
      if (cassandra) {
        await ensureSchema(cassandra, common.cassandra.keyspace, common.cassandra.replication);
        routingLog = new BufferedRoutingLog(new CassandraRowWriter(cassandra, common.cassandra.keyspace), {
          capacity: command.router.metadataBufferRows,
          maxBatch: 200,
          concurrency: 8,
          logger,
          reportEveryMs: 10_000,
        });
      }
      try {
        await withSink((sink) =>
          runCommandCenter(
            { source: sourceOf(topics.inbox), sink, routingLog, registry: registry!, logger },
            { dlqTopic: topics.commandCenterDlq, maxMessageBytes: common.maxMessageBytes },
            signal,
          )
        );
      } finally {
        const stats = await routingLog.close(10_000);
        logger.info({ metadata: stats }, "metadata log closed");
        await cassandra?.shutdown();
      }
      return 0;
    }
    case "service-1": {
      await createTopics([topics.service1, topics.service1Dlq, topics.inbox]);
      await withSink((sink) =>
        runService1(
          { source: sourceOf(topics.service1), sink, key: key!, logger, now: () => new Date() },
          { inboxTopic: topics.inbox, dlqTopic: topics.service1Dlq, maxMessageBytes: common.maxMessageBytes },
          signal,
        )
      );
      return 0;
    }
    case "service-2": {
      const mailer = new SmtpMailer({ url: command.fulfillment.smtpUrl, from: command.fulfillment.mailFrom });
      await createTopics([topics.service2, topics.service2Dlq]);
      const cassandra = createCassandraClient(common.cassandra);
      await ensureSchema(cassandra, common.cassandra.keyspace, common.cassandra.replication);
      const store = new CassandraOrderStore(cassandra, common.cassandra.keyspace);
      try {
        await withSink((sink) =>
          runService2(
            { source: sourceOf(topics.service2), sink, key: key!, store, mailer, logger },
            { dlqTopic: topics.service2Dlq, maxMessageBytes: common.maxMessageBytes },
            signal,
          )
        );
      } finally {
        await mailer.close();
        await cassandra.shutdown();
      }
      return 0;
    }
    case "publisher": {
      const options = command.publisher;
      // The input is opened before connecting, so a wrong path stops the publisher at once.
      let input: ReadableStream<Uint8Array> | undefined;
      if (options.input === "-") input = Deno.stdin.readable;
      else if (options.input !== undefined) {
        try {
          input = (await Deno.open(options.input)).readable;
        } catch (error) {
          throw new ConfigError(
            `--input / PUBLISH_INPUT: cannot open ${options.input}: ${(error as Error).message}`,
          );
        }
      }
      await createTopics([topics.inbox]);
      const showBar = options.progress === "auto" ? Deno.stderr.isTerminal() : options.progress;
      const progress: Progress = showBar ? await terminalProgress() : noProgress;
      const orders = input
        ? jsonLineOrders(lines(input))
        : generatedOrders(options.count, options.invalidShare, options.seed);
      let badInput = 0;
      await withSink(async (sink) => {
        progress.start(input ? 0 : options.count);
        const stats = await publish(
          orders,
          {
            sink,
            key: key!,
            logger,
            printIds: (ids) => stdout.write(ids.join("\n") + "\n"),
            progress,
            sleep,
            now: () => performance.now(),
          },
          { inboxTopic: topics.inbox, rate: options.rate, batchSize: 500 },
          signal,
        );
        progress.stop();
        logger.info({ ...stats }, "publisher done");
        badInput = stats.badInput;
      });
      return badInput > 0 ? 1 : 0;
    }
  }
}
