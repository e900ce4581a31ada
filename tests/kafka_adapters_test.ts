/**
 * The kafkajs adapters on the real broker: the suite every pair of Kafka adapters passes
 * (support/kafka_adapter_suite.ts).
 */
import { KafkaRecordSink } from "../src/kafka/kafkajs/kafka_record_sink.ts";
import { KafkaRecordSource } from "../src/kafka/kafkajs/kafka_record_source.ts";
import { kafkaAdapterSuite } from "../support/kafka_adapter_suite.ts";
import { testKafka } from "../support/services.ts";

const kafka = testKafka("adapters-test");

kafkaAdapterSuite(kafka, {
  sinkName: "KafkaRecordSink",
  sourceName: "KafkaRecordSource",
  connectSink: () => KafkaRecordSink.connect(kafka),
  source: (options) => new KafkaRecordSource(kafka, options),
});
