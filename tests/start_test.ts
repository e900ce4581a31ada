/**
 * `deno task start`'s core, scripts/start.ts, as a process on a machine where another run left other routes on
 * the routes topic (issue 17: it used to route every order to that run's topics and end with `lost=50`): it
 * applies its own routes file, says so in one warning, and every order is fulfilled or rejected.
 *
 * The run gets topics, a routes topic and a keyspace of its own through the settings start.ts passes to the
 * roles; the "other run" is a `chain init` with another routes file on the same routes topic.
 */
import assert from "node:assert/strict";
import { topicEnv } from "../support/role_process.ts";
import { serviceEnv, testCassandra, testKafka, uniqueName } from "../support/services.ts";
import { deleteTopics, readTopicToEnd } from "../support/topic_reader.ts";
import { exampleRoutes, writeRoutesFile } from "../support/test_chain.ts";
import { runMain } from "../support/in_process.ts";

const root = new URL("../", import.meta.url).pathname;

Deno.test({
  name: "start after another run's routes file applies its own routes, warns once, and loses no order",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const id = uniqueName("start");
    const own = topicEnv(id);
    const other = { ...topicEnv(`${id}-other`), ROUTES_TOPIC: own.ROUTES_TOPIC };
    const keyspace = id.replaceAll("-", "_");
    const shared = { ...serviceEnv(), CASSANDRA_KEYSPACE: keyspace, LOG_LEVEL: "warn" };
    const otherFile = await writeRoutesFile({
      ...exampleRoutes(other),
      "legacy-publisher": { targetTopic: other.SERVICE_2_TOPIC, enabled: true, routeId: "route-legacy" },
    });
    const ownFile = await writeRoutesFile(exampleRoutes(own));
    try {
      const before = await runMain(["init"], { ...shared, ...other, ROUTES_FILE: otherFile });
      assert.equal(before.code, 0, before.stderr);

      const env: Record<string, string> = {
        ...Deno.env.toObject(),
        ...shared,
        ...own,
        ROUTES_FILE: ownFile,
        LOG_LEVEL: "info",
      };
      delete env.ENCRYPTION_KEY;
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", "scripts/start.ts", "--orders", "20", "--timeout-s", "90"],
        cwd: root,
        env,
        clearEnv: true,
        stdin: "null",
      }).output();
      const stdout = new TextDecoder().decode(output.stdout);
      const stderr = new TextDecoder().decode(output.stderr);
      const summary = stdout.split("\n").find((line) => line.startsWith("published="));
      assert.equal(output.code, 0, `${stdout}\n${stderr}`);
      assert.match(summary ?? "", /^published=20 fulfilled=\d+ rejected=\d+ dead_lettered=0 lost=0$/, stdout);

      const warnings = stdout.split("\n").filter((line) => line.startsWith("start: warning:"));
      assert.equal(warnings.length, 1, stdout);
      assert.match(
        warnings[0],
        new RegExp(
          `live routes in ${own.ROUTES_TOPIC} differed from the routes file ${ownFile} for ` +
            `initial-publisher, legacy-publisher, service-1-publisher; applied the file`,
        ),
      );
      assert.match(stdout, /^ {2}changed {2}initial-publisher: targetTopic \S+-other-s1 -> \S+-s1 \(/m);
      assert.match(stdout, /^ {2}deleted {2}legacy-publisher: /m);

      const kafka = testKafka(`${id}-reader`);
      assert.deepEqual(
        await readTopicToEnd(kafka, other.SERVICE_1_TOPIC),
        [],
        "nothing went to the other run",
      );
      const after = await runMain(["routes", "diff", ownFile, "--prune"], { ...shared, ...own });
      assert.deepEqual([after.code, after.stdout], [0, ""], "the live routes are the run's own file's");
    } finally {
      const topics = new Set([...Object.values(own), ...Object.values(other)]);
      await deleteTopics(testKafka(`${id}-cleanup`), [...topics]);
      const cassandra = testCassandra();
      await cassandra.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
      await cassandra.shutdown();
      await Deno.remove(otherFile);
      await Deno.remove(ownFile);
    }
  },
});
