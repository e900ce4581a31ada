/**
 * Key rotation on the real Kafka and Cassandra, each role a separate process: the chain starts on the single
 * `ENCRYPTION_KEY` A (a ring of one key, id "default"), orders flow while service-1 and service-2 are restarted
 * one at a time, first with the ring {default: A, B} with A active (B decrypt-only), then with B active, and a
 * publisher on B publishes more. Nothing is lost, nothing is done twice, what is sealed after the switch names
 * B, an old-format message without a key id still passes while A is in the ring, and an envelope under a key
 * the ring does not hold is dead-lettered as `unknown_key`.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { RoleProcess } from "../support/role_process.ts";
import { testCassandra, testKafka, uniqueName } from "../support/services.ts";
import { consumeUntil } from "../support/topic_reader.ts";
import { TestChain } from "../support/test_chain.ts";
import { encodeEnvelope, KEY_ID_HEADER, sealEnvelope } from "../src/envelope/envelope.ts";
import { parseKey } from "../src/envelope/aes_gcm.ts";
import { deadLetterHeader } from "../src/messaging/dead_letter.ts";

/** Orders each publisher sends. */
const ORDERS = 150;
/** Old-format envelopes (no key id), sealed with A, injected after B became active. */
const LEGACY = 5;

function randomKey(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Seen {
  key: string;
  /** The envelope's worker_name, when the value is an envelope. */
  worker: string;
  headers: Record<string, string>;
}

/** The records on `topic` (at least `expected` of them), with their keys and headers. */
function readTopic(topic: string, expected: number): Promise<Seen[]> {
  return consumeUntil(testKafka("rotation-reader"), topic, {
    groupId: uniqueName("rotation-reader"),
    until: expected,
    timeoutMs: 60_000,
    onTimeout: "throw",
    keep: ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
      let worker = "";
      try {
        worker = String(JSON.parse(String(message.value)).worker_name);
      } catch { /* a dead letter may have an empty value */ }
      return { key: String(message.key ?? ""), worker, headers };
    },
  });
}

