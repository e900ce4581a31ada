/**
 * Routes that change live, on the real Kafka and Cassandra: `chain init` seeds the routes topic, `chain routes`
 * (run in-process through `main()`) changes it, and two command centers in one consumer group, each a separate
 * process, apply every change within seconds without a restart. Bad admin input changes nothing.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { runMain as chain } from "../support/in_process.ts";
import { roleEnv, RoleProcess, topicEnv } from "../support/role_process.ts";
import { createTopics, serviceEnv, testCassandra, testKafka, uniqueName } from "../support/services.ts";
import { consumeUntil, deleteTopics } from "../support/topic_reader.ts";
import { encodeEnvelope, sealEnvelope } from "../src/envelope/envelope.ts";
import { parseKey } from "../src/envelope/aes_gcm.ts";
import { deadLetterHeader } from "../src/messaging/dead_letter.ts";
import { RouteAudit } from "../src/cassandra/route_audit.ts";

interface Read {
  key: string;
  reason: string;
}

/** Reads `topic` from the beginning until `expected` records whose key is in `keys` have arrived. */
function readKeys(topic: string, keys: ReadonlySet<string>): Promise<Read[]> {
  return consumeUntil(testKafka("live-routes-reader"), topic, {
    groupId: uniqueName("live-routes-reader"),
    until: keys.size,
    timeoutMs: 60_000,
    onTimeout: "throw",
    keep: ({ message }) => {
      const key = String(message.key ?? "");
      if (!keys.has(key)) return undefined;
      return { key, reason: String(message.headers?.[deadLetterHeader.reason] ?? "") };
    },
  });
}

