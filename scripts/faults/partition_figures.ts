/**
 * The per-partition figures of a scenario that stopped a member (kill -9 or SIGTERM): how long each partition of
 * the member's input waited after the stop (the member's own partitions marked), when they moved again after its
 * replacement was ready, and how many hops the command center logged twice. What counts as "handled" depends on
 * the role stopped: for the command center, its hops in the metadata log (`routed_at` per inbox partition); for
 * service-1, the command center's hops of service-1's output (same key, same partitioner, so the same partition
 * number as service-1's input); for service-2, the orders' `saved_at`, each order on its key's partition.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { AssignerProtocol, Partitioners } from "kafkajs";
import type { ChainRun, RoleName } from "./chain_run.ts";
import { allRows } from "./order_audit.ts";
import {
  firstAfter,
  formatPerPartition,
  type Handled,
  repeatedRecords,
  type SourceRecord,
  stallPerPartition,
} from "./partition_stall.ts";

/** A member the scenario stopped. */
export interface StoppedMember {
  role: RoleName;
  /** The supervised role's label. */
  label: string;
  /** When the signal went (epoch ms). */
  at: number;
  how: "SIGKILL" | "SIGTERM";
  /** Its partitions of the role's input when it was stopped (all of them when it was the group's one member). */
  partitions: number[];
  /** Whether a new process was started under the same label. */
  restarted: boolean;
}

/** What the figures say. */
export interface PartitionFigures {
  /** The longest stall of the stopped member's partitions, in seconds. */
  memberStallSeconds: number;
  /** The longest time after the replacement was ready before its partitions moved (restarts only), seconds. */
  afterReadySeconds?: number;
  /** Hops logged more than once. */
  repeatedHops: number;
  notes: string[];
}

/** The partitions `label`'s process holds in its group now (it sets its client id to `chain-<label>`). */
export async function memberPartitions(run: ChainRun, role: RoleName, label: string): Promise<number[]> {
  const { groups } = await run.admin.describeGroups([`${run.id}-${role}`]);
  const partitions: number[] = [];
  for (const member of groups[0]?.members ?? []) {
    if (member.clientId !== `chain-${label}`) continue;
    const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    for (const ps of Object.values(decoded?.assignment ?? {})) partitions.push(...ps);
  }
  return partitions.sort((a, b) => a - b);
}

const partitionMetadata = (partitions: number) =>
  Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));

/** When the replacement process of `label` was ready to consume: its "consuming" log line (epoch ms). */
function readyAt(run: ChainRun, label: string): number | undefined {
  const process = run.role(label).current;
  for (const line of process.stderr) {
    try {
      const entry = JSON.parse(line) as { msg?: string; time?: number | string };
      if (entry.msg !== "consuming" || entry.time === undefined) continue;
      // The roles' logger writes ISO times; pino's default is epoch milliseconds.
      const at = typeof entry.time === "number" ? entry.time : Date.parse(entry.time);
      if (Number.isFinite(at)) return at;
    } catch {
      // not a log line
    }
  }
  return undefined;
}

/** The figures for `stopped`, from the run's metadata log and orders; `until`: the last order published. */
export async function partitionFigures(
  run: ChainRun,
  stopped: StoppedMember,
  until: number,
  partitions = 3,
): Promise<PartitionFigures> {
  const db = run.cassandra;
  const ks = run.keyspace;
  const inbox = run.topics.INBOX_TOPIC;
  const hops = await allRows(
    db,
    `SELECT source_topic, source_partition, source_offset, routed_at, worker_name FROM ${ks}.routing_metadata`,
  );
  const inboxHops = hops.filter((r) => r.get("source_topic") === inbox);
  const repeatedHops = repeatedRecords(inboxHops.map((r): SourceRecord => ({
    topic: inbox,
    partition: Number(r.get("source_partition")),
    offset: String(r.get("source_offset")),
  })));
  let handled: Handled[];
  let what: string;
  if (stopped.role === "command-center") {
    what = "routed per inbox partition";
    handled = inboxHops.map((r) => ({
      partition: Number(r.get("source_partition")),
      at: +r.get("routed_at"),
    }));
  } else if (stopped.role === "service-1") {
    what = "service-1's output routed, per partition";
    handled = inboxHops.filter((r) => r.get("worker_name") === "service-1-publisher")
      .map((r) => ({ partition: Number(r.get("source_partition")), at: +r.get("routed_at") }));
  } else {
    what = "orders saved per service-2 partition";
    const partitioner = Partitioners.DefaultPartitioner();
    const metadata = partitionMetadata(partitions);
    handled = (await allRows(db, `SELECT request_id, saved_at FROM ${ks}.orders`))
      .filter((r) => r.get("saved_at") !== null)
      .map((r) => {
        const key = String(r.get("request_id"));
        const partition = partitioner({
          topic: run.topics.SERVICE_2_TOPIC,
          partitionMetadata: metadata,
          message: { key: Buffer.from(key), value: null },
        });
        return { partition, at: +r.get("saved_at") };
      });
  }
  const all = Array.from({ length: partitions }, (_, p) => p);
  const mine = stopped.partitions.length > 0 ? stopped.partitions : all;
  const stall = stallPerPartition(handled, all, stopped.at, Math.max(until, stopped.at));
  const memberStallMs = Math.max(0, ...mine.map((p) => stall.get(p) ?? 0));
  const notes = [
    `stall after the ${stopped.how} of ${stopped.label} (${what}; * its partitions): ${
      formatPerPartition(stall, mine)
    }`,
  ];
  let afterReadySeconds: number | undefined;
  if (stopped.restarted) {
    const ready = readyAt(run, stopped.label);
    if (ready === undefined) notes.push(`${stopped.label}'s replacement never logged "consuming"`);
    else {
      const moved = firstAfter(handled, mine, stopped.at, ready);
      const known = [...moved.values()].filter((ms): ms is number => ms !== undefined);
      if (known.length > 0) afterReadySeconds = Math.max(...known) / 1000;
      notes.push(
        `replacement ready ${
          ((ready - stopped.at) / 1000).toFixed(1)
        } s after the kill; its partitions moved ` +
          `again, after it was ready: ${formatPerPartition(moved, mine)} (negative: taken over before)`,
      );
    }
  }
  return { memberStallSeconds: memberStallMs / 1000, afterReadySeconds, repeatedHops, notes };
}
