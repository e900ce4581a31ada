/**
 * `chain routes diff` and `chain routes apply` on the real Kafka and Cassandra (run in-process through main()):
 * each kind of change shown one line each and published exactly as shown, audited, and followed by a running
 * command center; a refused apply publishes and audits nothing; `chain init` and a command center that find the
 * live routes differ from their file warn once, and the dashboard (in headless Chromium too) shows it.
 */
import assert from "node:assert/strict";
import { roleEnv, RoleProcess } from "../support/role_process.ts";
import { createTopics, testCassandra, testKafka } from "../support/services.ts";
import { exampleRoutes, TestChain, type TestRoute, writeRoutesFile } from "../support/test_chain.ts";
import { runMain } from "../support/in_process.ts";
import { launchBrowser } from "../support/dashboard_chain.ts";
import { deleteTopics } from "../support/topic_reader.ts";
import { RouteAudit } from "../src/cassandra/route_audit.ts";
import type { DashboardData } from "../src/observability/dashboard_model.ts";

const lines = (text: string) => text.split("\n").filter((line) => line !== "");
/** An apply's line without its `(topic offset N, by actor)` suffix: the line diff prints for the change. */
const withoutOffset = (line: string) => line.replace(/ \(\S+ offset \d+, by [^)]*\)$/, "");

