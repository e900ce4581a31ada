/**
 * The W3C trace context through the whole chain, each role a separate process: the trace id the publisher puts
 * in its inbox record's `traceparent` is the one in the router's forward to service-1, in service-1's record back
 * to the inbox, in the forward to service-2, in the metadata rows of both hops, and in `chain trace <id>`. The
 * command center runs with `OTEL_DENO=true` against a small OTLP/HTTP (JSON) receiver, which must get its route
 * spans in the same trace; the other roles run without a collector.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { testCassandra, testKafka, uniqueName } from "../support/services.ts";
import { consumeUntil } from "../support/topic_reader.ts";
import { TestChain } from "../support/test_chain.ts";
import { parseTraceparent, type TraceContext } from "../src/tracing/traceparent.ts";

const ORDERS = 6;

interface Read {
  key: string;
  workerName: string;
  trace: TraceContext | undefined;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const got = await probe();
    if (got !== undefined) return got;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Reads `expected` records of `topic` from the beginning, with each one's worker name and traceparent. */
function readTopic(topic: string, expected: number): Promise<Read[]> {
  return consumeUntil(testKafka("trace-reader"), topic, {
    groupId: uniqueName("trace-reader"),
    until: expected,
    timeoutMs: 60_000,
    onTimeout: "throw",
    keep: ({ message }) => {
      const value = JSON.parse(String(message.value));
      const traceparent = message.headers?.traceparent;
      return {
        key: String(message.key ?? ""),
        workerName: value.worker_name,
        trace: parseTraceparent(traceparent === undefined ? undefined : String(traceparent)),
      };
    },
  });
}

/** An OTLP/HTTP receiver taking JSON: keeps every span it is sent (name, trace id, attributes). */
function startOtlpReceiver() {
  const spans: { name: string; traceId: string; attributes: Record<string, string> }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const body = await request.text();
    if (new URL(request.url).pathname === "/v1/traces") {
      for (const resource of JSON.parse(body).resourceSpans ?? []) {
        for (const scope of resource.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            const attributes: Record<string, string> = {};
            for (const a of span.attributes ?? []) attributes[a.key] = a.value?.stringValue;
            spans.push({ name: span.name, traceId: span.traceId, attributes });
          }
        }
      }
    }
    return new Response("{}", { headers: { "content-type": "application/json" } });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, spans, close: () => server.shutdown() };
}

Deno.test({
  name: "one trace id goes from the publisher through the router and both services into the metadata log",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const chain = await TestChain.open("trace");
    const { keyspace, topics, smtp } = chain;
    const otlp = startOtlpReceiver();
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
    const common = chain.env;
    const withKey = { ...common, ENCRYPTION_KEY: key };
    const start = chain.start.bind(chain);
    const cassandra = testCassandra();
    await cassandra.connect();
    try {
      const init = start("init", ["init"], common);
      assert.equal((await init.finished()).code, 0, init.tail());
      const commandCenter = start("command-center", ["--role", "command-center"], {
        ...common,
        OTEL_DENO: "true",
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_SERVICE_NAME: "chain-command-center",
      });
      start("service-1", ["--role", "service-1"], withKey);
      start("service-2", ["--role", "service-2"], { ...withKey, SMTP_URL: smtp.url });
      await commandCenter.waitForStderr(/command center routing/);

      const publisher = start("publisher", ["--role", "publisher", "--count", String(ORDERS)], withKey);
      assert.equal((await publisher.finished()).code, 0, publisher.tail());
      const published = publisher.stdout.filter((line) => line.trim() !== "");
      assert.equal(published.length, ORDERS);
      await until("every order fulfilled or rejected", async () => {
        const rows = (await cassandra.execute(`SELECT request_id FROM ${keyspace}.orders`)).rows;
        return rows.length >= ORDERS ? rows : undefined;
      });

      const inbox = await readTopic(topics.INBOX_TOPIC, 2 * ORDERS);
      const toService1 = await readTopic(topics.SERVICE_1_TOPIC, ORDERS);
      const toService2 = await readTopic(topics.SERVICE_2_TOPIC, ORDERS);
      const one = (records: Read[], requestId: string, workerName?: string) => {
        const found = records.filter((r) =>
          r.key === requestId && (!workerName || r.workerName === workerName)
        );
        assert.equal(found.length, 1, `one record of ${requestId}`);
        assert.ok(found[0].trace, `${requestId} has a valid traceparent`);
        return found[0].trace;
      };
      const traceIds = new Map<string, string>();
      for (const requestId of published) {
        const fromPublisher = one(inbox, requestId, "initial-publisher");
        const routed = one(toService1, requestId);
        const fromService1 = one(inbox, requestId, "service-1-publisher");
        const routedAgain = one(toService2, requestId);
        const hops = [fromPublisher, routed, fromService1, routedAgain];
        for (const hop of hops) {
          assert.equal(hop.traceId, fromPublisher.traceId, `one trace for ${requestId}`);
        }
        assert.equal(new Set(hops.map((h) => h.spanId)).size, 4, "each hop names a span of its own");
        traceIds.set(requestId, fromPublisher.traceId);

        const rows = (await cassandra.execute(
          `SELECT route_id, trace_id FROM ${keyspace}.routing_metadata WHERE request_id = ?`,
          [requestId],
          { prepare: true },
        )).rows.map((r) => [r.get("route_id"), r.get("trace_id")]);
        assert.deepEqual(rows, [
          ["route-publisher-to-service1", fromPublisher.traceId],
          ["route-service1-to-service2", fromPublisher.traceId],
        ]);
      }
      assert.equal(new Set(traceIds.values()).size, ORDERS, "a trace per order");

      const requestId = published[0];
      const trace = start("trace", ["trace", requestId], common);
      assert.equal((await trace.finished()).code, 0, trace.tail());
      const printed = trace.stdout.filter((line) => line.trim() !== "");
      assert.equal(printed[0], `trace_id ${traceIds.get(requestId)}`, printed.join("\n"));
      assert.equal(printed.length, 3, "the trace id line, then the two hops");

      // The command center exported its route spans, in the orders' traces, with ids and outcome only.
      assert.equal((await commandCenter.stop()).code, 0, commandCenter.tail());
      const routeSpans = await until("the command center's spans at the OTLP receiver", () => {
        const spans = otlp.spans.filter((s) => s.name === "route");
        return Promise.resolve(spans.length >= 2 * ORDERS ? spans : undefined);
      }, 30_000);
      for (const [requestId, traceId] of traceIds) {
        const mine = routeSpans.filter((s) => s.attributes.request_id === requestId);
        assert.deepEqual(mine.map((s) => s.traceId), [traceId, traceId]);
        assert.deepEqual(
          mine.map((s) => [s.attributes.worker_name, s.attributes.route_id, s.attributes.outcome]),
          [
            ["initial-publisher", "route-publisher-to-service1", "forwarded"],
            ["service-1-publisher", "route-service1-to-service2", "forwarded"],
          ],
        );
        for (const s of mine) {
          assert.deepEqual(Object.keys(s.attributes).sort(), [
            "outcome",
            "request_id",
            "route_id",
            "topic",
            "worker_name",
          ]);
        }
      }
    } finally {
      await chain.close();
      await otlp.close();
      await cassandra.shutdown();
    }
  },
});
