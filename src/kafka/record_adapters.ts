/**
 * The Kafka client behind the roles' record source and sink, chosen by `--kafka-client` / `KAFKA_CLIENT`:
 * `@platformatic/kafka` or kafkajs. Both pass the same contract suite (src/messaging/records_contract.ts); admin
 * work (topics, limits, lag, the routes topic) stays on kafkajs either way.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import type { Logger } from "../logging/logger.ts";
import type { RecordSink, RecordSource } from "../messaging/records.ts";
import { KafkaRecordSink } from "./kafkajs/kafka_record_sink.ts";
import { KafkaRecordSource } from "./kafkajs/kafka_record_source.ts";
import type { SourceOptions } from "./source_options.ts";
import type { KafkaSettings } from "./kafka_settings.ts";
import { createPlatformaticKafka } from "./platformatic/platformatic_client.ts";
import { PlatformaticRecordSink } from "./platformatic/platformatic_record_sink.ts";
import { PlatformaticRecordSource } from "./platformatic/platformatic_record_source.ts";

/** The Kafka clients chain can route with. */
export const kafkaClients = ["platformatic", "kafkajs"] as const;
/** One of {@link kafkaClients}. */
export type KafkaClientName = typeof kafkaClients[number];

/** A record source that can say whether it is in its group and in touch with Kafka. */
export type CheckedSource = RecordSource & { health(): string | undefined };
/** A connected record sink that can be closed. */
export type ClosableSink = RecordSink & { close(): Promise<void> };

/** Makes the roles' sources and sinks on one client. */
export interface RecordAdapters {
  readonly client: KafkaClientName;
  source(options: SourceOptions): CheckedSource;
  connectSink(): Promise<ClosableSink>;
}

/** The adapters of `client`; `kafka` is the kafkajs client the role has anyway (for admin work). */
export function recordAdapters(
  client: KafkaClientName,
  kafka: Kafka,
  settings: KafkaSettings,
  logger: Logger,
): RecordAdapters {
  if (client === "kafkajs") {
    return {
      client,
      source: (options) => new KafkaRecordSource(kafka, options),
      connectSink: () => KafkaRecordSink.connect(kafka),
    };
  }
  const platformatic = createPlatformaticKafka(settings, logger);
  return {
    client,
    source: (options) => new PlatformaticRecordSource(platformatic, options),
    connectSink: () => PlatformaticRecordSink.connect(platformatic),
  };
}
