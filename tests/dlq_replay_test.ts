/**
 * `chain dlq list` and `chain dlq replay` on the real Kafka and Cassandra, every role and every `chain dlq` a
 * separate process: a message dead-lettered as `route_disabled` reaches its target once the route is enabled and
 * it is replayed; the same order, refused by the mail server (550) in service-2 and dead-lettered as
 * `permanent_failure`, is mailed once and takes its stock once when replayed after the server is back, and a
 * second replay is skipped; a reduced record is refused; a dry run publishes nothing; the commands' output and
 * logs hold no payload.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { runMain as chain } from "../support/in_process.ts";
import { testCassandra, testKafka } from "../support/services.ts";
import { TestChain } from "../support/test_chain.ts";
import { startSmtpSink } from "../support/smtp_sink.ts";
import type { RoleProcess } from "../support/role_process.ts";
import { deadLetter } from "../src/messaging/dead_letter.ts";
import { readTopicsToEnd } from "../src/kafka/topic_snapshot.ts";
import { CassandraInventory, INITIAL_STOCK } from "../src/cassandra/inventory.ts";

function randomKey(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A metric's value in Prometheus text, 0 when absent. */
function sample(metrics: string, line: string): number {
  const found = metrics.split("\n").find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

function httpBase(role: RoleProcess): string {
  const line = role.stderr.find((l) => l.includes("serving /ping"))!;
  return (JSON.parse(line) as { address: string }).address;
}

Deno.test({
  name: "chain dlq replays a route_disabled and a permanent_failure dead letter once each, safely",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const chainUnderTest = await TestChain.open("dlq");
    const { topics, keyspace } = chainUnderTest;
    const env = { ...chainUnderTest.env, ENCRYPTION_KEY: randomKey() };
    // The command-line runs get no key: replay works from a host without ENCRYPTION_KEY.
    const cli = { ...chainUnderTest.env, CHAIN_ACTOR: "test-operator" };
    const refusing = await startSmtpSink({ refuseRecipientsWith: 550 });
    const admin = testKafka("dlq-test-admin").admin();
    await admin.connect();
    const cassandra = testCassandra();
    const kafka = testKafka("dlq-test");
    const high = async (topic: string) =>
      (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    // Every `chain dlq` run, its stdout and stderr, to look for payload at the end.
    const outputs: string[] = [];
    const dlq = async (...args: string[]) => {
      const run = chainUnderTest.start("dlq", ["dlq", ...args], cli);
      const status = await run.finished();
      const text = `${run.stdout.join("\n")}\n${run.stderr.join("\n")}`;
      outputs.push(text);
      assert.equal(status.code, 0, text);
      return run.stdout.join("\n");
    };
    try {
      const init = chainUnderTest.start("init", ["init"], env);
      assert.equal((await init.finished()).code, 0, init.tail());
      const commandCenter = chainUnderTest.start("command-center", ["--role", "command-center"], env);
      chainUnderTest.start("service-1", ["--role", "service-1"], env);
      let service2 = chainUnderTest.start("service-2", ["--role", "service-2"], {
        ...env,
        SMTP_URL: refusing.url,
      });
      await commandCenter.waitForStderr(/command center routing/);
      const disable = await chain(["routes", "disable", "initial-publisher"], cli);
      assert.equal(disable.code, 0, disable.stderr);
      await commandCenter.waitForStderr(/"msg":"route changed"/);

      const publisher = chainUnderTest.start("publisher", ["--role", "publisher", "--count", "1"], env);
      assert.equal((await publisher.finished()).code, 0, publisher.tail());
      const requestId = publisher.stdout.find((l) => l.trim() !== "")!.trim();
      await until(
        "the route_disabled dead letter",
        async () => await high(topics.COMMAND_CENTER_DLQ_TOPIC) > 0 || undefined,
      );

      await t.step("list shows the dead letter with its reason and source, not replayed", async () => {
        const out = await dlq("list");
        const line = out.split("\n").find((l) => l.includes(requestId));
        assert.ok(line, out);
        assert.match(
          line,
          new RegExp(
            `${topics.COMMAND_CENTER_DLQ_TOPIC}/\\d+/0\\s+${requestId}\\s+initial-publisher\\s+route_disabled\\s+${topics.INBOX_TOPIC}/\\d+/0\\s+no\\s+no\\s`,
          ),
        );
        assert.match(out, /\n1 dead letter: route_disabled 1$/);
      });

      await t.step("while the route is disabled, replay skips it; a dry run publishes nothing", async () => {
        const inbox = await high(topics.INBOX_TOPIC);
        const skipped = await dlq("replay", "--reason", "route_disabled", "--yes");
        assert.match(
          skipped,
          /skipped .*the route of initial-publisher \(route-publisher-to-service1\) is still disabled/,
        );
        const enable = await chain(["routes", "enable", "initial-publisher"], cli);
        assert.equal(enable.code, 0, enable.stderr);
        await commandCenter.waitForStderr(/"msg":"route changed"/, 2);
        const dry = await dlq("replay", "--reason", "route_disabled");
        assert.match(dry, new RegExp(`would replay .*${requestId}\\) -> ${topics.INBOX_TOPIC}`));
        assert.match(dry, /dry run: 1 would be replayed, 0 skipped; nothing published/);
        assert.equal(await high(topics.INBOX_TOPIC), inbox, "nothing published to the inbox");
      });

      await t.step("replayed once the route is enabled, it reaches its target topic", async () => {
        const s1 = await high(topics.SERVICE_1_TOPIC);
        const out = await dlq("replay", "--reason", "route_disabled", "--yes");
        assert.match(
          out,
          new RegExp(`replayed .*${requestId}\\) -> ${topics.INBOX_TOPIC}\\n1 replayed, 0 skipped`),
        );
        await until(
          "the order on service-1's topic",
          async () => await high(topics.SERVICE_1_TOPIC) > s1 || undefined,
        );
        const forwarded = await readTopicsToEnd(kafka, [topics.SERVICE_1_TOPIC], { groupPrefix: "dlq-test" });
        assert.equal(forwarded.filter((r) => new TextDecoder().decode(r.key!) === requestId).length, 1);
        // The command center consumed the replay: it counts it on /metrics.
        const metrics = await until("the replay counted", async () => {
          const body = await (await fetch(`${httpBase(commandCenter)}/metrics`)).text();
          const line =
            `chain_dlq_replayed_total{topic="${topics.COMMAND_CENTER_DLQ_TOPIC}",reason="route_disabled"}`;
          return sample(body, line) === 1 ? body : undefined;
        });
        assert.ok(metrics.includes("chain_dlq_replayed_total"));
        const list = await dlq("list", "--reason", "route_disabled");
        assert.match(list, /\s+no\s+yes \(1, last \S+\)\s/);
      });

      await t.step(
        "service-2's mail refused (550): the order is a permanent_failure dead letter, stock taken",
        async () => {
          await until(
            "the permanent_failure dead letter",
            async () => await high(topics.SERVICE_2_DLQ_TOPIC) > 0 || undefined,
          );
          const out = await dlq("list", "--topic", topics.SERVICE_2_DLQ_TOPIC, "--request-id", requestId);
          assert.match(out, /permanent_failure/);
          assert.equal(refusing.messages().length, 0);
        },
      );

      await t.step(
        "replayed after the mail server is back, the order mails once and takes stock once",
        async () => {
          await service2.stop();
          service2 = chainUnderTest.start("service-2#2", ["--role", "service-2"], {
            ...env,
            SMTP_URL: chainUnderTest.smtp.url,
          });
          await service2.waitForStderr(/consuming/);
          const out = await dlq("replay", "--reason", "permanent_failure", "--yes");
          assert.match(out, new RegExp(`replayed .*${requestId}\\) -> ${topics.SERVICE_2_TOPIC}`));
          await service2.waitForStderr(new RegExp(`"request_id":"${requestId}","outcome":"fulfilled"`));
          const mails = chainUnderTest.smtp.messages().filter((m) => m.requestId === requestId);
          assert.equal(mails.length, 1);
          const order = (await cassandra.execute(
            `SELECT items, emailed_at, stock_taken_at FROM ${keyspace}.orders WHERE request_id = ?`,
            [requestId],
            { prepare: true },
          )).first();
          assert.ok(order.get("emailed_at"), "marked mailed");
          // An order may list a sku more than once: the ledger holds one row per (sku, order), their sum.
          const perSku = new Map<string, number>();
          for (const item of JSON.parse(order.get("items")) as { sku: string; quantity: number }[]) {
            perSku.set(item.sku, (perSku.get(item.sku) ?? 0) + item.quantity);
          }
          assert.ok(perSku.size > 0);
          for (const [sku, quantity] of perSku) {
            const taken = (await cassandra.execute(
              `SELECT quantity FROM ${keyspace}.inventory_movements WHERE sku = ? AND request_id = ?`,
              [sku, requestId],
              { prepare: true },
            )).rows;
            assert.deepEqual(taken.map((r) => r.get("quantity")), [quantity], `${sku} taken once`);
            const level = await new CassandraInventory(cassandra, keyspace).level(sku);
            assert.equal(level, INITIAL_STOCK - quantity, `${sku}: its stock less this order's, once`);
          }
        },
      );

      await t.step("a second replay is skipped; --again repeats nothing in service-2", async () => {
        const s2 = await high(topics.SERVICE_2_TOPIC);
        const out = await dlq("replay", "--reason", "permanent_failure", "--yes");
        assert.match(
          out,
          /skipped .*already replayed at \S+ by test-operator \(--again replays it again\)\n0 replayed, 1 skipped/,
        );
        assert.equal(await high(topics.SERVICE_2_TOPIC), s2, "nothing published");
        await dlq("replay", "--reason", "permanent_failure", "--yes", "--again");
        await service2.waitForStderr(new RegExp(`"request_id":"${requestId}","outcome":"repeated"`));
        assert.equal(chainUnderTest.smtp.messages().filter((m) => m.requestId === requestId).length, 1);
      });

      await t.step("a reduced record is refused and nothing is published", async () => {
        const producer = kafka.producer();
        await producer.connect();
        const reduced = deadLetter(
          {
            topic: topics.INBOX_TOPIC,
            partition: 0,
            offset: "7",
            key: new TextEncoder().encode(crypto.randomUUID()),
            value: new Uint8Array(4000).fill(0x61),
            headers: {},
            timestamp: Date.now(),
          },
          "oversize",
          "message is too large",
          { topic: topics.COMMAND_CENTER_DLQ_TOPIC, limitBytes: 1000 },
        );
        await producer.send({
          topic: topics.COMMAND_CENTER_DLQ_TOPIC,
          acks: -1,
          messages: [{
            key: Buffer.from(reduced.key as Uint8Array),
            value: "",
            headers: { ...reduced.headers },
          }],
        });
        await producer.disconnect();
        const inbox = await high(topics.INBOX_TOPIC);
        const out = await dlq("replay", "--reason", "oversize", "--yes", "--force", "--again");
        assert.match(
          out,
          /skipped .*reduced: its value was left out .*the original is at .*\/0\/7\n0 replayed, 1 skipped/,
        );
        assert.equal(await high(topics.INBOX_TOPIC), inbox);
        const list = await dlq("list", "--reason", "oversize", "--json");
        assert.equal(JSON.parse(list).deadLetters[0].reduced, true);
      });

      await t.step("chain trace shows each replay as a hop", async () => {
        const trace = await chain(["trace", requestId], cli);
        assert.equal(trace.code, 0, trace.stderr);
        const cc = topics.COMMAND_CENTER_DLQ_TOPIC;
        const s2 = topics.SERVICE_2_DLQ_TOPIC;
        assert.match(
          trace.stdout,
          new RegExp(
            `chain dlq replay  ${cc} → ${topics.INBOX_TOPIC}  -  replayed ${cc}/\\d+/0 \\(reason route_disabled\\) by test-operator`,
          ),
        );
        const again = new RegExp(
          `chain dlq replay  ${s2} → ${topics.SERVICE_2_TOPIC}  -  replayed ${s2}/`,
          "g",
        );
        assert.equal(trace.stdout.match(again)?.length, 2, trace.stdout);
        outputs.push(trace.stdout);
      });

      await t.step("no output or log line of chain dlq holds the envelope's data, iv or tag", async () => {
        const dead = await readTopicsToEnd(kafka, [
          topics.COMMAND_CENTER_DLQ_TOPIC,
          topics.SERVICE_2_DLQ_TOPIC,
        ], {
          groupPrefix: "dlq-test",
        });
        const secrets = new Set<string>();
        for (const record of dead) {
          if (record.value === null || record.value.byteLength === 0) continue;
          const envelope = JSON.parse(new TextDecoder().decode(record.value));
          for (const field of ["data", "iv", "tag"]) secrets.add(envelope[field]);
        }
        assert.ok(secrets.size >= 3);
        for (const text of outputs) {
          for (const secret of secrets) {
            assert.ok(!text.includes(secret), "a payload field in chain dlq's output");
          }
        }
      });
    } finally {
      await admin.disconnect();
      await cassandra.shutdown();
      await refusing.close();
      await chainUnderTest.close();
    }
  },
});
