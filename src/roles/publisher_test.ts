import assert from "node:assert/strict";
import { generatedOrders, jsonLineOrders, noProgress, publish, publisherWorkerName } from "./publisher.ts";
import { MemorySink } from "../testing/memory_kafka.ts";
import { KEY_ID_HEADER, openEnvelope, parseEnvelope } from "../envelope/envelope.ts";
import { parseKey } from "../envelope/aes_gcm.ts";
import { Keyring } from "../envelope/keyring.ts";
import { createLogger } from "../logging/pino_logger.ts";
import { silentTracer } from "../testing/silent_tracer.ts";
import { validateOrder } from "../order/order.ts";

const key = await parseKey("3".repeat(64));
const keyring = new Keyring(new Map([["old", await parseKey("4".repeat(64))], ["2026-01", key]]), "2026-01");

function deps(clock = { t: 0 }) {
  const printed: string[] = [];
  const sleeps: number[] = [];
  return {
    printed,
    sleeps,
    deps: {
      sink: new MemorySink(),
      keyring,
      logger: createLogger("silent", {}),
      tracer: silentTracer(),
      printIds: (ids: readonly string[]) => {
        printed.push(...ids);
        return Promise.resolve();
      },
      progress: noProgress,
      sleep: (ms: number) => {
        sleeps.push(ms);
        clock.t += ms;
        return Promise.resolve();
      },
      now: () => clock.t,
    },
  };
}

Deno.test("publish() seals each order as initial-publisher, keyed by a new request_id it prints", async () => {
  const { deps: d, printed } = deps();
  const stats = await publish(
    generatedOrders(5, 0, 1),
    d,
    { inboxTopic: "inbox", rate: 0, batchSize: 2 },
    new AbortController().signal,
  );
  assert.deepEqual(stats, { published: 5, badInput: 0 });
  assert.equal(d.sink.sent.length, 5);
  assert.deepEqual(printed, d.sink.sent.map((r) => r.key));
  assert.equal(new Set(printed).size, 5);
  for (const record of d.sink.sent) {
    const envelope = parseEnvelope(record.value as Uint8Array, 65536);
    assert.equal(envelope.worker_name, publisherWorkerName);
    assert.equal(envelope.request_id, record.key);
    assert.equal(record.headers?.[KEY_ID_HEADER], "2026-01", "the active key's id travels in a header");
    assert.deepEqual(validateOrder(await openEnvelope(key, envelope, "2026-01")), { status: "valid" });
  }
});

Deno.test("generatedOrders() makes the requested share invalid, the same way for the same seed", () => {
  const orders = [...generatedOrders(400, 0.25, 9)];
  const invalid = orders.filter((o) => "order" in o && validateOrder(o.order).status === "invalid").length;
  assert.ok(invalid > 60 && invalid < 140, `${invalid} of 400 invalid`);
  assert.deepEqual(orders, [...generatedOrders(400, 0.25, 9)]);
});

Deno.test("publish() paces sends to the rate", async () => {
  const { deps: d, sleeps } = deps();
  await publish(
    generatedOrders(10, 0, 2),
    d,
    { inboxTopic: "inbox", rate: 100, batchSize: 500 },
    new AbortController().signal,
  );
  assert.equal(d.sink.sent.length, 10);
  assert.equal(
    Math.round(sleeps.reduce((a, b) => a + b, 0)),
    90,
    "10 orders at 100/s span 90 ms after the first",
  );
});

Deno.test("jsonLineOrders() skips blank lines and reports a bad line by number without its content", async () => {
  async function* input() {
    yield '{"orderId":"a"}';
    yield "";
    yield "secret-plaintext not json";
  }
  const out = await Array.fromAsync(jsonLineOrders(input()));
  assert.deepEqual(out[0], { order: { orderId: "a" } });
  assert.equal(out.length, 2);
  assert.ok("error" in out[1]);
  if ("error" in out[1]) {
    assert.match(out[1].error, /line 3/);
    assert.ok(!out[1].error.includes("secret"));
  }
});
