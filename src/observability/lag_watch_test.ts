import assert from "node:assert/strict";
import { LagWatch } from "./lag_watch.ts";
import type { LagView } from "./dashboard_model.ts";
import type { TopicLag } from "../lag/lag_status.ts";

const row = (totalLag: number): TopicLag => ({
  group: "g",
  topic: "t",
  partitions: 1,
  totalLag,
  worst: { partition: 0, lag: totalLag },
  lagSeconds: null,
  lagSecondsFrom: null,
  status: "OK",
  byPartition: [],
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("LagWatch samples only while touched, keeps the last rows through a failure, and stops", async () => {
  const state = { calls: 0 };
  const seen: LagView[] = [];
  const watch: LagWatch = new LagWatch((_signal) => {
    state.calls++;
    seen.push(watch.latest());
    if (state.calls === 2) return Promise.reject(new Error("broker away"));
    return Promise.resolve({ rows: [row(state.calls)] });
  }, { intervalMs: 20, idleMs: 150 });
  assert.equal(watch.latest().sampledAt, null);
  await sleep(50);
  assert.equal(state.calls, 0, "nobody looked: no sampling");
  watch.touch();
  assert.ok(watch.running);
  await sleep(300);
  assert.ok(state.calls >= 3, `${state.calls} samples`);
  assert.equal(seen[1].rows[0].totalLag, 1, "the first sample's rows");
  assert.equal(seen[2].error, "broker away", "the failed sample's error…");
  assert.equal(seen[2].rows[0].totalLag, 1, "…and the last good rows");
  assert.ok(!watch.running, "idle: the loop ended");
  assert.equal(watch.latest().error, null, "a later good sample clears the error");
  const after = state.calls;
  await sleep(60);
  assert.equal(state.calls, after);
  watch.touch();
  assert.ok(watch.running, "a new look starts it again");
  await watch.stop();
  assert.ok(!watch.running);
  watch.touch();
  assert.ok(!watch.running, "stopped for good");
});

Deno.test("LagWatch.stop() aborts the sample in hand", async () => {
  let aborted = false;
  const watch = new LagWatch((signal) =>
    new Promise((resolve) => {
      signal.addEventListener("abort", () => {
        aborted = true;
        resolve({ rows: [] });
      });
    }), { intervalMs: 1000, idleMs: 10_000 });
  watch.touch();
  await watch.stop();
  assert.ok(aborted);
  assert.equal(watch.latest().sampledAt, null, "an aborted sample is not shown");
});
