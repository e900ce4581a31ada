/**
 * Settings every @platformatic/kafka client of a role shares (where Kafka is, who we are to it, how long to wait
 * and retry), and the bridge from the clients' events to the process logger: the library has no logger of its
 * own (it writes to the `debug` module), so its connection, group and error events are logged here.
 *
 * @module
 */
import { Admin, type BaseOptions, type Broker, type Consumer } from "@platformatic/kafka";
import { channel } from "node:diagnostics_channel";
import type { Logger } from "../../logging/logger.ts";
import { kafkaApiName, type RequestCounts } from "../../observability/request_counts.ts";
import { type KafkaSecurity, type KafkaSettings, tlsConnectionOptions } from "../kafka_settings.ts";
import type { GroupMember } from "../instance_claim.ts";

/**
 * Retries of one request (metadata, fetch, commit, join) before it fails: about 21 s with the delays below. A
 * consumer whose topic is missing ends its role within about that time instead of retrying for minutes; one
 * that had joined its group and then fails is replaced by the record source (platformatic_record_source.ts).
 */
export const RETRIES = 8;
/**
 * Retries of a produce request: about 81 s (200 ms doubling to 5 s, then every 5 s), so a producer rides out a
 * broker restart or pause of a minute and sends again within 5 s of the broker's return. With {@link RETRIES},
 * the publisher gave up during the fault suite's 28 s broker restart; kafkajs's 8 retries doubling to 30 s last
 * about 100 s.
 */
export const PRODUCER_RETRIES = 20;
/** First retry delay; it doubles per attempt up to {@link MAX_RETRY_DELAY_MS}. */
export const FIRST_RETRY_DELAY_MS = 200;
/** Longest wait between two retries. */
export const MAX_RETRY_DELAY_MS = 5_000;
/** How long one request may take before it counts as failed. */
export const REQUEST_TIMEOUT_MS = 10_000;

/** The delay before retry `attempt` (1 for the first retry): 200 ms doubling, at most 5 s. */
export function retryDelay(attempt: number): number {
  return Math.min(FIRST_RETRY_DELAY_MS * 2 ** Math.max(0, attempt - 1), MAX_RETRY_DELAY_MS);
}

/** What the adapters need to create their clients: the shared options and where the clients log. */
export interface PlatformaticKafka {
  readonly options: BaseOptions;
  readonly logger: Logger;
}

/**
 * The shared client options for `settings`, logging to `logger`: a broker away for a while (a restart, a pause)
 * is ridden out by retries ({@link RETRIES}, {@link PRODUCER_RETRIES}), not by restarting the role.
 */
export function createPlatformaticKafka(settings: KafkaSettings, logger: Logger): PlatformaticKafka {
  return {
    options: {
      clientId: settings.clientId,
      bootstrapBrokers: settings.brokers,
      timeout: REQUEST_TIMEOUT_MS,
      retries: RETRIES,
      retryDelay: (_client, _operation, attempt) => retryDelay(attempt),
      autocreateTopics: false,
      ...securityOptions(settings.security),
    },
    logger,
  };
}

/** @platformatic/kafka's `tls` and `sasl` options for chain's Kafka security: certificates and names checked. */
function securityOptions(security: KafkaSecurity | undefined): Partial<BaseOptions> {
  const options: Partial<BaseOptions> = {};
  const tls = security?.tls;
  if (tls) {
    options.tls = tlsConnectionOptions(tls);
  }
  const sasl = security?.sasl;
  if (sasl) {
    const mechanism = sasl.mechanism === "plain"
      ? "PLAIN"
      : sasl.mechanism === "scram-sha-256"
      ? "SCRAM-SHA-256"
      : "SCRAM-SHA-512";
    options.sasl = { mechanism, username: sasl.username, password: sasl.password };
  }
  return options;
}