Deno.test({
  name: "a key rotation with every role running loses nothing and seals with the new key once it is active",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const chain = await TestChain.open("rotation");
    const { keyspace, topics, smtp } = chain;
    const keyA = randomKey();
    const keyB = randomKey();
    const common = chain.env;
    // Step 0: the single key of old. Step 1: B added everywhere, decrypt-only. Step 2: B active.
    const onlyA = { ...common, ENCRYPTION_KEY: keyA };
    const ring = JSON.stringify({ default: keyA, B: keyB });
    const addB = { ...common, ENCRYPTION_KEYS: ring, ENCRYPTION_ACTIVE_KEY_ID: "default" };
    const useB = { ...common, ENCRYPTION_KEYS: ring, ENCRYPTION_ACTIVE_KEY_ID: "B" };
    const roles = chain.roles;
    const start = chain.start.bind(chain);
    const service = async (name: "service-1" | "service-2", n: number, env: Record<string, string>) => {
      const p = start(`${name}#${n}`, ["--role", name], { ...env, SMTP_URL: smtp.url });
      await p.waitForStderr(/"msg":"consuming"/);
      return p;
    };
    /** Stops `p` the way a deployment does (SIGTERM: finish the batch, commit, exit 0) and starts its successor. */
    const replace = async (
      p: RoleProcess,
      name: "service-1" | "service-2",
      n: number,
      env: Record<string, string>,
    ) => {
      assert.equal((await p.stop()).code, 0, `${p.name} exits 0 on SIGTERM\n${p.tail()}`);
      return await service(name, n, env);
    };
    const cassandra = testCassandra();
    await cassandra.connect();
    try {
      const init = start("init", ["init"], common);
      assert.equal((await init.finished()).code, 0, init.tail());
      const commandCenter = start("command-center", ["--role", "command-center"], common);
      await commandCenter.waitForStderr(/command center routing/);
      let service1 = await service("service-1", 1, onlyA);
      let service2 = await service("service-2", 1, onlyA);

      const publishing = ["--role", "publisher", "--count", String(ORDERS)];
      const published: string[] = [];
      await t.step("orders sealed with A keep flowing while B is added and made active", async () => {
        // 10 orders/s: the 15 s of publishing span the four restarts.
        const first = start("publisher#A", [...publishing, "--rate", "10", "--seed", "21"], onlyA);
        // Mid-stream: each service restarted with B decrypt-only, then with B active, one at a time.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        service2 = await replace(service2, "service-2", 2, addB);
        service1 = await replace(service1, "service-1", 2, addB);
        service2 = await replace(service2, "service-2", 3, useB);
        service1 = await replace(service1, "service-1", 3, useB);
        assert.equal((await first.finished()).code, 0, first.tail());
        published.push(...first.stdout.filter((line) => line.trim() !== ""));
        assert.equal(published.length, ORDERS);
      });

      const legacyIds: string[] = [];
      let unknownId = "";
      await t.step(
        "a publisher on B publishes more; old-format and unknown-key envelopes are injected",
        async () => {
          const second = start("publisher#B", [...publishing, "--seed", "22"], useB);
          const producer = testKafka("rotation-injector").producer();
          await producer.connect();
          const a = await parseKey(keyA);
          const messages = [];
          for (let i = 0; i < LEGACY; i++) {
            const envelope = await sealEnvelope(a, crypto.randomUUID(), "initial-publisher", {
              orderId: `legacy-${i}`,
              userId: "u-legacy",
              email: "legacy@example.com",
              amount: 10,
              items: [{ sku: "sku-001", quantity: 1, price: 10 }],
            });
            legacyIds.push(envelope.request_id);
            messages.push({ key: envelope.request_id, value: Buffer.from(encodeEnvelope(envelope)) });
          }
          const c = await parseKey(randomKey());
          const unknown = await sealEnvelope(
            c,
            crypto.randomUUID(),
            "initial-publisher",
            { orderId: "c" },
            "C",
          );
          unknownId = unknown.request_id;
          messages.push({
            key: unknownId,
            value: Buffer.from(encodeEnvelope(unknown)),
            headers: { [KEY_ID_HEADER]: "C" },
          });
          await producer.send({ topic: topics.INBOX_TOPIC, messages });
          await producer.disconnect();
          assert.equal((await second.finished()).code, 0, second.tail());
          published.push(...second.stdout.filter((line) => line.trim() !== ""));
          assert.equal(published.length, 2 * ORDERS);
        },
      );

      await t.step(
        "every order is fulfilled once: one row, one mail, nothing dead-lettered but C",
        async () => {
          const expected = [...published, ...legacyIds];
          // A row is saved before its mail is sent: wait for both.
          const rows = await until("every order fulfilled or rejected, and mailed", async () => {
            const rows = (await cassandra.execute(`SELECT request_id, status FROM ${keyspace}.orders`)).rows;
            const fulfilled = rows.filter((r) => r.get("status") === "fulfilled").length;
            return rows.length >= expected.length && smtp.messages().length >= fulfilled ? rows : undefined;
          });
          assert.deepEqual(rows.map((r) => String(r.get("request_id"))).sort(), [...expected].sort());
          const fulfilled = rows.filter((r) => r.get("status") === "fulfilled").map((r) =>
            String(r.get("request_id"))
          );
          const mailed = new Map<string, number>();
          for (const m of smtp.messages()) {
            mailed.set(m.requestId ?? "", (mailed.get(m.requestId ?? "") ?? 0) + 1);
          }
          for (const requestId of fulfilled) {
            assert.equal(mailed.get(requestId), 1, `one mail for ${requestId}`);
          }
          assert.equal(smtp.messages().length, fulfilled.length);
          for (const requestId of legacyIds) {
            assert.ok(fulfilled.includes(requestId), "old format accepted");
          }

          const s1Dlq = await readTopic(topics.SERVICE_1_DLQ_TOPIC, 1);
          assert.deepEqual(
            s1Dlq.map((d) => [d.key, d.headers[deadLetterHeader.reason]]),
            [[unknownId, "unknown_key"]],
          );
          const admin = testKafka("rotation-admin").admin();
          await admin.connect();
          const ends = await admin.fetchTopicOffsets(topics.SERVICE_2_DLQ_TOPIC);
          await admin.disconnect();
          assert.equal(
            ends.reduce((sum, p) => sum + Number(p.high), 0),
            0,
            "nothing on service-2's DLQ",
          );
        },
      );

      await t.step("each record names the key that sealed it: A before the switch, B after", async () => {
        const fromFirst = new Set(published.slice(0, ORDERS));
        const fromSecond = new Set(published.slice(ORDERS));
        const keyIds = (
          records: Seen[],
        ) => [...new Set(records.map((r) => r.headers[KEY_ID_HEADER] ?? "none"))];
        // The inbox holds each order twice, as the publisher sealed it and as service-1 sealed it again, and C.
        const inbox = await readTopic(topics.INBOX_TOPIC, 2 * (2 * ORDERS + LEGACY) + 1);
        const byPublisher = inbox.filter((r) => r.worker === "initial-publisher");
        const byService1 = inbox.filter((r) => r.worker === "service-1-publisher");
        assert.deepEqual(keyIds(byPublisher.filter((r) => fromFirst.has(r.key))), ["default"]);
        assert.deepEqual(keyIds(byPublisher.filter((r) => fromSecond.has(r.key))), ["B"]);
        assert.deepEqual(keyIds(byPublisher.filter((r) => legacyIds.includes(r.key))), ["none"]);
        // service-1 sealed with A until B became active, then with B: whatever it handled last names B.
        assert.deepEqual(keyIds(byService1.filter((r) => fromSecond.has(r.key))), ["B"]);
        assert.deepEqual(keyIds(byService1.filter((r) => legacyIds.includes(r.key))), ["B"]);
        assert.deepEqual(keyIds(byService1).sort(), ["B", "default"], "service-1 sealed with A, then with B");
        // The command center forwards the header with the envelope.
        const onService2 = await readTopic(topics.SERVICE_2_TOPIC, 2 * ORDERS + LEGACY);
        assert.deepEqual(keyIds(onService2.filter((r) => fromSecond.has(r.key))), ["B"]);
      });

      await t.step("no key is in any log line", () => {
        const logs = roles.flatMap((r) => [...r.stderr]).join("\n");
        assert.ok(!logs.includes(keyA) && !logs.includes(keyB), "no key material logged");
      });

      for (const role of [commandCenter, service1, service2]) {
        assert.equal((await role.stop()).code, 0, `${role.name} exits 0 on SIGTERM\n${role.tail()}`);
      }
    } finally {
      await chain.close();
      await cassandra.shutdown();
    }
  },
});
