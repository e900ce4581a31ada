import assert from "node:assert/strict";
import { Coalescer } from "./coalescer.ts";

/** A send that records each request's items and resolves when told to. */
function gate() {
  const requests: number[][] = [];
  const open: (() => void)[] = [];
  const send = (items: number[]) => {
    requests.push(items);
    return new Promise<number>((resolve) => open.push(() => resolve(items.length)));
  };
  const release = () => open.shift()?.();
  return { requests, send, release };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("calls of one tick go out as one request; a lone call waits for no company", async () => {
  const { requests, send, release } = gate();
  const c = new Coalescer(send, { maxItems: 10, maxInFlight: 1 });
  const lone = c.submit(1);
  await tick();
  assert.deepEqual(requests, [[1]], "sent at the end of its tick, alone");
  release();
  assert.equal(await lone, 1);
  const together = [c.submit(2), c.submit(3), c.submit(4)];
  await tick();
  assert.deepEqual(requests.at(-1), [2, 3, 4]);
  release();
  assert.deepEqual(await Promise.all(together), [3, 3, 3], "each caller gets its request's result");
});

Deno.test("calls made while a request is in flight wait for it and go together, at most maxItems a request", async () => {
  const { requests, send, release } = gate();
  const c = new Coalescer(send, { maxItems: 3, maxInFlight: 1 });
  const first = c.submit(1);
  await tick();
  const rest = [2, 3, 4, 5, 6].map((i) => c.submit(i));
  await tick();
  assert.equal(requests.length, 1, "one in flight at most");
  release();
  await first;
  await tick();
  assert.deepEqual(requests[1], [2, 3, 4]);
  release();
  await tick();
  assert.deepEqual(requests[2], [5, 6]);
  release();
  await Promise.all(rest);
  assert.equal(c.requests, 3);
});

Deno.test("a group refused for good is tried item by item, so only the bad item fails", async () => {
  const refused = Object.assign(new Error("invalid"), { retriable: false });
  const sent: number[][] = [];
  const c = new Coalescer(async (items: number[]) => {
    await Promise.resolve();
    sent.push(items);
    if (items.includes(13)) throw refused;
  }, { maxItems: 10, maxInFlight: 2 });
  const results = await Promise.allSettled([c.submit(12), c.submit(13), c.submit(14)]);
  assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
  assert.deepEqual(sent, [[12, 13, 14], [12], [13], [14]]);
});

Deno.test("a group failing in a way that may pass fails every caller at once (each retries as it would)", async () => {
  const away = Object.assign(new Error("no host"), { retriable: true });
  let calls = 0;
  const c = new Coalescer(async () => {
    await Promise.resolve();
    calls++;
    throw away;
  }, { maxItems: 10, maxInFlight: 2 });
  const results = await Promise.allSettled([c.submit(1), c.submit(2)]);
  assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
  assert.equal(calls, 1);
});

Deno.test("with isolateAny, a group that fails for any reason is tried item by item", async () => {
  const sent: number[][] = [];
  const c = new Coalescer(async (items: number[]) => {
    await Promise.resolve();
    sent.push(items);
    if (items.includes(2)) throw new Error("broker refused");
  }, { maxItems: 10, maxInFlight: 1, isolateAny: true });
  const results = await Promise.allSettled([c.submit(1), c.submit(2)]);
  assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected"]);
  assert.deepEqual(sent, [[1, 2], [1], [2]]);
});
