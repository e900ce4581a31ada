/**
 * Creates the kafkajs client (the admin work of every role, and the record adapters under `KAFKA_CLIENT=kafkajs`),
 * with kafkajs's own log lines routed to the process logger.
 *
 * @module
 */
import { Kafka, type KafkaConfig, type logCreator, logLevel } from "kafkajs";
import type { Logger } from "../../logging/logger.ts";
import { kafkaApiName, type RequestCounts } from "../../observability/request_counts.ts";
import { fixKafkajsIdleLoop } from "./kafkajs_idle_loop.ts";
import { type KafkaSecurity, type KafkaSettings, tlsConnectionOptions } from "../kafka_settings.ts";

/** kafkajs's `ssl` and `sasl` options for `security`: the certificate and the server's name are always checked. */
export function kafkaSecurityOptions(security: KafkaSecurity | undefined): Pick<KafkaConfig, "ssl" | "sasl"> {
  const options: Pick<KafkaConfig, "ssl" | "sasl"> = {};
  const tls = security?.tls;
  if (tls) {
    options.ssl = tlsConnectionOptions(tls);
  }
  const sasl = security?.sasl;
  if (sasl) {
    const { username, password } = sasl;
    options.sasl = sasl.mechanism === "plain"
      ? { mechanism: "plain", username, password }
      : sasl.mechanism === "scram-sha-256"
      ? { mechanism: "scram-sha-256", username, password }
      : { mechanism: "scram-sha-512", username, password };
  }
  return options;
}

function bridge(logger: Logger): logCreator {
  return () => ({ namespace, level, log }) => {
    // kafkajs logs protocol events (connections, rebalances, errors), never record values.
    const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
    const child = { kafka: namespace, ...fields };
    if (level === logLevel.ERROR) logger.error(child, message);
    else if (level === logLevel.WARN) logger.warn(child, message);
    else if (level === logLevel.INFO) logger.info(child, message);
    else logger.debug(child, message);
  };
}

/** A kafkajs client whose log lines go to `logger` (warnings and errors only, unless debugging). */
export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  fixKafkajsIdleLoop();
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    logLevel: logger.isLevelEnabled("debug") ? logLevel.INFO : logLevel.WARN,
    logCreator: bridge(logger),
    retry: { initialRetryTime: 200, retries: 8 },
    ...kafkaSecurityOptions(settings.security),
  });
}

/** What kafkajs's producers, consumers and admins have in common: instrumentation events. */
interface Instrumented {
  events: { REQUEST: string };
  on(event: string, listener: (event: { payload: { apiKey: number } }) => void): unknown;
}

/**
 * Counts every request of the producers, consumers and admins `kafka` makes from now on, by API (kafkajs's
 * `request` instrumentation event, emitted as each answer arrives).
 */
export function countKafkajsRequests(kafka: Kafka, counts: RequestCounts): void {
  const factories = kafka as unknown as Record<
    "producer" | "consumer" | "admin",
    (config?: unknown) => Instrumented
  >;
  for (const kind of ["producer", "consumer", "admin"] as const) {
    const make = factories[kind].bind(kafka);
    factories[kind] = (config?: unknown) => {
      const client = make(config);
      client.on(
        client.events.REQUEST,
        (event) => counts.request("kafka", kafkaApiName(event.payload.apiKey)),
      );
      return client;
    };
  }
}
