/**
 * Scenario 5: 10,000 malformed messages produced straight into the inbox, interleaved with the order stream.
 * Every order must complete, and the command center's dead-letter topic must hold all 10,000, each with a
 * `chain-dlq-reason` header.
 *
 * @module
 */
import { deadLetterHeader } from "../../src/messaging/dead_letter.ts";
import { readDeadLetters } from "./dead_letters.ts";
import { runFaultScenario, topicHolds } from "./fault_flow.ts";
import { malformedKeyPrefix, malformedMessage } from "./malformed_messages.ts";
import type { Scenario } from "./scenario.ts";
import { sleep } from "./timing.ts";

const malformedCount = 10_000;
const batches = 50;

/** The malformed-flood scenario. */
export const malformedFlood: Scenario = {
  name: "malformed-flood",
  group: 5,
  destructive: false,
  proves: `${malformedCount} malformed messages among the orders: every order completes, ` +
    "every malformed message is in the command center's dead-letter topic with its reason",
  run: (options) =>
    runFaultScenario("malformed-flood", options, {
      roles: [["command-center", "command-center"], ["service-1", "service-1"], ["service-2", "service-2"]],
      at: 0.1,
      async inject({ run, options, notes }) {
        const producer = run.kafka.producer();
        await producer.connect();
        try {
          // Spread over most of the stream's publishing time.
          const spanMs = (options.orders / options.rate) * 800;
          const kinds = new Map<string, number>();
          for (let b = 0; b < batches; b++) {
            const messages = Array.from({ length: malformedCount / batches }, (_, i) => {
              const m = malformedMessage(b * (malformedCount / batches) + i);
              kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
              return { key: m.key, value: m.value };
            });
            await producer.send({ topic: run.topics.INBOX_TOPIC, messages });
            await sleep(spanMs / batches);
          }
          notes.push(
            `produced ${malformedCount} malformed: ${[...kinds].map(([k, n]) => `${k}=${n}`).join(" ")}`,
          );
        } finally {
          await producer.disconnect();
        }
      },
      async check({ run }) {
        const failures: string[] = [];
        const dlq = run.topics.COMMAND_CENTER_DLQ_TOPIC;
        await topicHolds(run, dlq, malformedCount, 60_000);
        const records = (await readDeadLetters(run.kafka, dlq)).filter((r) =>
          r.key.startsWith(malformedKeyPrefix)
        );
        const keys = new Set(records.map((r) => r.key));
        const withReason = records.filter((r) => (r.headers[deadLetterHeader.reason] ?? "") !== "");
        const reasons = new Map<string, number>();
        for (const r of withReason) {
          const reason = r.headers[deadLetterHeader.reason];
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        }
        if (keys.size < malformedCount) {
          failures.push(`only ${keys.size} of ${malformedCount} malformed messages in ${dlq}`);
        }
        if (withReason.length < records.length) {
          failures.push(`${records.length - withReason.length} dead-letter records without a reason header`);
        }
        return {
          failures,
          notes: [
            `${dlq}: ${keys.size} of ${malformedCount} malformed (${records.length} records), reasons ${
              [...reasons].map(([k, n]) => `${k}=${n}`).join(" ")
            }`,
          ],
        };
      },
    }),
};
