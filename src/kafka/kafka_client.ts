/**
 * Creates the kafkajs client every role uses, with kafkajs's own log lines routed to the process logger.
 *
 * @module
 */
import { Kafka, type logCreator, logLevel } from "kafkajs";
import type { Logger } from "../app/log.ts";

/** Where Kafka is and who we are to it. */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
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
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    logLevel: logger.isLevelEnabled("debug") ? logLevel.INFO : logLevel.WARN,
    logCreator: bridge(logger),
    retry: { initialRetryTime: 200, retries: 8 },
  });
}
