import assert from "node:assert/strict";
import { deadLetterCounts, type DlqDeps, type DlqRequest, runDlq } from "./dlq_command.ts";
import { MemorySink } from "../testing/memory_kafka.ts";
import { MemoryReplayStore } from "../testing/memory_replay_store.ts";
import { silentLogger } from "../logging/logger.ts";
import { deadLetterHeader } from "../messaging/dead_letter.ts";
import { replayHeader } from "./replay_record.ts";
import type { InRecord } from "../messaging/records.ts";
import type { Route } from "../routing/route_registry.ts";

const encoder = new TextEncoder();
const ids = ["550e8400-e29b-41d4-a716-446655440000", "650e8400-e29b-41d4-a716-446655440000"];

function deadLetter(
  offset: number,
  reason: string,
  requestId: string,
  extra: Record<string, string> = {},
): InRecord {
  const value = JSON.stringify({
    request_id: requestId,
    worker_name: "initial-publisher",
    data: "SECRET",
    iv: "IV",
    tag: "TAG",
  });
  return {
    topic: "cc-dlq",
    partition: 0,
    offset: String(offset),
    key: encoder.encode(requestId),
    value: encoder.encode(value),
    timestamp: 1_000 + offset,
    headers: {
      "chain-key-id": "k1",
      [deadLetterHeader.reason]: reason,
      [deadLetterHeader.detail]: `detail ${offset}`,
      [deadLetterHeader.sourceTopic]: "inbox",
      [deadLetterHeader.sourcePartition]: "0",
      [deadLetterHeader.sourceOffset]: String(100 + offset),
      ...extra,
    },
  };
}

function fixture(records: InRecord[], enabled = true) {
  const sink = new MemorySink();
  const store = new MemoryReplayStore();
  let out = "";
  let routesRead = 0;
  let sinksOpened = 0;
  const route: Route = { workerName: "initial-publisher", targetTopic: "s1", enabled, routeId: "r" };
  const deps: DlqDeps = {
    readTopics: (topics) => Promise.resolve(records.filter((r) => topics.includes(r.topic))),
    replays: store,
    routes: () => {
      routesRead++;
      return Promise.resolve(new Map([["initial-publisher", route]]));
    },
    withSink: (work) => {
      sinksOpened++;
      return work(sink);
    },
    stdout: {
      write: (text) => {
        out += text;
        return Promise.resolve();
      },
    },
    logger: silentLogger,
    now: () => new Date(10_000),
  };
  return { sink, store, deps, out: () => out, routesRead: () => routesRead, sinksOpened: () => sinksOpened };
}

const request = (action: DlqRequest["action"], over: Partial<DlqRequest> = {}): DlqRequest => ({
  topics: ["cc-dlq"],
  filter: {},
  action,
  actor: "ana",
  inputTopics: new Set(["inbox", "s1", "s2"]),
  ...over,
});

const replay = (yes: boolean, again = false, force = false) =>
  request({ action: "replay", yes, again, force });

Deno.test("runDlq() replay without --yes publishes nothing and writes no row", async () => {
  const f = fixture([deadLetter(0, "route_disabled", ids[0])]);
  assert.equal(await runDlq(replay(false), f.deps), 0);
  assert.equal(f.sink.sent.length, 0);
  assert.equal(f.sinksOpened(), 0);
  assert.equal(f.store.rows.length, 0);
  assert.match(f.out(), /^would replay {2}cc-dlq\/0\/0 .* -> inbox\ndry run: 1 would be replayed/);
});

Deno.test("runDlq() replay --yes publishes the record back, audits it, and skips it the second time", async () => {
  const f = fixture([deadLetter(0, "permanent_failure", ids[0]), deadLetter(1, "malformed", ids[1])]);
  assert.equal(await runDlq(replay(true), f.deps), 0);
  assert.equal(f.sink.sent.length, 2);
  assert.equal(f.sink.sent[0].topic, "inbox");
  assert.equal(f.sink.sent[0].headers?.[replayHeader.of], "cc-dlq/0/0");
  assert.equal(f.sink.sent[0].headers?.["chain-key-id"], "k1");
  assert.deepEqual(f.store.rows.map((r) => [r.key, r.dlqOffset, r.actor, r.targetTopic]), [
    [ids[0], "0", "ana", "inbox"],
    [ids[1], "1", "ana", "inbox"],
  ]);
  assert.equal(f.routesRead(), 0, "no route reason, no routes read");

  const second = fixture([deadLetter(0, "permanent_failure", ids[0])]);
  second.store.rows.push(...f.store.rows);
  assert.equal(await runDlq(replay(true), second.deps), 0);
  assert.equal(second.sink.sent.length, 0);
  assert.match(second.out(), /skipped .*already replayed at 1970-01-01T00:00:10.000Z by ana/);

  const again = fixture([deadLetter(0, "permanent_failure", ids[0])]);
  again.store.rows.push(...f.store.rows);
  await runDlq(replay(true, true), again.deps);
  assert.equal(again.sink.sent.length, 1, "--again replays it");
});

