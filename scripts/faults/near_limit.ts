/**
 * Scenario 6: messages at the broker's size limit (the topic's `max.message.bytes`) into every role's input, in
 * the middle of the order stream: a malformed inbox message just under the limit, one over it (the broker must
 * refuse that produce), and a well-formed envelope just under the limit that fails to decrypt into service-1's
 * and into service-2's input. No partition may stall: every order completes, no role loops, and each near-limit
 * message lands in its role's dead-letter topic (possibly reduced, with header `chain-dlq-reduced`).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { ConfigResourceTypes, type Kafka } from "kafkajs";
import { deadLetterHeader } from "../../src/messaging/dead_letter.ts";
import type { ChainRun } from "./chain_run.ts";
import { readDeadLetters } from "./dead_letters.ts";
import { runFaultScenario } from "./fault_flow.ts";
import type { Scenario } from "./scenario.ts";

/** The broker's default `max.message.bytes`, used when the topic's cannot be read. */
const brokerDefaultLimit = 1_048_588;
/** How far under the limit a "just under" value is: room for the key and the record batch's own bytes. */
const underBy = 188;
/** The header a reduced dead-letter record carries. */
const reducedHeader = "chain-dlq-reduced";

/** One near-limit message, where it goes and where it must end up. */
interface NearLimit {
  label: string;
  key: string;
  topic: string;
  /** The dead-letter topic it must land in; none for the one the broker must refuse. */
  deadLetterTopic?: string;
  value: Buffer;
}

/** The topic's `max.message.bytes`. */
async function topicLimit(run: ChainRun, topic: string): Promise<number> {
  const described = await run.admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ["max.message.bytes"] }],
    includeSynonyms: false,
  });
  const value = described.resources[0]?.configEntries.find((e) => e.configName === "max.message.bytes");
  return value ? Number(value.configValue) : brokerDefaultLimit;
}

/** An envelope of exactly `bytes` bytes (or a few under): `data` is random base64, so it fails to decrypt. */
function envelopeOfSize(
  requestId: string,
  workerName: string,
  bytes: number,
  iv = "AAAAAAAAAAAAAAAA",
): Buffer {
  const shell = {
    request_id: requestId,
    worker_name: workerName,
    data: "",
    iv,
    tag: "AAAAAAAAAAAAAAAAAAAAAA==",
  };
  const room = bytes - Buffer.byteLength(JSON.stringify(shell));
  const dataChars = Math.floor(room / 4) * 4;
  const raw = new Uint8Array((dataChars / 4) * 3);
  for (let at = 0; at < raw.length; at += 65_536) crypto.getRandomValues(raw.subarray(at, at + 65_536));
  const data = Buffer.from(raw).toString("base64");
  return Buffer.from(JSON.stringify({ ...shell, data }));
}

async function produce(kafka: Kafka, message: NearLimit): Promise<string | undefined> {
  const producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  try {
    await producer.send({
      topic: message.topic,
      acks: -1,
      messages: [{ key: message.key, value: message.value }],
    });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await producer.disconnect();
  }
}

/** The near-limit scenario. */
export const nearLimit: Scenario = {
  name: "near-limit",
  group: 6,
  destructive: false,
  proves:
    "messages at the broker's size limit into every role's input: no partition stalls, no role loops, " +
    "each lands in its role's dead-letter topic (reduced if need be); one over the limit is refused at produce",
  run(options) {
    const messages: NearLimit[] = [];
    return runFaultScenario(this.name, options, {
      roles: [["command-center", "command-center"], ["service-1", "service-1"], ["service-2", "service-2"]],
      at: 0.4,
      async inject({ run, notes }) {
        const t = run.topics;
        const inboxLimit = await topicLimit(run, t.INBOX_TOPIC);
        const s1Limit = await topicLimit(run, t.SERVICE_1_TOPIC);
        const s2Limit = await topicLimit(run, t.SERVICE_2_TOPIC);
        const underId = crypto.randomUUID();
        const overId = crypto.randomUUID();
        const s1Id = crypto.randomUUID();
        const s2Id = crypto.randomUUID();
        messages.push(
          {
            label: "inbox-under (malformed: wrong iv length)",
            key: underId,
            topic: t.INBOX_TOPIC,
            deadLetterTopic: t.COMMAND_CENTER_DLQ_TOPIC,
            value: envelopeOfSize(underId, "initial-publisher", inboxLimit - underBy, "short"),
          },
          {
            label: "inbox-over",
            key: overId,
            topic: t.INBOX_TOPIC,
            value: envelopeOfSize(overId, "initial-publisher", inboxLimit + 1_000),
          },
          {
            label: "service-1-under (fails to decrypt)",
            key: s1Id,
            topic: t.SERVICE_1_TOPIC,
            deadLetterTopic: t.SERVICE_1_DLQ_TOPIC,
            value: envelopeOfSize(s1Id, "initial-publisher", s1Limit - underBy),
          },
          {
            label: "service-2-under (fails to decrypt)",
            key: s2Id,
            topic: t.SERVICE_2_TOPIC,
            deadLetterTopic: t.SERVICE_2_DLQ_TOPIC,
            value: envelopeOfSize(s2Id, "service-1-publisher", s2Limit - underBy),
          },
        );
        notes.push(`max.message.bytes: inbox ${inboxLimit}, service-1 ${s1Limit}, service-2 ${s2Limit}`);
        for (const m of messages) {
          const refused = await produce(run.kafka, m);
          const where = m.deadLetterTopic ? "" : " (must be refused)";
          notes.push(
            `${m.label}: ${m.value.byteLength} bytes → ${
              refused ? `refused: ${refused}` : "accepted"
            }${where}`,
          );
          if (m.deadLetterTopic === undefined && !refused) throw new Error(`the broker accepted ${m.label}`);
          if (m.deadLetterTopic !== undefined && refused) {
            throw new Error(`the broker refused ${m.label}: ${refused}`);
          }
        }
      },
      async check({ run }) {
        const failures: string[] = [];
        const notes: string[] = [];
        for (const m of messages) {
          if (m.deadLetterTopic === undefined) continue;
          const found = (await readDeadLetters(run.kafka, m.deadLetterTopic)).find((r) => r.key === m.key);
          if (!found) {
            failures.push(`${m.label} is not in ${m.deadLetterTopic}`);
            continue;
          }
          notes.push(
            `${m.label} in ${m.deadLetterTopic} at ${found.partition}/${found.offset}: ${found.valueBytes} bytes, ` +
              `reason ${found.headers[deadLetterHeader.reason] ?? "none"}` +
              (found.headers[reducedHeader] !== undefined
                ? `, ${reducedHeader}=${found.headers[reducedHeader]}`
                : ""),
          );
        }
        return { failures, notes };
      },
    });
  },
};
