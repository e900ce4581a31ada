/**
 * What both Kafka adapters' record sources share: how a source joins its group and fetches, and the group
 * session it keeps. Beside the ports so that neither adapter imports the other.
 *
 * @module
 */
import type { ChainMetrics } from "../observability/chain_metrics.ts";
import type { Ordering } from "./partition_lane.ts";

/** How long the group waits for a silent member before handing its partitions to the others. */
export const SESSION_TIMEOUT_MS = 6_000;
/** How often a member says it is alive. */
export const HEARTBEAT_INTERVAL_MS = 1_000;

/** How the consumer joins and fetches. */
export interface SourceOptions {
  groupId: string;
  topic: string;
  /** Partitions handled at once (the handler runs concurrently for different partitions). */
  concurrency: number;
  /**
   * `partition` (the default): one batch of a partition at a time. `key`: batches of one partition run at once
   * as long as their record keys differ (src/kafka/partition_lane.ts), at most `maxInFlight` records in hand;
   * the kafkajs source serves it as `partition`.
   */
  ordering?: Ordering;
  /** Records in hand at once over all partitions, in `key` ordering. */
  maxInFlight?: number;
  /** Where the lag of each partition is reported after each batch, if anywhere. */
  metrics?: ChainMetrics;
}
