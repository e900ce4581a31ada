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

/** A clock that moves only when told, and the loop's wait on it: the test fires each wait in turn. */
class ManualTimer {
  t = 0;
  /** The wait the loop is in, if any. */
  pending: { ms: number; resolve: () => void } | undefined;

  readonly now = () => this.t;

  readonly wait = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        this.pending = undefined;
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
      this.pending = { ms, resolve: done };
    });

  /** Ends the pending wait, its time passed on the clock. */
  fire(): void {
    const pending = this.pending;
    assert.ok(pending, "the loop is waiting");
    this.t += pending.ms;
    pending.resolve();
  }
}

/** Lets every promise in hand settle (the loop runs to its next wait or its end); no time passes on the clock. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("LagWatch samples only while touched, keeps the last rows through a failure, and stops", async () => {
  const timer = new ManualTimer();
  const state = { calls: 0 };
  const seen: LagView[] = [];
  const watch: LagWatch = new LagWatch((_signal) => {
    state.calls++;
    seen.push(watch.latest());
    if (state.calls === 1) timer.t += 5; // the first sample takes 5 ms of the interval
    if (state.calls === 2) return Promise.reject(new Error("broker away"));
    return Promise.resolve({ rows: [row(state.calls)] });
  }, { intervalMs: 20, idleMs: 150, now: timer.now, wait: timer.wait });
  assert.equal(watch.latest().sampledAt, null);
  timer.t += 50;
  await settle();
  assert.equal(state.calls, 0, "nobody looked: no sampling");
  watch.touch();
  assert.ok(watch.running);
  await settle();
  assert.equal(state.calls, 1);
  assert.equal(timer.pending?.ms, 15, "the interval counts from the start of the sample");
  assert.equal(watch.latest().rows[0].totalLag, 1);
  timer.fire();
  await settle();
  assert.equal(seen[1].rows[0].totalLag, 1, "the first sample's rows");
  assert.equal(watch.latest().error, "broker away", "the failed sample's error…");
  assert.equal(watch.latest().rows[0].totalLag, 1, "…and the last good rows");
  timer.fire();
  await settle();
  assert.equal(watch.latest().error, null, "a later good sample clears the error");
  assert.equal(watch.latest().rows[0].totalLag, 3);
  for (let waits = 0; watch.running && waits < 100; waits++) {
    timer.fire();
    await settle();
  }
  assert.ok(!watch.running, "idle: the loop ended");
  // Touched at 50 with idleMs 150: samples start at 50, 70, …, 190 (each interval 20 ms), none at 210.
  assert.equal(state.calls, 8);
  assert.equal(timer.pending, undefined);
  timer.t += 60;
  await settle();
  assert.equal(state.calls, 8, "no look, no sample");
  watch.touch();
  assert.ok(watch.running, "a new look starts it again");
  await watch.stop();
  assert.ok(!watch.running);
  watch.touch();
  assert.ok(!watch.running, "stopped for good");
});

Deno.test("LagWatch.stop() aborts the sample in hand", async () => {
  const timer = new ManualTimer();
  let aborted = false;
  const watch = new LagWatch((signal) =>
    new Promise((resolve) => {
      signal.addEventListener("abort", () => {
        aborted = true;
        resolve({ rows: [] });
      });
    }), { intervalMs: 1000, idleMs: 10_000, now: timer.now, wait: timer.wait });
  watch.touch();
  await watch.stop();
  assert.ok(aborted);
  assert.equal(watch.latest().sampledAt, null, "an aborted sample is not shown");
});

Deno.test("LagWatch.stop() ends the wait between samples", async () => {
  const timer = new ManualTimer();
  const watch = new LagWatch(
    () => Promise.resolve({ rows: [] }),
    { intervalMs: 1000, idleMs: 10_000, now: timer.now, wait: timer.wait },
  );
  watch.touch();
  await settle();
  assert.ok(timer.pending, "waiting for the next sample");
  await watch.stop();
  assert.ok(!watch.running);
  assert.equal(timer.pending, undefined);
});
