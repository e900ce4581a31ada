/**
 * The whole chain on the real Kafka and Cassandra, each role a separate process started the way a user starts
 * it: publisher → command center → service-1 → command center → service-2, plus injected bad messages and a
 * crash of service-2 between processing and commit.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { testCassandra, testKafka, uniqueName } from "../support/services.ts";
import { consumeUntil } from "../support/topic_reader.ts";
import { TestChain } from "../support/test_chain.ts";
import { encodeEnvelope, sealEnvelope } from "../src/envelope/envelope.ts";
import { parseKey } from "../src/envelope/aes_gcm.ts";
import { deadLetterHeader } from "../src/messaging/dead_letter.ts";

const ORDERS = 240;
const INVALID_SHARE = 0.15;

function randomKey(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last !== undefined) return last;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface DeadLetter {
  key: string;
  value: string;
  reason: string;
  detail: string;
}

function readTopic(topic: string, expected: number): Promise<DeadLetter[]> {
  return consumeUntil(testKafka("e2e-reader"), topic, {
    groupId: uniqueName("e2e-reader"),
    until: expected,
    timeoutMs: 60_000,
    onTimeout: "throw",
    keep: ({ message }) => {
      const header = (name: string) => String(message.headers?.[name] ?? "");
      return {
        key: String(message.key ?? ""),
        value: String(message.value ?? ""),
        reason: header(deadLetterHeader.reason),
        detail: header(deadLetterHeader.detail),
      };
    },
  });
}

Deno.test({
  name:
    "the chain fulfils every valid order exactly once, rejects invalid ones and dead-letters bad messages",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const chain = await TestChain.open("e2e", (topics) => ({
      "retired-publisher": {
        targetTopic: topics.SERVICE_2_TOPIC,
        enabled: false,
        routeId: "route-retired",
      },
    }));
    const { keyspace, topics, smtp } = chain;
    const key = randomKey();
    const common = chain.env;
    const withKey = { ...common, ENCRYPTION_KEY: key };
    const roles = chain.roles;
    const start = chain.start.bind(chain);
    const cassandra = testCassandra();
    await cassandra.connect();
    try {
      const init = start("init", ["init"], common);
      assert.equal((await init.finished()).code, 0, init.tail());

      const commandCenter = start("command-center", ["--role", "command-center"], common);
      const service1 = start("service-1", ["--role", "service-1"], withKey);
      await commandCenter.waitForStderr(/command center routing/);

      // Orders, some with invalid amounts.
      const publisher = start(
        "publisher",
        [
          "--role",
          "publisher",
          "--count",
          String(ORDERS),
          "--invalid-share",
          String(INVALID_SHARE),
          "--seed",
          "11",
        ],
        withKey,
      );
      assert.equal((await publisher.finished()).code, 0, publisher.tail());
      const published = publisher.stdout.filter((line) => line.trim() !== "");
      assert.equal(published.length, ORDERS);

      // Bad messages, produced straight to the inbox.
      const producer = testKafka("e2e-injector").producer();
      await producer.connect();
      const cryptoKey = await parseKey(key);
      const tampered = await sealEnvelope(cryptoKey, crypto.randomUUID(), "initial-publisher", {
        orderId: "x",
      });
      const flipped = Buffer.from(tampered.data, "base64");
      flipped[0] ^= 0xff;
      const tamperedId = tampered.request_id;
      const unknownWorker = await sealEnvelope(cryptoKey, crypto.randomUUID(), "mystery-publisher", { a: 1 });
      const disabled = await sealEnvelope(cryptoKey, crypto.randomUUID(), "retired-publisher", { a: 1 });
      await producer.send({
        topic: topics.INBOX_TOPIC,
        messages: [
          { key: "not-json", value: "this is not json {" },
          { key: unknownWorker.request_id, value: Buffer.from(encodeEnvelope(unknownWorker)) },
          { key: disabled.request_id, value: Buffer.from(encodeEnvelope(disabled)) },
          {
            key: tamperedId,
            value: Buffer.from(encodeEnvelope({ ...tampered, data: flipped.toString("base64") })),
          },
        ],
      });
      await producer.disconnect();

      // Every order reaches service-2's topic before service-2 starts, so its first batches are large.
      const admin = testKafka("e2e-admin").admin();
      await admin.connect();
      await until("all orders on service-2's topic", async () => {
        const offsets = await admin.fetchTopicOffsets(topics.SERVICE_2_TOPIC);
        const total = offsets.reduce((sum, p) => sum + Number(p.high), 0);
        return total >= ORDERS ? total : undefined;
      });
      await admin.disconnect();

      await t.step("a crash of service-2 between processing and commit fulfils nothing twice", async () => {
        const env = { ...withKey, SMTP_URL: smtp.url };
        const first = start("service-2#1", ["--role", "service-2"], env);
        await first.waitForStderr(/"outcome":"(fulfilled|rejected)"/, 3);
        await first.stop("SIGKILL");
        const second = start("service-2#2", ["--role", "service-2"], env);
        await until("every order fulfilled or rejected", async () => {
          const rows = (await cassandra.execute(`SELECT status FROM ${keyspace}.orders`)).rows;
          return rows.length >= ORDERS ? rows : undefined;
        });
        // The orders the first process finished but did not commit came again, and were recognised.
        assert.ok(
          second.countStderr(/"outcome":"repeated"/) >= 1,
          "the restarted service-2 saw redeliveries",
        );
        assert.equal((await second.stop()).code, 0, second.tail());
      });

      await t.step(
        "every valid order is saved once, mailed once and takes its items off the inventory once",
        async () => {
          const rows = (await cassandra.execute(
            `SELECT request_id, status, items, reason, email FROM ${keyspace}.orders`,
          )).rows;
          assert.equal(rows.length, ORDERS);
          const ids = new Set(rows.map((r) => String(r.get("request_id"))));
          assert.deepEqual([...ids].sort(), [...published].sort());
          const fulfilled = rows.filter((r) => r.get("status") === "fulfilled");
          const rejected = rows.filter((r) => r.get("status") === "rejected");
          assert.equal(fulfilled.length + rejected.length, ORDERS);
          assert.ok(
            rejected.length > 0 && fulfilled.length > 0,
            `${fulfilled.length} fulfilled, ${rejected.length} rejected`,
          );
          for (const r of rejected) assert.match(String(r.get("reason")), /amount/);

          const mails = smtp.messages();
          const mailed = new Map<string, number>();
          for (const m of mails) mailed.set(m.requestId ?? "", (mailed.get(m.requestId ?? "") ?? 0) + 1);
          for (const r of fulfilled) {
            assert.equal(mailed.get(String(r.get("request_id"))), 1, "one email per fulfilled order");
          }
          for (const r of rejected) {
            assert.equal(mailed.get(String(r.get("request_id"))), undefined, "no email");
          }
          assert.equal(mails.length, fulfilled.length);

          const expected = new Map<string, number>();
          for (const r of fulfilled) {
            for (const item of JSON.parse(String(r.get("items")))) {
              expected.set(item.sku, (expected.get(item.sku) ?? 0) + item.quantity);
            }
          }
          const taken = new Map<string, number>();
          for (
            const m of (await cassandra.execute(
              `SELECT sku, request_id, quantity FROM ${keyspace}.inventory_movements`,
            )).rows
          ) {
            taken.set(m.get("sku"), (taken.get(m.get("sku")) ?? 0) + Number(m.get("quantity")));
          }
          assert.deepEqual(Object.fromEntries([...taken].sort()), Object.fromEntries([...expected].sort()));
        },
      );

      await t.step(
        "every good request has exactly two successful hops with a one-week TTL and no payload",
        async () => {
          const columns = (await cassandra.execute(
            "SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = 'routing_metadata'",
            [keyspace],
          )).rows.map((r) => String(r.get("column_name")));
          for (const forbidden of ["data", "payload", "iv", "tag", "ciphertext", "value"]) {
            assert.ok(!columns.includes(forbidden), `routing_metadata has no ${forbidden} column`);
          }
          for (const requestId of published) {
            const hops = (await cassandra.execute(
              `SELECT worker_name, source_topic, target_topic, route_id, success, TTL(worker_name) AS ttl
             FROM ${keyspace}.routing_metadata WHERE request_id = ?`,
              [requestId],
              { prepare: true },
            )).rows;
            assert.equal(hops.length, 2, `two hops for ${requestId}`);
            assert.deepEqual(
              hops.map((h) => [h.get("worker_name"), h.get("target_topic"), h.get("route_id")]),
              [
                ["initial-publisher", topics.SERVICE_1_TOPIC, "route-publisher-to-service1"],
                ["service-1-publisher", topics.SERVICE_2_TOPIC, "route-service1-to-service2"],
              ],
            );
            for (const h of hops) {
              assert.equal(h.get("success"), true);
              assert.equal(h.get("source_topic"), topics.INBOX_TOPIC);
              const ttl = Number(h.get("ttl"));
              assert.ok(ttl > 0 && ttl <= 604_800, `TTL ${ttl}`);
            }
          }
          // Nothing in any metadata row carries an envelope's ciphertext.
          const all = (await cassandra.execute(`SELECT * FROM ${keyspace}.routing_metadata`)).rows;
          const text = JSON.stringify(all);
          assert.ok(
            !text.includes(tampered.data.slice(0, 16)) && !text.includes(unknownWorker.data.slice(0, 16)),
          );
        },
      );

      await t.step("every bad message sits in the right dead-letter topic with its reason", async () => {
        const ccDlq = await readTopic(topics.COMMAND_CENTER_DLQ_TOPIC, 3);
        const byKey = new Map(ccDlq.map((d) => [d.key, d]));
        assert.equal(byKey.get("not-json")?.reason, "malformed");
        assert.equal(byKey.get("not-json")?.value, "this is not json {");
        assert.equal(byKey.get(unknownWorker.request_id)?.reason, "unknown_worker");
        assert.equal(byKey.get(disabled.request_id)?.reason, "route_disabled");
        const s1Dlq = await readTopic(topics.SERVICE_1_DLQ_TOPIC, 1);
        assert.equal(s1Dlq[0].key, tamperedId);
        assert.equal(s1Dlq[0].reason, "decrypt_failed");
        assert.match(s1Dlq[0].detail, /authentication failed/);

        const failures = (await cassandra.execute(
          `SELECT success, reason FROM ${keyspace}.routing_metadata WHERE request_id = ?`,
          [unknownWorker.request_id],
          { prepare: true },
        )).rows;
        assert.equal(failures.length, 1);
        assert.equal(failures[0].get("success"), false);
        assert.match(String(failures[0].get("reason")), /unknown_worker/);
      });

      await t.step("the command center ran without the key and logged no payload", async () => {
        const environ = await Deno.readTextFile(`/proc/${commandCenter.pid}/environ`).catch(() => "");
        assert.ok(environ.includes("INBOX_TOPIC="), "the command center's environment was read");
        assert.ok(
          !environ.includes("ENCRYPTION_KEY"),
          "no ENCRYPTION_KEY in the command center's environment",
        );
        const logs = roles.flatMap((r) => [...r.stderr]).join("\n");
        assert.ok(!logs.includes(key), "the key is in no log line");
        assert.ok(!logs.includes(tampered.data.slice(0, 16)), "no ciphertext in any log line");
        assert.ok(!logs.includes("this is not json"), "no message value in any log line");
      });

      for (const role of [commandCenter, service1]) {
        assert.equal((await role.stop()).code, 0, `${role.name} exits 0 on SIGTERM\n${role.tail()}`);
      }
    } finally {
      await chain.close();
      await cassandra.shutdown();
    }
  },
});
