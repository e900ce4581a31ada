import assert from "node:assert/strict";
import { CoalescingSink } from "./coalescing_sink.ts";
import type { OutRecord, RecordSink } from "./records.ts";

/** A sink that records each request and answers when released. */
function slowSink() {
  const requests: OutRecord[][] = [];
  const waiting: (() => void)[] = [];
  const sink: RecordSink = {
    send(records) {
      requests.push([...records]);
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
  };
  return { sink, requests, release: () => waiting.shift()?.() };
}

const rec = (topic: string, value: string): OutRecord => ({ topic, key: value, value });
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("CoalescingSink: sends of one tick, and sends made while a produce is in flight, share one request", async () => {
  const { sink, requests, release } = slowSink();
  const coalescing = new CoalescingSink(sink);
  const first = [coalescing.send([rec("t", "a")]), coalescing.send([rec("t", "b"), rec("u", "c")])];
  await tick();
  assert.deepEqual(requests.map((r) => r.map((x) => x.value)), [["a", "b", "c"]]);
  const later = [coalescing.send([rec("t", "d")]), coalescing.send([rec("t", "e")])];
  await tick();
  assert.equal(requests.length, 1, "waits for the produce in flight");
  release();
  await Promise.all(first);
  await tick();
  assert.deepEqual(requests[1].map((x) => x.value), ["d", "e"]);
  release();
  await Promise.all(later);
});

Deno.test("CoalescingSink: an empty send resolves at once, without a request", async () => {
  const { sink, requests } = slowSink();
  await new CoalescingSink(sink).send([]);
  assert.equal(requests.length, 0);
});
