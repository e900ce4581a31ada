/**
 * main() called in-process, as hono's tests call its app: arguments, environment, output and signal are all
 * injected, and the exit code is the return value. `trace` talks to the local Cassandra.
 */
import assert from "node:assert/strict";
import { runMain as run } from "../support/in_process.ts";
import { serviceEnv, testCassandra, testKafka, uniqueName } from "../support/services.ts";
import { topicEnv } from "../support/role_process.ts";
import { CassandraInventory, INITIAL_STOCK } from "../src/cassandra/inventory.ts";
import { GENERATED_SKUS } from "../src/order/order.ts";

Deno.test("main() prints --help on stdout and returns 0", async () => {
  const { code, stdout, stderr } = await run(["--help"]);
  assert.equal(code, 0);
  assert.match(stdout, /^usage: chain --role <role>/);
  assert.equal(stderr, "");
});

Deno.test("main() turns a bad setting into one line on stderr and exit code 2, before connecting", async () => {
  const { code, stdout, stderr } = await run(["--role", "command-center"], { TOPIC_PARTITIONS: "zero" });
  assert.equal(code, 2);
  assert.equal(stdout, "");
  assert.equal(
    stderr,
    'chain: --topic-partitions / TOPIC_PARTITIONS must be an integer from 1 to 1000, got "zero"\n',
  );
});

Deno.test({
  name:
    "main() runs init then trace against the local services: topics, schema and stock are there, no hops yet",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const prefix = uniqueName("in-process");
    const keyspace = prefix.replaceAll("-", "_");
    const env = { ...serviceEnv(), ...topicEnv(prefix), CASSANDRA_KEYSPACE: keyspace, LOG_LEVEL: "silent" };
    const client = testCassandra();
    const kafka = testKafka("in-process-test");
    const admin = kafka.admin();
    try {
      const init = await run(["init"], env);
      assert.equal(init.code, 0, init.stderr);
      assert.equal(init.stdout, `topics and keyspace ${keyspace} are ready\n`);
      await admin.connect();
      const topics = await admin.listTopics();
      for (const topic of Object.values(topicEnv(prefix))) assert.ok(topics.includes(topic), topic);
      const inventory = new CassandraInventory(client, keyspace);
      for (const sku of GENERATED_SKUS) assert.equal(await inventory.level(sku), INITIAL_STOCK, sku);

      const id = crypto.randomUUID();
      const trace = await run(["trace", id], env);
      assert.equal(trace.code, 1, trace.stderr);
      assert.equal(trace.stdout, `no hops recorded for ${id} (rows expire after 7 days)\n`);
    } finally {
      await admin.deleteTopics({ topics: Object.values(topicEnv(prefix)) }).catch(() => {});
      await admin.disconnect();
      await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
      await client.shutdown();
    }
  },
});
