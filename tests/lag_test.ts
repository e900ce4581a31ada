/**
 * `chain lag` on the real Kafka, run in-process through main(): a group that committed part of a topic shows its
 * lag as STOPPED while no consumer runs, STALLED while a consumer holds the partitions without committing, and
 * OK (exit 0) once it has consumed to the end.
 */
import assert from "node:assert/strict";
import type { Consumer } from "kafkajs";
import { main } from "../main.ts";
import { captured } from "../support/in_process.ts";
import type { TopicLag } from "../src/lag/lag_status.ts";
import { createTopics, serviceEnv, testKafka, uniqueName } from "../support/services.ts";

const PER_PARTITION = 10;
const COMMITTED = 4;

async function lag(group: string, ...more: string[]) {
  const stdout = captured();
  const stderr = captured();
  const env = { ...serviceEnv(), LOG_LEVEL: "silent" };
  const code = await main(
    ["lag", "--group", group, "--window", "1", ...more],
    env,
    new AbortController().signal,
    stdout,
    stderr,
  );
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

async function lagJson(group: string): Promise<{ code: number; ok: boolean; rows: TopicLag[] }> {
  const run = await lag(group, "--json");
  assert.equal(run.stderr, "");
  return { code: run.code, ...JSON.parse(run.stdout) };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

Deno.test({
  name:
    "chain lag shows a stopped and a stalled group's lag as not OK, and OK once it has consumed to the end",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const kafka = testKafka("lag-test");
    const topic = uniqueName("lag");
    const group = uniqueName("lag-group");
    await createTopics(kafka, [topic], 2);
    const admin = kafka.admin();
    const producer = kafka.producer();
    let consumer: Consumer | undefined;
    await admin.connect();
    try {
      await producer.connect();
      await producer.send({
        topic,
        messages: [0, 1].flatMap((partition) =>
          Array.from({ length: PER_PARTITION }, (_, i) => ({ partition, value: `record ${i}` }))
        ),
      });
      await producer.disconnect();
      const committed = async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        return offsets.partitions.map((p) => Number(p.offset));
      };

      // A consumer reads and commits the first COMMITTED records of each partition, then leaves the group.
      consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const first = consumer;
      await first.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const next = Number(message.offset) + 1;
          if (next <= COMMITTED) await first.commitOffsets([{ topic, partition, offset: String(next) }]);
        },
      });
      await until("the first commits", async () => (await committed()).every((o) => o === COMMITTED));
      await consumer.disconnect();
      consumer = undefined;

      const table = await lag(group);
      assert.equal(table.code, 1, table.stderr);
      const lagged = 2 * (PER_PARTITION - COMMITTED);
      assert.match(
        table.stdout,
        new RegExp(
          `^${group}\\s+${topic}\\s+2\\s+${lagged}\\s+0: ${PER_PARTITION - COMMITTED}\\s+\\S+\\s+STOPPED$`,
          "m",
        ),
        table.stdout,
      );
      const stopped = await lagJson(group);
      assert.equal(stopped.code, 1);
      assert.equal(stopped.ok, false);
      assert.equal(stopped.rows.length, 1);
      assert.equal(stopped.rows[0].totalLag, lagged);
      assert.equal(stopped.rows[0].status, "STOPPED");
      assert.equal(stopped.rows[0].lagSecondsFrom, "record", "the oldest unconsumed record was read");
      assert.ok(stopped.rows[0].lagSeconds! >= 0 && stopped.rows[0].lagSeconds! < 120);

      // A consumer joins and holds both partitions without committing: stalled.
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      let entered = false;
      consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
      const second = consumer;
      await second.connect();
      await second.subscribe({ topics: [topic], fromBeginning: true });
      await second.run({
        autoCommit: false,
        eachBatch: async ({ batch, heartbeat }) => {
          entered = true;
          while (await Promise.race([gate.then(() => false), sleep(500).then(() => true)])) await heartbeat();
          const last = batch.messages.at(-1);
          if (last) {
            await second.commitOffsets([{
              topic,
              partition: batch.partition,
              offset: String(Number(last.offset) + 1),
            }]);
          }
        },
      });
      await until("the second consumer to hold a batch", () => Promise.resolve(entered));
      const stalled = await lagJson(group);
      assert.equal(stalled.code, 1);
      assert.equal(stalled.rows[0].totalLag, lagged);
      assert.equal(stalled.rows[0].status, "STALLED");

      // It goes on and consumes to the end: OK, exit 0.
      release();
      await until(
        "the second consumer to reach the end",
        async () => (await committed()).every((o) => o === PER_PARTITION),
      );
      const caughtUp = await lag(group);
      assert.equal(caughtUp.code, 0, caughtUp.stdout + caughtUp.stderr);
      assert.match(caughtUp.stdout, new RegExp(`^${group}\\s+${topic}\\s+2\\s+0\\s+0: 0\\s+0\\s+OK$`, "m"));
    } finally {
      await consumer?.disconnect().catch(() => {});
      await admin.deleteGroups([group]).catch(() => {});
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  },
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