function address(payload: { broker?: Broker } | undefined): string | undefined {
  return payload?.broker ? `${payload.broker.host}:${payload.broker.port}` : undefined;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The events every client emits; the consumer adds its group's. */
interface Observable {
  on(event: string, listener: (...args: never[]) => void): unknown;
}

/**
 * Logs a client's protocol events (connections, group membership, errors; never record content) to `logger`:
 * failures as warnings and errors, the rest at debug. Also keeps an `error` event from throwing for want of a
 * listener.
 */
export function observeClient(
  client: Observable,
  logger: Logger,
  kind: "producer" | "consumer" | "admin",
): void {
  const on = (event: string, listener: (payload?: never) => void) => client.on(event, listener);
  on(
    "client:broker:connect",
    (p?: { broker?: Broker }) => logger.debug({ kafka: kind, broker: address(p) }, "connected"),
  );
  on(
    "client:broker:disconnect",
    (p?: { broker?: Broker }) => logger.debug({ kafka: kind, broker: address(p) }, "disconnected"),
  );
  on(
    "client:broker:failed",
    (p?: { broker?: Broker }) => logger.warn({ kafka: kind, broker: address(p) }, "broker connection failed"),
  );
  on("error", (error?: Error) => logger.error({ kafka: kind, error: reason(error) }, "kafka client error"));
}

/** {@link observeClient} plus the consumer group's events. */
export function observeConsumer(consumer: Consumer<Buffer, Buffer, string, string>, logger: Logger): void {
  observeClient(consumer, logger, "consumer");
  const group = consumer.groupId;
  consumer.on("consumer:group:join", (p) => {
    const partitions = (p.assignments ?? []).map((a) => `${a.topic}:${a.partitions.join(",")}`).join(" ");
    logger.debug({ kafka: "consumer", group, generation: p.generationId, partitions }, "joined the group");
  });
  consumer.on("consumer:group:leave", () => logger.debug({ kafka: "consumer", group }, "left the group"));
  consumer.on("consumer:group:rebalance", () => logger.debug({ kafka: "consumer", group }, "rebalancing"));
  consumer.on(
    "consumer:heartbeat:error",
    (p) => logger.warn({ kafka: "consumer", group, error: reason(p.error) }, "heartbeat failed"),
  );
  consumer.on(
    "consumer:heartbeat:stalled",
    (p) =>
      logger.warn(
        { kafka: "consumer", group, stalledMs: p.stalledFor, error: p.lastError && reason(p.lastError) },
        "no heartbeat answered",
      ),
  );
  consumer.on(
    "consumer:group:autocommit:error",
    (p) =>
      logger.warn({ kafka: "consumer", group, error: reason(p.error) }, "commit before rebalance failed"),
  );
}

/**
 * Counts every request any @platformatic/kafka client of this process sends, by API (produce, fetch,
 * offset_commit, heartbeat, …), from the library's `plt:kafka:connections:api` diagnostics channel, which
 * publishes each request as it goes on the wire. Returns the function that stops counting.
 */
export function countPlatformaticRequests(counts: RequestCounts): () => void {
  const sent = channel("tracing:plt:kafka:connections:api:start");
  const onSend = (message: unknown) => {
    const apiKey = (message as { apiKey?: number }).apiKey;
    if (typeof apiKey === "number") counts.request("kafka", kafkaApiName(apiKey));
  };
  sent.subscribe(onSend);
  return () => sent.unsubscribe(onSend);
}

/** The members of `groupId` now (none when the group does not exist yet), from a short-lived admin client. */
export async function describeGroupMembers(
  kafka: PlatformaticKafka,
  groupId: string,
): Promise<GroupMember[]> {
  const admin = new Admin({ ...kafka.options, clientId: `${kafka.options.clientId}-admin` });
  try {
    const groups = await admin.describeGroups({ groups: [groupId] });
    return [...(groups.get(groupId)?.members.values() ?? [])].map((m) => ({
      memberId: m.id,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
    }));
  } finally {
    await admin.close();
  }
}
