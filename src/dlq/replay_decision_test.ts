import assert from "node:assert/strict";
import { decideReplay, type ReplayContext } from "./replay_decision.ts";
import type { DeadLetterEntry } from "./dead_letter_entry.ts";
import type { Route } from "../routing/route_registry.ts";

const route = (enabled: boolean): Route => ({
  workerName: "initial-publisher",
  targetTopic: "s1",
  enabled,
  routeId: "route-p-s1",
});

const entry: DeadLetterEntry = {
  topic: "cc-dlq",
  partition: 0,
  offset: "3",
  timestamp: 0,
  requestId: "550e8400-e29b-41d4-a716-446655440000",
  workerName: "initial-publisher",
  reason: "route_disabled",
  detail: "",
  source: { topic: "inbox", partition: 1, offset: "9" },
  reduced: false,
};

const context = (over: Partial<ReplayContext> = {}): ReplayContext => ({
  inputTopics: new Set(["inbox", "s1", "s2"]),
  routes: new Map([["initial-publisher", route(true)]]),
  past: [],
  again: false,
  force: false,
  ...over,
});

Deno.test("decideReplay() replays a route_disabled dead letter to its source topic once its route is enabled", () => {
  assert.deepEqual(decideReplay(entry, context()), { kind: "replay", topic: "inbox" });
});

Deno.test("decideReplay() skips a dead letter whose route is still disabled or missing, unless forced", () => {
  const disabled = context({ routes: new Map([["initial-publisher", route(false)]]) });
  const skip = decideReplay(entry, disabled);
  assert.equal(skip.kind, "skip");
  assert.match(
    skip.kind === "skip" ? skip.why : "",
    /route of initial-publisher \(route-p-s1\) is still disabled/,
  );
  const missing = decideReplay({ ...entry, reason: "unknown_worker" }, context({ routes: new Map() }));
  assert.match(missing.kind === "skip" ? missing.why : "", /still no route for initial-publisher/);
  assert.deepEqual(decideReplay(entry, { ...disabled, force: true }), { kind: "replay", topic: "inbox" });
});

Deno.test("decideReplay() does not check routes for a reason the routes do not cause", () => {
  const failed = {
    ...entry,
    reason: "permanent_failure",
    source: { topic: "s2", partition: 0, offset: "1" },
  };
  assert.deepEqual(decideReplay(failed, context({ routes: new Map() })), { kind: "replay", topic: "s2" });
});

Deno.test("decideReplay() skips one already replayed unless --again", () => {
  const past = [{ replayedAt: new Date("2026-12-07T10:00:00Z"), actor: "ana" }];
  const skip = decideReplay(entry, context({ past }));
  assert.match(skip.kind === "skip" ? skip.why : "", /already replayed at 2026-12-07T10:00:00.000Z by ana/);
  assert.deepEqual(decideReplay(entry, context({ past, again: true })), { kind: "replay", topic: "inbox" });
});

Deno.test("decideReplay() refuses a reduced record even with --again and --force", () => {
  const skip = decideReplay({ ...entry, reduced: true }, context({ again: true, force: true }));
  assert.equal(skip.kind, "skip");
  assert.match(skip.kind === "skip" ? skip.why : "", /^reduced: .*the original is at inbox\/1\/9/);
});

Deno.test("decideReplay() refuses a record without a source or from a topic that is not the chain's input", () => {
  const none = decideReplay({ ...entry, source: undefined }, context({ force: true }));
  assert.match(none.kind === "skip" ? none.why : "", /no chain-dlq-source-\* headers/);
  const elsewhere = decideReplay(
    { ...entry, source: { topic: "other", partition: 0, offset: "0" } },
    context({ force: true }),
  );
  assert.match(elsewhere.kind === "skip" ? elsewhere.why : "", /source topic other is not an input topic/);
});