Deno.test("runDlq() does not take a replay of an older record at the same place for this one", async () => {
  const f = fixture([deadLetter(0, "permanent_failure", ids[0])]);
  f.store.rows.push({
    key: ids[0],
    replayedAt: new Date(5_000),
    actor: "bob",
    dlqTopic: "cc-dlq",
    dlqPartition: 0,
    dlqOffset: "0",
    dlqTimestamp: 1, // another record: the topic was made again
    reason: "permanent_failure",
    targetTopic: "inbox",
  });
  await runDlq(replay(true), f.deps);
  assert.equal(f.sink.sent.length, 1);
});

Deno.test("runDlq() skips a route_disabled record while its route is disabled and refuses a reduced one", async () => {
  const reduced = deadLetter(1, "oversize", ids[1], { [deadLetterHeader.reduced]: "value left out" });
  const f = fixture([deadLetter(0, "route_disabled", ids[0]), reduced], false);
  await runDlq(replay(true), f.deps);
  assert.equal(f.sink.sent.length, 0);
  assert.equal(f.sinksOpened(), 0);
  assert.match(f.out(), /cc-dlq\/0\/0 .*still disabled/);
  assert.match(f.out(), /cc-dlq\/0\/1 .*reduced/);
  assert.equal(f.routesRead(), 1);
});

Deno.test("runDlq() says which records were published when the audit rows cannot be written", async () => {
  const f = fixture([deadLetter(0, "permanent_failure", ids[0])]);
  f.store.failNextWrite = true;
  await assert.rejects(runDlq(replay(true), f.deps), /replayed cc-dlq\/0\/0, but the dlq_replays rows/);
});

Deno.test("runDlq() list filters, prints no data, iv or tag, and counts by reason", async () => {
  const f = fixture([deadLetter(0, "route_disabled", ids[0]), deadLetter(1, "malformed", ids[1])]);
  await runDlq(request({ action: "list", json: false }, { filter: { reason: "malformed" } }), f.deps);
  assert.doesNotMatch(f.out(), /SECRET|"IV"|TAG/);
  assert.match(f.out(), /cc-dlq\/0\/1/);
  assert.doesNotMatch(f.out(), /cc-dlq\/0\/0/);
  assert.match(f.out(), /\n1 dead letter: malformed 1\n$/);
  const since = fixture([deadLetter(0, "route_disabled", ids[0]), deadLetter(5, "malformed", ids[1])]);
  await runDlq(request({ action: "list", json: true }, { sinceMs: 10_000 - 1_003 }), since.deps);
  assert.deepEqual(JSON.parse(since.out()).deadLetters.map((d: { offset: string }) => d.offset), ["5"]);
});

Deno.test("deadLetterCounts() counts the topics' dead letters with what a replay would take and what was replayed", async () => {
  const f = fixture([deadLetter(0, "route_disabled", ids[0]), deadLetter(1, "route_disabled", ids[1])]);
  f.store.rows.push({
    key: ids[0],
    replayedAt: new Date(5_000),
    actor: "bob",
    dlqTopic: "cc-dlq",
    dlqPartition: 0,
    dlqOffset: "0",
    dlqTimestamp: 1_000,
    reason: "route_disabled",
    targetTopic: "inbox",
  });
  const routes = await f.deps.routes();
  const inputs = new Set(["inbox"]);
  assert.deepEqual(await deadLetterCounts({ ...f.deps }, ["cc-dlq"], inputs, routes), [
    { topic: "cc-dlq", reason: "route_disabled", count: 2, replayable: 1, replayed: 1 },
  ]);
  assert.deepEqual(await deadLetterCounts({ readTopics: f.deps.readTopics }, ["cc-dlq"], inputs, routes), [
    { topic: "cc-dlq", reason: "route_disabled", count: 2, replayable: 2, replayed: null },
  ]);
});

Deno.test("runDlq() replays in chunks, each recorded once sent: a failed send leaves the rows of those before", async () => {
  const records = Array.from(
    { length: 250 },
    (_, i) => deadLetter(i, "permanent_failure", crypto.randomUUID()),
  );
  const f = fixture(records);
  const send = f.sink.send.bind(f.sink);
  let sends = 0;
  f.sink.send = (batch) => ++sends === 3 ? Promise.reject(new Error("broker gone")) : send(batch);
  await assert.rejects(
    runDlq(replay(true), f.deps),
    /^Error: replayed 200 of 250 \(each with its dlq_replays row\); the rest were not: broker gone$/,
  );
  assert.equal(f.sink.sent.length, 200);
  assert.equal(f.store.rows.length, 200);
  const again = fixture(records);
  again.store.rows.push(...f.store.rows);
  await runDlq(replay(true), again.deps);
  assert.equal(again.sink.sent.length, 50, "the second run replays only the rest");
});