Deno.test({
  name: "routes change live: disable and enable reach both command centers, bad changes change nothing",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const id = uniqueName("live-routes");
    const keyspace = id.replaceAll("-", "_");
    const topics = topicEnv(id);
    const routesFile = await Deno.makeTempFile({ suffix: ".json" });
    await Deno.writeTextFile(
      routesFile,
      JSON.stringify({
        routes: {
          "initial-publisher": { targetTopic: topics.SERVICE_1_TOPIC, enabled: true, routeId: "route-p-s1" },
          "service-1-publisher": {
            targetTopic: topics.SERVICE_2_TOPIC,
            enabled: true,
            routeId: "route-s1-s2",
          },
        },
      }),
    );
    const env = {
      ...topics,
      ...serviceEnv(),
      CASSANDRA_KEYSPACE: keyspace,
      ROUTES_FILE: routesFile,
      LOG_LEVEL: "info",
      KAFKA_GROUP_ID: `${id}-command-center`,
    };
    const admin = testKafka("live-routes-admin").admin();
    await admin.connect();
    const cassandra = testCassandra();
    const centers: RoleProcess[] = [];
    const routesHigh = async () => (await admin.fetchTopicOffsets(topics.ROUTES_TOPIC))[0].high;
    const audit = new RouteAudit(cassandra, keyspace);
    try {
      const init = await chain(["init"], { ...env, LOG_LEVEL: "warn", CHAIN_ACTOR: "ci-init" });
      assert.equal(init.code, 0, init.stderr);
      assert.equal(await routesHigh(), "2", "init seeded the two routes");

      for (const n of [1, 2]) {
        // Two replicas in one group on one host (HTTP on port 0): each needs its own static instance id.
        const replica = roleEnv({ ...env, CHAIN_INSTANCE_ID: `command-center-${n}` });
        centers.push(new RoleProcess(`command-center#${n}`, ["--role", "command-center"], replica));
      }
      for (const c of centers) await c.waitForStderr(/route registry read to the end of its topic/);
      for (const c of centers) await c.waitForStderr(/command center routing/);

      const producer = testKafka("live-routes-injector").producer();
      await producer.connect();
      const key = await parseKey(Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64"));
      const send = async (count: number) => {
        const ids = new Set<string>();
        const messages = [];
        for (let i = 0; i < count; i++) {
          const envelope = await sealEnvelope(key, crypto.randomUUID(), "initial-publisher", { i });
          ids.add(envelope.request_id);
          messages.push({ key: envelope.request_id, value: Buffer.from(encodeEnvelope(envelope)) });
        }
        await producer.send({ topic: topics.INBOX_TOPIC, messages });
        return ids;
      };
      const changed = (enabled: boolean) =>
        new RegExp(
          `"worker":"initial-publisher".*"after":\\{[^}]*"enabled":${enabled}.*"msg":"route changed"`,
        );

      await t.step("a route disabled live dead-letters the next messages as route_disabled", async () => {
        const disable = await chain(
          ["routes", "disable", "initial-publisher", "--actor", "test-operator"],
          env,
        );
        assert.equal(disable.code, 0, disable.stderr);
        assert.match(
          disable.stdout,
          /^disable initial-publisher: .*enabled\) -> .*disabled\) .*by test-operator\)\n$/,
        );
        // Both command centers, in one consumer group, apply the change and log it.
        for (const c of centers) await c.waitForStderr(changed(false), 1, 20_000);

        const ids = await send(12);
        const dead = await readKeys(topics.COMMAND_CENTER_DLQ_TOPIC, ids);
        assert.equal(dead.length, 12);
        for (const d of dead) assert.equal(d.reason, "route_disabled");
      });

      await t.step("init again leaves the live change alone", async () => {
        const again = await chain(["init"], { ...env, LOG_LEVEL: "warn" });
        assert.equal(again.code, 0, again.stderr);
        const list = await chain(["routes", "list"], env);
        assert.equal(list.code, 0, list.stderr);
        assert.match(list.stdout, /^initial-publisher\s+route-p-s1\s+\S+-s1\s+off$/m);
        assert.match(list.stdout, /^service-1-publisher\s+route-s1-s2\s+\S+-s2\s+on$/m);
      });

      await t.step("re-enabling restores forwarding", async () => {
        const enable = await chain(["routes", "enable", "initial-publisher"], {
          ...env,
          CHAIN_ACTOR: "ops-bot",
        });
        assert.equal(enable.code, 0, enable.stderr);
        for (const c of centers) await c.waitForStderr(changed(true), 1, 20_000);
        const ids = await send(12);
        const forwarded = await readKeys(topics.SERVICE_1_TOPIC, ids);
        assert.equal(forwarded.length, 12);
      });

      await t.step("each change has its audit row: who, when, old, new", async () => {
        const history = await audit.history("initial-publisher");
        assert.deepEqual(history.map((h) => [h.action, h.actor]), [
          ["enable", "ops-bot"],
          ["disable", "test-operator"],
          ["seed", "ci-init"],
        ]);
        const [enable, disable, seed] = history;
        assert.equal(seed.oldRoute, null);
        assert.deepEqual(JSON.parse(disable.oldRoute ?? ""), {
          targetTopic: topics.SERVICE_1_TOPIC,
          enabled: true,
          routeId: "route-p-s1",
        });
        assert.equal(JSON.parse(disable.newRoute ?? "").enabled, false);
        assert.equal(JSON.parse(enable.newRoute ?? "").enabled, true);
        assert.ok(enable.changedAt >= disable.changedAt);
        assert.equal(enable.topic, topics.ROUTES_TOPIC);
        const table = (await cassandra.execute(
          "SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
          [keyspace, "route_changes"],
        )).first();
        assert.equal(table.get("default_time_to_live"), 0, "audit rows never expire");
      });

      await t.step("bad admin input: non-zero exit, one clear line, the topic unchanged", async () => {
        await createTopics(testKafka("live-routes-topics"), [`${id}-other`], 1);
        const cases: [string[], RegExp][] = [
          [["enable", "nobody"], /^chain: no route for worker "nobody"/],
          [["disable", "nobody"], /^chain: no route for worker "nobody"/],
          [["delete", "nobody"], /^chain: no route for worker "nobody"/],
          [
            ["set", "initial-publisher", "--target-topic", "bad topic!"],
            /^chain: --target-topic .*must be a Kafka topic name/,
          ],
          [
            ["set", "initial-publisher", "--target-topic", `${id}-missing`],
            /^chain: target topic ".*-missing" does not exist/,
          ],
          [["set", "initial-publisher", "--target-topic", topics.INBOX_TOPIC], /^chain: .*would loop/],
          [
            ["set", "initial-publisher", "--target-topic", `${id}-other`, "--route-id", "route-s1-s2"],
            /already used/,
          ],
        ];
        const high = await routesHigh();
        const rows = (await audit.history("initial-publisher")).length;
        for (const [args, message] of cases) {
          const result = await chain(["routes", ...args], env);
          assert.notEqual(result.code, 0, args.join(" "));
          assert.equal(result.stdout, "", args.join(" "));
          assert.equal(result.stderr.split("\n").filter((l) => l !== "").length, 1, result.stderr);
          assert.match(result.stderr, message);
        }
        assert.equal(await routesHigh(), high, "nothing was published");
        assert.equal((await audit.history("initial-publisher")).length, rows, "nothing was audited");
        for (const c of centers) assert.equal(c.countStderr(/"msg":"route change/), 2, c.tail());
      });
      await producer.disconnect();
    } finally {
      for (const c of centers) await c.stop();
      await deleteTopics(admin, [...Object.values(topics), `${id}-other`]);
      await admin.disconnect();
      await cassandra.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
      await cassandra.shutdown();
      await Deno.remove(routesFile);
    }
  },
});
