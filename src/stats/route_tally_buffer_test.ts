import assert from "node:assert/strict";
import { RouteTallyBuffer, type TallyWriter } from "./route_tally_buffer.ts";
import type { RoutingRow } from "../routing/routing_log.ts";

const row = (routeId: string, n: number): RoutingRow => ({
  requestId: `r${n}`,
  workerName: "w",
  sourceTopic: "in",
  targetTopic: "out",
  routeId,
  success: true,
  processingTimeMs: 1,
  routedAt: new Date(1_000_000 + n),
  sourcePartition: 0,
  sourceOffset: String(n),
});

/** A writer that records each group and fails while told to. */
function recordingWriter(failWith?: () => Error | undefined): TallyWriter & { groups: string[][] } {
  const groups: string[][] = [];
  return {
    groups,
    write(hops) {
      const error = failWith?.();
      if (error) return Promise.reject(error);
      groups.push(hops.map((h) => h.requestId));
      return Promise.resolve();
    },
  };
}

const options = {
  intervalMs: 60_000,
  maxPendingHops: 100,
  maxGroupHops: 50,
  groupOf: (r: RoutingRow) => r.routeId,
};

Deno.test("hops of an interval become one tally per route, whatever the number of adds", async () => {
  const writer = recordingWriter();
  const buffer = new RouteTallyBuffer(writer, options);
  buffer.add([row("a", 1), row("b", 2)]);
  buffer.add([row("a", 3)]);
  buffer.add([row("a", 4), row("b", 5)]);
  assert.equal(buffer.pending(), 5);
  await buffer.flush();
  assert.deepEqual(writer.groups, [["r1", "r3", "r4"], ["r2", "r5"]]);
  assert.deepEqual(buffer.counts(), { written: 5, dropped: 0, failed: 0, pending: 0 });
  await buffer.close();
});

Deno.test("a tally write that may pass later is tried again as the same hops; new hops make a tally of their own", async () => {
  let away = true;
  const writer = recordingWriter(() =>
    away ? Object.assign(new Error("timeout"), { retriable: true }) : undefined
  );
  const buffer = new RouteTallyBuffer(writer, options);
  buffer.add([row("a", 1), row("a", 2)]);
  await buffer.flush();
  assert.equal(buffer.pending(), 2, "held");
  buffer.add([row("a", 3)]);
  away = false;
  await buffer.flush();
  assert.deepEqual(writer.groups, [["r1", "r2"], ["r3"]], "the retry is exactly the first group");
  assert.equal(buffer.counts().written, 3);
  await buffer.close();
});

Deno.test("a tally write refused for good is counted as failed; past maxPendingHops the oldest held are dropped", async () => {
  const refused = recordingWriter(() => Object.assign(new Error("no table"), { retriable: false }));
  const lost = new RouteTallyBuffer(refused, options);
  lost.add([row("a", 1)]);
  await lost.flush();
  assert.deepEqual(lost.counts(), { written: 0, dropped: 0, failed: 1, pending: 0 });

  const away = recordingWriter(() => Object.assign(new Error("timeout"), { retriable: true }));
  const held = new RouteTallyBuffer(away, { ...options, maxPendingHops: 3 });
  held.add([row("a", 1), row("a", 2)]);
  await held.flush();
  held.add([row("b", 3), row("b", 4)]);
  assert.deepEqual(held.counts(), { written: 0, dropped: 2, failed: 0, pending: 2 });
  assert.deepEqual(await held.close(), { written: 0, dropped: 2, failed: 2, pending: 0 });
});

Deno.test("a route's tally that reaches maxGroupHops is written at once, not at the interval's end", async () => {
  const writer = recordingWriter();
  const buffer = new RouteTallyBuffer(writer, { ...options, maxGroupHops: 3 });
  buffer.add([row("a", 1), row("a", 2), row("a", 3)]);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(writer.groups, [["r1", "r2", "r3"]]);
  await buffer.close();
});