Deno.test({
  name:
    "chain routes diff and apply: each kind of change, audited and followed; a refused apply publishes nothing",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const chain = await TestChain.open("routes-apply", (topics) => ({
      "legacy-publisher": { targetTopic: topics.SERVICE_2_TOPIC, enabled: false, routeId: "route-legacy" },
      "old-publisher": { targetTopic: topics.SERVICE_2_TOPIC, enabled: true, routeId: "route-old" },
    }));
    const { topics, id } = chain;
    const extra = `${id}-extra`;
    const env = { ...chain.env, LOG_LEVEL: "warn", CHAIN_ACTOR: "test-apply", METADATA_LOG: "off" };
    const example = exampleRoutes(topics);
    // Every kind of difference against the seeded routes.
    const nextRoutes: Record<string, TestRoute> = {
      "initial-publisher": { ...example["initial-publisher"], targetTopic: extra },
      "service-1-publisher": { ...example["service-1-publisher"], enabled: false },
      "legacy-publisher": { targetTopic: topics.SERVICE_2_TOPIC, enabled: true, routeId: "route-legacy" },
      "new-publisher": { targetTopic: topics.SERVICE_1_TOPIC, enabled: true, routeId: "route-new" },
    };
    const next = await writeRoutesFile(nextRoutes);
    const refused: string[] = [];
    const admin = testKafka(`${id}-admin`).admin();
    await admin.connect();
    const cassandra = testCassandra();
    const audit = new RouteAudit(cassandra, chain.keyspace);
    const routesHigh = async () => (await admin.fetchTopicOffsets(topics.ROUTES_TOPIC))[0].high;
    const auditRows = async () =>
      (await Promise.all(
        [...Object.keys(nextRoutes), "old-publisher", "another-publisher"].map((w) => audit.history(w)),
      )).flat().length;
    try {
      await createTopics(testKafka(`${id}-topics`), [extra], 1);
      const init = await runMain(["init"], env);
      assert.equal(init.code, 0, init.stderr);
      const center = chain.start("command-center", ["--role", "command-center"], {
        ...env,
        LOG_LEVEL: "info",
      });
      await center.waitForStderr(/command center routing/, 1, 60_000);
      const differs = /differ from the routes file/;
      assert.equal(center.countStderr(differs), 0, "live routes as seeded: no warning");

      await t.step("diff of the file the routes were seeded from: no line, exit 0", async () => {
        assert.deepEqual(await runMain(["routes", "diff"], env), { code: 0, stdout: "", stderr: "" });
      });

      const expected = [
        `changed  initial-publisher: targetTopic ${topics.SERVICE_1_TOPIC} -> ${extra}`,
        `enabled  legacy-publisher: ${topics.SERVICE_2_TOPIC} (route-legacy)`,
        `added    new-publisher: -> ${topics.SERVICE_1_TOPIC} (route-new, enabled)`,
        `kept     old-publisher: ${topics.SERVICE_2_TOPIC} (route-old, enabled) is live only; --prune deletes it`,
        `disabled service-1-publisher: ${topics.SERVICE_2_TOPIC} (route-service1-to-service2)`,
      ];
      const deletion = `deleted  old-publisher: ${topics.SERVICE_2_TOPIC} (route-old, enabled) ->`;

      await t.step(
        "diff names each kind of change on one line and exits 1; --prune shows the deletion",
        async () => {
          const high = await routesHigh();
          const diff = await runMain(["routes", "diff", next], env);
          assert.equal(diff.code, 1, diff.stderr);
          assert.deepEqual(lines(diff.stdout), expected);
          const pruned = await runMain(["routes", "diff", next, "--prune"], env);
          assert.equal(pruned.code, 1, pruned.stderr);
          assert.deepEqual(lines(pruned.stdout), expected.map((l) => l.startsWith("kept") ? deletion : l));
          assert.equal(await routesHigh(), high, "diff publishes nothing");
        },
      );

      await t.step(
        "apply publishes exactly the changes diff showed, audits each, and is followed",
        async () => {
          const high = BigInt(await routesHigh());
          const apply = await runMain(["routes", "apply", next], env);
          assert.equal(apply.code, 0, apply.stderr);
          const published = lines(apply.stdout).filter((l) => !l.startsWith("kept"));
          assert.deepEqual(published.map(withoutOffset), expected.filter((l) => !l.startsWith("kept")));
          for (const line of published) assert.match(line, /\(\S+-routes offset \d+, by test-apply\)$/);
          assert.ok(lines(apply.stdout).includes(expected[3]), "the live-only route is kept, and said so");
          assert.equal(BigInt(await routesHigh()), high + 4n, "one record per change");

          await center.waitForStderr(/"msg":"route changed"/, 4, 20_000);
          assert.equal(center.countStderr(/route change rejected/), 0, center.tail());
          for (
            const worker of ["initial-publisher", "service-1-publisher", "legacy-publisher", "new-publisher"]
          ) {
            const [newest] = await audit.history(worker);
            assert.equal(newest.action, "apply", worker);
            assert.equal(newest.actor, "test-apply");
            assert.equal(newest.topic, topics.ROUTES_TOPIC);
            assert.deepEqual(JSON.parse(newest.newRoute ?? "null"), nextRoutes[worker], worker);
          }
          assert.equal((await audit.history("new-publisher"))[0].oldRoute, null, "a new route had none");

          const again = await runMain(["routes", "diff", next], env);
          assert.deepEqual(
            [again.code, lines(again.stdout)],
            [0, [expected[3]]],
            "only the kept route differs",
          );
          assert.equal((await runMain(["routes", "diff", next, "--prune"], env)).code, 1);
        },
      );

      await t.step(
        "the dashboard shows how the live routes differ from the file it started with",
        async () => {
          const line = center.stderr.find((l) => l.includes("serving /ping"))!;
          const base = (JSON.parse(line) as { address: string }).address;
          const data = await (await fetch(`${base}/api/dashboard`)).json() as DashboardData;
          assert.equal(data.routesFile?.path, chain.routesFile);
          assert.deepEqual(
            data.routesFile?.differences.map((d) => [d.workerName, d.kind]),
            [
              // What applying the file would do: the file has legacy-publisher off and service-1-publisher on.
              ["initial-publisher", "changed"],
              ["legacy-publisher", "disabled"],
              ["new-publisher", "deleted"],
              ["service-1-publisher", "enabled"],
            ],
          );
          assert.equal(
            data.routesFile?.apply,
            `chain routes apply ${chain.routesFile} --prune --routes-topic ${topics.ROUTES_TOPIC}`,
          );
          const browser = await launchBrowser();
          try {
            const page = await browser.newPage();
            await page.goto(`${base}/`, { waitUntil: "load" });
            await page.waitForSelector("#routes-file:not([hidden]) li[data-worker='new-publisher']", {
              timeout: 20_000,
            });
            const shown = await page.$$eval("#routes-file li", (items) => items.map((li) => li.textContent));
            assert.deepEqual(shown, data.routesFile?.differences.map((d) => d.line));
            assert.equal(
              await page.$eval("#routes-file-apply", (e) => e.textContent),
              data.routesFile?.apply,
            );
          } finally {
            await browser.close();
          }
        },
      );

      await t.step("apply --prune deletes the live route the file lacks", async () => {
        const high = BigInt(await routesHigh());
        const apply = await runMain(["routes", "apply", next, "--prune"], env);
        assert.equal(apply.code, 0, apply.stderr);
        assert.deepEqual(lines(apply.stdout).map(withoutOffset), [deletion]);
        assert.equal(BigInt(await routesHigh()), high + 1n);
        const [newest] = await audit.history("old-publisher");
        assert.deepEqual([newest.action, newest.newRoute], ["apply", null]);
        await center.waitForStderr(
          /"worker":"old-publisher".*"after":null.*"msg":"route changed"/,
          1,
          20_000,
        );
        assert.deepEqual(await runMain(["routes", "diff", next, "--prune"], env), {
          code: 0,
          stdout: "",
          stderr: "",
        });
        const nothing = await runMain(["routes", "apply", next, "--prune"], env);
        assert.equal(nothing.code, 0);
        assert.match(nothing.stdout, /^nothing to apply: /);
        assert.equal(BigInt(await routesHigh()), high + 1n);
      });

      await t.step(
        "an apply with one change that breaks a rule is refused whole: nothing published",
        async () => {
          const { "new-publisher": _, ...withoutNew } = nextRoutes;
          const cases: [Record<string, TestRoute>, RegExp][] = [
            [
              // One good change (service-1-publisher enabled) beside a route to a topic that does not exist.
              {
                ...nextRoutes,
                "service-1-publisher": example["service-1-publisher"],
                "new-publisher": { ...nextRoutes["new-publisher"], targetTopic: `${id}-missing` },
              },
              /cannot apply the route of "new-publisher": target topic ".*-missing" does not exist/,
            ],
            [
              {
                ...nextRoutes,
                "another-publisher": { targetTopic: topics.ROUTES_TOPIC, enabled: true, routeId: "route-x" },
              },
              /cannot apply the route of "another-publisher": .*would loop/,
            ],
            [
              // Without --prune new-publisher stays live, and keeps the routeId the file gives another worker.
              { ...withoutNew, "another-publisher": { ...nextRoutes["new-publisher"] } },
              /"another-publisher".*routeId "route-new" is already used by route "new-publisher"/,
            ],
          ];
          const high = await routesHigh();
          const rows = await auditRows();
          const followed = center.countStderr(/"msg":"route change/);
          for (const [routes, message] of cases) {
            const file = await writeRoutesFile(routes);
            refused.push(file);
            const result = await runMain(["routes", "apply", file], env);
            assert.equal(result.code, 1, result.stderr);
            assert.equal(result.stdout, "");
            assert.equal(lines(result.stderr).length, 1, result.stderr);
            assert.match(result.stderr, /^chain: \S+ not applied, nothing published: /);
            assert.match(result.stderr, message);
          }
          assert.equal(await routesHigh(), high, "nothing was published");
          assert.equal(await auditRows(), rows, "nothing was audited");
          assert.equal(center.countStderr(/"msg":"route change/), followed, "the command center saw nothing");
        },
      );

      await t.step(
        "init and a command center whose file differs from the live routes warn once",
        async () => {
          // The live routes are now `next`'s; the chain's own file (the seed) differs for five workers.
          const workers =
            "initial-publisher, legacy-publisher, new-publisher, old-publisher, service-1-publisher";
          const warning = new RegExp(
            `differ from the routes file ${chain.routesFile} for ${workers}; .*run: chain routes apply ` +
              `${chain.routesFile} --prune --routes-topic ${topics.ROUTES_TOPIC}"`,
          );
          const init = new RoleProcess("init", ["init"], roleEnv(env));
          assert.equal((await init.finished()).code, 0, init.tail());
          assert.equal(init.countStderr(differs), 1, init.tail());
          assert.equal(init.countStderr(warning), 1, init.tail());

          await center.stop();
          const second = chain.start("command-center#2", ["--role", "command-center"], {
            ...env,
            LOG_LEVEL: "info",
          });
          await second.waitForStderr(/command center routing/, 1, 60_000);
          assert.equal(second.countStderr(differs), 1, second.tail());
          assert.equal(second.countStderr(warning), 1, second.tail());
          assert.match(second.stderr.find((l) => differs.test(l))!, /"level":"warn"/);
        },
      );
    } finally {
      // The admin first: once the chain's topics are gone, its metadata refreshes would retry them.
      await deleteTopics(admin, [extra]);
      await admin.disconnect();
      await cassandra.shutdown();
      await chain.close();
      for (const file of [next, ...refused]) await Deno.remove(file).catch(() => {});
    }
  },
});
