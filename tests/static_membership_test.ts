/**
 * Static group membership (KIP-345) of the @platformatic/kafka source on the real broker: a static member leaves
 * its group when stopped, a second replica with the same instance id fails at start while the first runs (and
 * does not disturb it), and a member fenced by another process joining under its id stops with one line instead
 * of taking the id back. Each test has its own topic and consumer group and deletes them.
 */
import assert from "node:assert/strict";
import { Consumer } from "@platformatic/kafka";
import type { Buffer } from "node:buffer";
import { createLogger } from "../src/logging/pino_logger.ts";
import { ensureTopics } from "../src/kafka/topics.ts";
import {
  createPlatformaticKafka,
  describeGroupMembers,
  type PlatformaticKafka,
} from "../src/kafka/platformatic/platformatic_client.ts";
import { PlatformaticRecordSink } from "../src/kafka/platformatic/platformatic_record_sink.ts";
import { PlatformaticRecordSource } from "../src/kafka/platformatic/platformatic_record_source.ts";
import { FencedInstanceError } from "../src/kafka/platformatic/fenced_instance.ts";
import { instanceHolder, InstanceIdInUseError } from "../src/kafka/instance_claim.ts";
import { HEARTBEAT_INTERVAL_MS, SESSION_TIMEOUT_MS } from "../src/kafka/source_options.ts";
import { serviceAddresses, testKafka, uniqueName } from "../support/services.ts";

const kafka = testKafka("static-membership-test");
const platformatic = (): PlatformaticKafka =>
  createPlatformaticKafka(
    { brokers: serviceAddresses().brokers, clientId: "static-membership-test" },
    createLogger("silent", { role: "static-membership-test" }),
  );
const driverHandles = { sanitizeOps: false, sanitizeResources: false };

/** `run` settled, or a rejection saying what did not end: a broken source would otherwise hang the test. */
function settled<T>(run: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not end within 20 s`)), 20_000);
  });
  return Promise.race([run, bound]).finally(() => clearTimeout(timer));
}

/** A topic with one record and a fresh group; `work` runs with them; both are deleted afterwards. */
async function withTopic(work: (topic: string, groupId: string) => Promise<void>): Promise<void> {
  const topic = uniqueName("static");
  const groupId = uniqueName("static-group");
  const admin = kafka.admin();
  await admin.connect();
  const sink = await PlatformaticRecordSink.connect(platformatic());
  try {
    await ensureTopics(admin, [topic], 1, 1);
    await sink.send([{ topic, key: "k", value: "v" }]);
    await work(topic, groupId);
  } finally {
    await sink.close();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect();
  }
}

/** Starts a static source that has handled its first batch when the returned promise resolves. */
async function runningMember(topic: string, groupId: string, instanceId: string, signal: AbortSignal) {
  let handled!: () => void;
  const first = new Promise<void>((resolve) => handled = resolve);
  const source = new PlatformaticRecordSource(platformatic(), { groupId, instanceId, topic, concurrency: 1 });
  const run = source.run(() => {
    handled();
    return Promise.resolve();
  }, signal);
  await Promise.race([first, run]);
  return { run };
}

Deno.test({
  name:
    "a static PlatformaticRecordSource leaves its group when stopped: no member holds its instance id after",
  ...driverHandles,
  async fn() {
    await withTopic(async (topic, groupId) => {
      const controller = new AbortController();
      let during: string | undefined;
      await new PlatformaticRecordSource(platformatic(), {
        groupId,
        instanceId: "leaver",
        topic,
        concurrency: 1,
      })
        .run(async () => {
          during = instanceHolder(await describeGroupMembers(platformatic(), groupId), "leaver")?.memberId;
          controller.abort();
        }, controller.signal);
      assert.ok(during, "the member held its instance id while it handled a batch");
      // A static member is kept for its session timeout unless its LeaveGroup names it.
      assert.deepEqual(
        await describeGroupMembers(platformatic(), groupId),
        [],
        "no member left after the stop",
      );
    });
  },
});

Deno.test({
  name:
    "a second PlatformaticRecordSource with a running member's instance id fails at start with one line and leaves the first alone",
  ...driverHandles,
  async fn() {
    await withTopic(async (topic, groupId) => {
      const controller = new AbortController();
      const first = await runningMember(topic, groupId, "replica", controller.signal);
      try {
        const holder = instanceHolder(await describeGroupMembers(platformatic(), groupId), "replica");
        assert.ok(holder, "the first member holds the id");
        const second = new PlatformaticRecordSource(platformatic(), {
          groupId,
          instanceId: "replica",
          topic,
          concurrency: 1,
        });
        const stopSecond = new AbortController();
        const error = await settled(second.run(() => Promise.resolve(), stopSecond.signal), "the second")
          .finally(
            () => stopSecond.abort(),
          ).then(
            () => undefined,
            (e) => e,
          );
        assert.ok(error instanceof InstanceIdInUseError, `expected InstanceIdInUseError, got ${error}`);
        assert.doesNotMatch(error.message, /\n/);
        assert.match(
          error.message,
          new RegExp(`instance id "replica" is in use in consumer group "${groupId}"`),
        );
        const after = instanceHolder(await describeGroupMembers(platformatic(), groupId), "replica");
        assert.equal(after?.memberId, holder.memberId, "the first member was not fenced");
      } finally {
        controller.abort();
        await first.run;
      }
    });
  },
});

Deno.test({
  name:
    "a static PlatformaticRecordSource fenced by another process with its instance id stops with one line and does not take the id back",
  ...driverHandles,
  async fn() {
    await withTopic(async (topic, groupId) => {
      const controller = new AbortController();
      const first = await runningMember(topic, groupId, "contested", controller.signal);
      // Another process joins under the same id without checking first (two replicas started at once).
      const intruder = new Consumer<Buffer, Buffer, string, string>({
        ...platformatic().options,
        groupId,
        groupInstanceId: "contested",
        sessionTimeout: SESSION_TIMEOUT_MS,
        heartbeatInterval: HEARTBEAT_INTERVAL_MS,
        protocols: [{ name: "cooperative-sticky", version: 1 }],
        autocommit: false,
      });
      try {
        const stream = await intruder.consume({
          topics: [topic],
          mode: "committed",
          fallbackMode: "earliest",
        });
        stream.on("data", () => {});
        const error = await settled(first.run, "the fenced member").then(() => undefined, (e) => e);
        assert.ok(error instanceof FencedInstanceError, `expected FencedInstanceError, got ${error}`);
        assert.doesNotMatch(error.message, /\n/);
        assert.match(error.message, /another process joined with instance id "contested"/);
        // Several heartbeats later the intruder still holds the id: the fenced member did not rejoin.
        await new Promise((resolve) => setTimeout(resolve, 4 * HEARTBEAT_INTERVAL_MS));
        const holder = instanceHolder(await describeGroupMembers(platformatic(), groupId), "contested");
        assert.equal(holder?.memberId, intruder.memberId);
        await stream.close();
      } finally {
        controller.abort();
        await first.run.catch(() => {});
        await intruder.close(true);
      }
    });
  },
});
