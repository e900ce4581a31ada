/**
 * A command center with topics of its own and orders flowing into its inbox, and a headless Chromium to look at
 * its dashboard: shared by tests/dashboard_test.ts and scripts/dashboard_screenshot.ts.
 *
 * The flow produces envelopes straight to the inbox (no service runs: the services' groups show as STOPPED),
 * most for a routed worker, some for an unknown worker and for a disabled route, so dead letters appear.
 * Every envelope's `data` is fresh random base64, so a test can check that none of it reaches the page.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Kafka } from "kafkajs";
import puppeteer, { type Browser } from "puppeteer-core";
import { roleEnv, RoleProcess, topicEnv } from "./role_process.ts";
import { createTopics, serviceEnv, testKafka, uniqueName } from "./services.ts";
import { deleteTopics } from "./topic_reader.ts";
import { encodeEnvelope } from "../src/envelope/envelope.ts";

/** Debian's chromium package. */
export const CHROMIUM = "/usr/bin/chromium";

/** Starts headless Chromium (the system browser: puppeteer-core downloads none). */
export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

/** The route ids of the test chain. */
export const ROUTE_IDS = { toS1: "route-publisher-to-service1", toS2: "route-service1-to-service2" };

/** A running command center on test topics. */
export interface DashboardChain {
  /** `http://host:port` of its HTTP endpoint. */
  base: string;
  kafka: Kafka;
  router: RoleProcess;
  topics: ReturnType<typeof topicEnv>;
  stop(): Promise<void>;
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Creates the topics, starts the command center (no metadata log) and waits until it is ready. */
export async function startDashboardChain(prefix = uniqueName("dashboard")): Promise<DashboardChain> {
  const topics = topicEnv(prefix);
  const routesFile = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(
    routesFile,
    JSON.stringify({
      routes: {
        "initial-publisher": { targetTopic: topics.SERVICE_1_TOPIC, enabled: true, routeId: ROUTE_IDS.toS1 },
        "service-1-publisher": {
          targetTopic: topics.SERVICE_2_TOPIC,
          enabled: true,
          routeId: ROUTE_IDS.toS2,
        },
        "legacy-publisher": {
          targetTopic: topics.SERVICE_2_TOPIC,
          enabled: false,
          routeId: "route-legacy",
        },
      },
    }),
  );
  const kafka = testKafka("dashboard-test");
  await createTopics(kafka, [
    topics.INBOX_TOPIC,
    topics.SERVICE_1_TOPIC,
    topics.SERVICE_2_TOPIC,
    topics.COMMAND_CENTER_DLQ_TOPIC,
  ], 1);
  const router = new RoleProcess(
    "command-center",
    ["--role", "command-center"],
    roleEnv({
      ...serviceEnv(),
      ...topics,
      ROUTES_FILE: routesFile,
      METADATA_LOG: "off",
      TOPIC_PARTITIONS: "1",
      LOG_LEVEL: "info",
    }),
  );
  const stop = async () => {
    await router.stop();
    await deleteTopics(kafka, Object.values(topics)).catch(() => {});
    await Deno.remove(routesFile).catch(() => {});
  };
  try {
    await router.waitForStderr(/serving \/ping/);
    const line = router.stderr.find((l) => l.includes("serving /ping"))!;
    const base = (JSON.parse(line) as { address: string }).address;
    await waitFor("the command center to be ready", async () => (await fetch(`${base}/ready`)).ok, 60_000);
    return { base, kafka, router, topics, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What the flow sent so far. */
export interface FlowRecord {
  sent: number;
  /** Request ids sent for the unknown worker (dead-lettered as `unknown_worker`). */
  unknownIds: string[];
  /** Every `data` field sent: none may show on the page. */
  payloads: string[];
}

/** Orders flowing into the inbox until `stop()`: a batch every `everyMs`. */
export function startOrderFlow(
  kafka: Kafka,
  inbox: string,
  options: { everyMs?: number; perBatch?: number } = {},
): { record: FlowRecord; stop(): Promise<void> } {
  const record: FlowRecord = { sent: 0, unknownIds: [], payloads: [] };
  const producer = kafka.producer();
  let running = true;
  let batch = 0;
  const loop = (async () => {
    await producer.connect();
    while (running) {
      batch++;
      const workers = Array.from({ length: options.perBatch ?? 8 }, () => "initial-publisher");
      workers.push("service-1-publisher");
      if (batch % 2 === 0) workers.push("nobody");
      if (batch % 5 === 0) workers.push("legacy-publisher");
      const messages = workers.map((worker) => {
        const requestId = crypto.randomUUID();
        const data = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))));
        record.payloads.push(data);
        if (worker === "nobody") record.unknownIds.push(requestId);
        const value = encodeEnvelope({
          request_id: requestId,
          worker_name: worker,
          data,
          iv: "AAAAAAAAAAAAAAAA",
          tag: "AAAAAAAAAAAAAAAAAAAAAA==",
        });
        return { key: requestId as string, value: Buffer.from(value) };
      });
      if (batch % 7 === 0) messages.push({ key: "", value: Buffer.from("not json") });
      await producer.send({ topic: inbox, messages });
      record.sent += messages.length;
      await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 200));
    }
  })();
  return {
    record,
    async stop() {
      running = false;
      try {
        await loop;
      } finally {
        await producer.disconnect();
      }
    },
  };
}
