import assert from "node:assert/strict";
import { CommitThrottle, type CommitTimer } from "./commit_throttle.ts";

/** A clock and timers that move only when told to. */
function fakeTimer() {
  let now = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let next = 1;
  const timer: CommitTimer = {
    now: () => now,
    set(callback, ms) {
      timers.set(next, { at: now + ms, callback });
      return next++;
    },
    clear: (id) => timers.delete(id as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...timers]) {
      if (t.at <= now) {
        timers.delete(id);
        t.callback();
      }
    }
  };
  return { timer, advance, pending: () => timers.size };
}

Deno.test("the first commit after a quiet interval goes at once; the next ones wait for the interval and go together", () => {
  const { timer, advance } = fakeTimer();
  const committed: string[] = [];
  const throttle = new CommitThrottle<string>((r) => committed.push(r), 200, timer);
  throttle.offer(0, "p0@1");
  assert.deepEqual(committed, ["p0@1"]);
  advance(50);
  throttle.offer(0, "p0@2");
  throttle.offer(1, "p1@7");
  throttle.offer(0, "p0@3");
  assert.deepEqual(committed, ["p0@1"], "within the interval: waiting");
  advance(149);
  assert.equal(committed.length, 1);
  advance(1);
  assert.deepEqual(committed, ["p0@1", "p0@3", "p1@7"], "the latest of each partition, once");
});

Deno.test("flush() commits what waits now; drop() forgets a revoked partition's commit", () => {
  const { timer, advance, pending } = fakeTimer();
  const committed: string[] = [];
  const throttle = new CommitThrottle<string>((r) => committed.push(r), 200, timer);
  throttle.offer(0, "a");
  throttle.offer(0, "b");
  throttle.offer(1, "c");
  throttle.drop(1);
  throttle.flush();
  assert.deepEqual(committed, ["a", "b"]);
  assert.equal(pending(), 0, "no timer left after a flush");
  throttle.offer(2, "d");
  throttle.close();
  advance(1000);
  assert.deepEqual(committed, ["a", "b"], "closed: nothing more");
});
