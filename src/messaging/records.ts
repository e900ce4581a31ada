/**
 * The records roles read and write, and the two small interfaces they use to do it. The real adapters wrap
 * @platformatic/kafka (src/kafka/platformatic/, the default client) and kafkajs (src/kafka/kafkajs/kafka_record_source.ts,
 * src/kafka/kafkajs/kafka_record_sink.ts, `KAFKA_CLIENT=kafkajs`); tests use the in-memory fakes in
 * src/testing/memory_kafka.ts.
 *
 * @module
 */

/** A record as consumed. `value` and `key` are the bytes exactly as they sit on the topic. */
export interface InRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The record's Kafka timestamp, milliseconds since the epoch. */
  readonly timestamp: number;
}

/** A record to produce. */
export interface OutRecord {
  readonly topic: string;
  readonly key: Uint8Array | string | null;
  readonly value: Uint8Array | string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Records of one partition, in offset order. */
export interface RecordBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly InRecord[];
}

/** Produces records; resolves once every record is acknowledged by all in-sync replicas. */
export interface RecordSink {
  send(records: readonly OutRecord[]): Promise<void>;
}

/**
 * Consumes as a member of a consumer group. The handler gets one partition's batch at a time; the batch's
 * offsets are committed only after the handler resolves, so a crash replays it (at least once). A handler that
 * throws gets the same batch again later. Resolves after `signal` aborts and the batch in hand is finished.
 */
export interface RecordSource {
  run(handler: (batch: RecordBatch) => Promise<void>, signal: AbortSignal): Promise<void>;
}
