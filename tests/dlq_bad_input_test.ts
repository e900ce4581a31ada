/**
 * `chain dlq replay --yes` given bad input or missing a service, on the real Kafka and Cassandra (main() run
 * in-process, and as a process for the broker away): an unknown topic or a malformed filter, Cassandra away and
 * the broker away each give one `chain:` line and a non-zero exit, and nothing is published, though a replayable
 * dead letter is waiting.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { runMain as chain } from "../support/in_process.ts";
import { roleEnv, RoleProcess, topicEnv } from "../support/role_process.ts";
import { createTopics, serviceEnv, testCassandra, testKafka, uniqueName } from "../support/services.ts";
import { deleteTopics } from "../support/topic_reader.ts";
import { deadLetter } from "../src/messaging/dead_letter.ts";

Deno.test({
  name:
    "chain dlq replay with an unknown topic, a bad filter, Cassandra or the broker away: one line, nothing published",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const id = uniqueName("dlq-bad");
    const topics = topicEnv(id);
    const keyspace = id.replaceAll("-", "_");
    const env = { ...topics, ...serviceEnv(), CASSANDRA_KEYSPACE: keyspace, LOG_LEVEL: "silent" };
    const kafka = testKafka("dlq-bad-input");
    await createTopics(kafka, [topics.SERVICE_2_TOPIC, topics.SERVICE_2_DLQ_TOPIC], 1);
    const admin = kafka.admin();
    await admin.connect();
    const high = async () => (await admin.fetchTopicOffsets(topics.SERVICE_2_TOPIC))[0].high;
    try {
      // A permanent_failure dead letter of service-2, replayable as far as its headers go.
      const record = deadLetter(
        {
          topic: topics.SERVICE_2_TOPIC,
          partition: 0,
          offset: "0",
          key: new TextEncoder().encode(crypto.randomUUID()),
          value: new TextEncoder().encode("{}"),
          headers: {},
          timestamp: Date.now(),
        },
        "permanent_failure",
        "the mail server refused the recipient (550)",
        { topic: topics.SERVICE_2_DLQ_TOPIC, limitBytes: 1_000_000 },
      );
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: topics.SERVICE_2_DLQ_TOPIC,
        acks: -1,
        messages: [{
          key: Buffer.from(record.key as Uint8Array),
          value: Buffer.from(record.value as Uint8Array),
          headers: { ...record.headers },
        }],
      });
      await producer.disconnect();
      const before = await high();
      const oneLine = (stderr: string, pattern: RegExp) => {
        assert.match(stderr, pattern);
        assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
      };

      await t.step("the dry run would replay it: the record is replayable", async () => {
        const dry = await chain(["dlq", "replay"], env);
        assert.equal(dry.code, 0, dry.stderr);
        assert.match(dry.stdout, /dry run: 1 would be replayed, 0 skipped/);
      });

      await t.step("an unknown topic or a malformed filter: exit 2", async () => {
        const unknown = await chain(["dlq", "replay", "--yes", "--topic", "orders"], env);
        assert.equal(unknown.code, 2);
        oneLine(unknown.stderr, /^chain: --topic must be one of the dead-letter topics .*"orders"/);
        const filter = await chain(["dlq", "replay", "--yes", "--since", "yesterday"], env);
        assert.equal(filter.code, 2);
        oneLine(filter.stderr, /^chain: --since: must be a whole number and a unit/);
      });

      await t.step("Cassandra away: exit 1", async () => {
        const away = await chain(["dlq", "replay", "--yes"], {
          ...env,
          CASSANDRA_CONTACT_POINTS: "127.0.0.1:1",
        });
        assert.equal(away.code, 1);
        oneLine(away.stderr, /^chain: Cassandra: no host answered; 127\.0\.0\.1:1/);
      });

      await t.step("the broker away: exit 1, and at the default log level still one line", async () => {
        // As a process: kafkajs's own log lines (one per retry) would go to the process's stderr.
        const away = new RoleProcess(
          "dlq",
          ["dlq", "replay", "--yes"],
          roleEnv({ ...env, LOG_LEVEL: "info", KAFKA_BROKERS: "127.0.0.1:1", HTTP_PORT: "off" }),
        );
        assert.equal((await away.finished()).code, 1);
        oneLine(away.stderr.join("\n"), /^chain: .*ECONNREFUSED 127\.0\.0\.1:1/);
      });

      assert.equal(await high(), before, "nothing published to service-2's topic");
    } finally {
      await admin.disconnect();
      await deleteTopics(kafka, Object.values(topics));
      const cassandra = testCassandra();
      await cassandra.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
      await cassandra.shutdown();
    }
  },
});
