/**
 * What both Kafka adapters' record sources share: how a source joins its group and fetches, and the group
 * session it keeps. Beside the ports so that neither adapter imports the other.
 *
 * @module
 */
import type { ChainMetrics } from "../observability/chain_metrics.ts";
import type { Ordering } from "./partition_lane.ts";

/**
 * How long the group waits for a silent member before handing its partitions to the others, unless
 * `KAFKA_SESSION_TIMEOUT_MS` says otherwise: a member killed without leaving is noticed within this, so a
 * takeover lasts about this plus one heartbeat and a rejoin (README, Reliability). The broker must allow it: its
 * `group.min.session.timeout.ms` is 1,000 on the local node (6,000 by default); a broker that refuses it fails
 * the join with INVALID_SESSION_TIMEOUT.
 */
export const SESSION_TIMEOUT_MS = 2_000;
/**
 * How often a member says it is alive: a quarter of the session, so three heartbeats in a row may be late (a
 * busy event loop, a broker GC pause) before the member counts as dead. It is also how soon the other members
 * hear of a rebalance.
 */
export const HEARTBEAT_INTERVAL_MS = 500;

/** A group session: how long a silent member is waited for, and how often it heartbeats (a quarter of that). */
export interface GroupSession {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
}

/** The session of `sessionTimeoutMs` (default {@link SESSION_TIMEOUT_MS}), heartbeating every quarter of it. */
export function groupSession(sessionTimeoutMs: number = SESSION_TIMEOUT_MS): GroupSession {
  return { sessionTimeoutMs, heartbeatIntervalMs: Math.max(100, Math.floor(sessionTimeoutMs / 4)) };
}

/** How the consumer joins and fetches. */
export interface SourceOptions {
  groupId: string;
  /**
   * The member's static identity in its group (KIP-345 `group.instance.id`), or none (a dynamic member). Only the
   * @platformatic/kafka source uses it; kafkajs 2.2.4 has no static membership.
   */
  instanceId?: string;
  /** The group session's timeout (default {@link SESSION_TIMEOUT_MS}); heartbeats every quarter of it. */
  sessionTimeoutMs?: number;
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
