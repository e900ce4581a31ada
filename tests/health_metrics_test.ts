/**
 * A command center's `/ping`, `/ready` and `/metrics` on the real Kafka: the counts match what the test sent,
 * per route and reason, and `/ready` turns 503 while the broker is stopped and 200 again when it returns.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { roleEnv, RoleProcess, topicEnv } from "../support/role_process.ts";
import { createTopics, serviceEnv, testKafka, uniqueName } from "../support/services.ts";
import { stateDir } from "../support/local_services.ts";
import { deleteTopics } from "../support/topic_reader.ts";
import { encodeEnvelope } from "../src/envelope/envelope.ts";

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function get(base: string, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: await response.text() };
}

/** The value of one sample line of the exposition text, or 0 when it is absent. */
function sample(metrics: string, line: string): number {
  const found = metrics.split("\n").find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

function envelope(workerName: string, requestId = crypto.randomUUID()) {
  return encodeEnvelope({
    request_id: requestId,
    worker_name: workerName,
    data: "AAAA",
    iv: "AAAAAAAAAAAAAAAA",
    tag: "AAAAAAAAAAAAAAAAAAAAAA==",
  });
}

Deno.test({
  name: "the command center's /metrics counts what it routed, and /ready follows the broker",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const prefix = uniqueName("health");
    const topics = topicEnv(prefix);
    const routesFile = await Deno.makeTempFile({ suffix: ".json" });
    await Deno.writeTextFile(
      routesFile,
      JSON.stringify({
        routes: {
          "initial-publisher": { targetTopic: topics.SERVICE_1_TOPIC, enabled: true, routeId: "to-s1" },
        },
      }),
    );
    const kafka = testKafka("health-test");
    await createTopics(
      kafka,
      [topics.INBOX_TOPIC, topics.SERVICE_1_TOPIC, topics.COMMAND_CENTER_DLQ_TOPIC],
      1,
    );
    const router = new RoleProcess(
      "command-center",
      ["--role", "command-center"],
      roleEnv({
        ...serviceEnv(),
        ...topics,
        ROUTES_FILE: routesFile,
        METADATA_LOG: "off",
        TOPIC_PARTITIONS: "1",
      }),
    );
    const producer = kafka.producer();
    let paused: number | undefined;
    try {
      await router.waitForStderr(/serving \/ping/);
      const line = router.stderr.find((l) => l.includes("serving /ping"))!;
      const base = (JSON.parse(line) as { address: string }).address;
      assert.deepEqual(await get(base, "/ping"), { status: 200, body: "pong\n" });
      await waitFor("ready", async () => (await get(base, "/ready")).status === 200 || undefined, 60_000);

      await producer.connect();
      const values = [
        ...Array.from({ length: 5 }, () => envelope("initial-publisher")),
        ...Array.from({ length: 3 }, () => envelope("nobody")),
        new TextEncoder().encode("not json"),
        new TextEncoder().encode("{}"),
      ];
      await producer.send({
        topic: topics.INBOX_TOPIC,
        messages: values.map((value) => ({ value: Buffer.from(value) })),
      });
      const metrics = await waitFor("the counts", async () => {
        const { body } = await get(base, "/metrics");
        return sample(body, `chain_messages_received_total{topic="${topics.INBOX_TOPIC}"}`) >= 10
          ? body
          : undefined;
      }, 60_000);
      assert.equal(sample(metrics, `chain_messages_received_total{topic="${topics.INBOX_TOPIC}"}`), 10);
      assert.equal(sample(metrics, 'chain_messages_forwarded_total{route_id="to-s1"}'), 5);
      assert.equal(sample(metrics, 'chain_messages_dead_lettered_total{reason="unknown_worker"}'), 3);
      assert.equal(sample(metrics, 'chain_messages_dead_lettered_total{reason="malformed"}'), 2);
      assert.equal(sample(metrics, 'chain_processing_seconds_count{route_id="to-s1"}'), 5);
      assert.match(metrics, /# TYPE chain_processing_seconds histogram/);
      assert.ok(!metrics.includes("AAAA"), "no payload in the metrics");
      // The requests it sent for them: at least one produce (forwards and dead letters together), one fetch
      // one offset commit and the group join, each counted by the client's own request hook.
      for (const request of ["produce", "fetch", "offset_commit", "join_group"]) {
        const sent = sample(metrics, `chain_requests_total{system="kafka",request="${request}"}`);
        assert.ok(sent >= 1, `kafka ${request} requests counted: ${sent}`);
      }
      assert.ok(
        sample(metrics, 'chain_requests_total{system="kafka",request="produce"}') <= 10,
        "at most one produce per message",
      );

      if (Deno.env.get("KAFKA_BROKERS")) return; // not our broker to stop
      paused = Number((await Deno.readTextFile(`${stateDir}/kafka.pid`)).trim());
      Deno.kill(paused, "SIGSTOP");
      const down = await waitFor("503", async () => {
        const r = await get(base, "/ready");
        return r.status === 503 ? r : undefined;
      }, 30_000);
      assert.match(down.body, /^not ready: consumer: /);
      Deno.kill(paused, "SIGCONT");
      paused = undefined;
      await waitFor(
        "ready again",
        async () => (await get(base, "/ready")).status === 200 || undefined,
        90_000,
      );
    } finally {
      if (paused !== undefined) Deno.kill(paused, "SIGCONT");
      await producer.disconnect();
      await router.stop();
      await deleteTopics(kafka, Object.values(topics));
      await Deno.remove(routesFile);
    }
  },
});
