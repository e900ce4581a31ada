/**
 * Samples consumer groups' lag with the kafkajs admin client, for `chain lag`: a few samples over a short window
 * (committed offsets with `fetchOffsets`, log start and end with `fetchTopicOffsets`), the group's members and
 * their assignments with `describeGroups`, and then one short fetch per lagging partition that reads the
 * timestamp of the record at the committed position (the oldest unconsumed record). What the figures mean and
 * how a status is judged is src/lag/lag_status.ts.
 *
 * @module
 */
import { type Admin, AssignerProtocol, type Kafka } from "kafkajs";
import {
  evaluateTopic,
  type PartitionSample,
  type PartitionWindow,
  type TopicLag,
} from "../lag/lag_status.ts";

/** A group to look at, and the topics to look at it on (undefined: the topics it has committed or is assigned). */
export interface LagTarget {
  group: string;
  topics?: string[];
}

/** How to sample. */
export interface LagSampling {
  /** Samples to take, at least 1. */
  samples: number;
  /** Between two samples. */
  intervalMs: number;
  /** How long the short fetch of the oldest unconsumed records may take; 0 leaves it out. */
  probeTimeoutMs: number;
}

/** Three samples a second apart: enough to see an offset move and a lag grow. */
export const defaultSampling: LagSampling = { samples: 3, intervalMs: 1000, probeTimeoutMs: 5000 };

interface Position {
  topic: string;
  partition: number;
  offset: number;
}

/**
 * Samples every target and judges it: one row per group and topic, in the order of `targets`, topics sorted.
 * Throws when a named group is unknown to the cluster and has no committed offsets, or a topic does not exist.
 */
export async function sampleConsumerLag(
  kafka: Kafka,
  admin: Admin,
  targets: readonly LagTarget[],
  sampling: LagSampling = defaultSampling,
  signal?: AbortSignal,
): Promise<TopicLag[]> {
  const known = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
  const plan = new Map<string, string[]>();
  for (const target of targets) {
    let topics = target.topics;
    if (topics === undefined) {
      const committed = (await admin.fetchOffsets({ groupId: target.group })).map((t) => t.topic);
      const assigned = (await assignments(admin, target.group)).topics;
      topics = [...new Set([...committed, ...assigned])];
      if (topics.length === 0) {
        throw new Error(
          known.has(target.group)
            ? `group ${target.group} has no committed offsets and no assigned topics`
            : `group ${target.group} does not exist`,
        );
      }
    }
    plan.set(target.group, [...new Set(topics)].sort());
  }
  const existing = new Set(await admin.listTopics());
  for (const [group, topics] of plan) {
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) throw new Error(`group ${group}: topic ${missing.join(", ")} does not exist`);
  }

  // samples.get(group).get(topic).get(partition) = the samples, oldest first
  const samples = new Map<string, Map<string, Map<number, PartitionSample[]>>>();
  for (let i = 0; i < sampling.samples; i++) {
    if (i > 0) await sleep(sampling.intervalMs, signal);
    const logs = new Map<string, Map<number, { low: number; high: number }>>();
    const at = Date.now();
    for (const topic of new Set([...plan.values()].flat())) {
      const offsets = await admin.fetchTopicOffsets(topic);
      logs.set(
        topic,
        new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }])),
      );
    }
    for (const [group, topics] of plan) {
      const committed = await admin.fetchOffsets({ groupId: group, topics });
      for (const { topic, partitions } of committed) {
        for (const [partition, log] of logs.get(topic) ?? []) {
          const offset = Number(partitions.find((p) => p.partition === partition)?.offset ?? -1);
          const sample: PartitionSample = {
            at,
            committed: offset >= 0 ? offset : null,
            logStart: log.low,
            logEnd: log.high,
          };
          const byTopic = samples.get(group) ?? new Map<string, Map<number, PartitionSample[]>>();
          samples.set(group, byTopic);
          const byPartition = byTopic.get(topic) ?? new Map<number, PartitionSample[]>();
          byTopic.set(topic, byPartition);
          byPartition.set(partition, [...(byPartition.get(partition) ?? []), sample]);
        }
      }
    }
  }

  const windows: { group: string; topic: string; windows: PartitionWindow[] }[] = [];
  for (const [group, topics] of plan) {
    const owners = await assignments(admin, group);
    for (const topic of topics) {
      const byPartition = samples.get(group)?.get(topic) ?? new Map<number, PartitionSample[]>();
      windows.push({
        group,
        topic,
        windows: [...byPartition].map(([partition, partitionSamples]) => ({
          partition,
          samples: partitionSamples,
          owned: owners.owns(topic, partition),
        })),
      });
    }
  }

  if (sampling.probeTimeoutMs > 0) {
    const wanted: Position[] = [];
    for (const { topic, windows: ws } of windows) {
      for (const w of ws) {
        const last = w.samples.at(-1)!;
        const offset = Math.max(last.committed ?? last.logStart, last.logStart);
        if (offset < last.logEnd) wanted.push({ topic, partition: w.partition, offset });
      }
    }
    const timestamps = await readTimestamps(kafka, admin, wanted, sampling.probeTimeoutMs);
    for (const { topic, windows: ws } of windows) {
      for (const w of ws) {
        const last = w.samples.at(-1)!;
        const offset = Math.max(last.committed ?? last.logStart, last.logStart);
        const timestamp = timestamps.get(key({ topic, partition: w.partition, offset }));
        if (timestamp !== undefined) w.oldestUnconsumedTimestamp = timestamp;
      }
    }
  }
  const now = Date.now();
  return windows.map((w) => evaluateTopic(w.group, w.topic, w.windows, now));
}

/** The topics assigned to a group's members, and whether a member holds a partition. */
async function assignments(
  admin: Admin,
  group: string,
): Promise<{ topics: string[]; owns(topic: string, partition: number): boolean }> {
  const [description] = (await admin.describeGroups([group])).groups;
  const members = description?.members ?? [];
  const held = new Map<string, Set<number>>();
  let readable = true;
  for (const member of members) {
    try {
      const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      for (const [topic, partitions] of Object.entries(decoded?.assignment ?? {})) {
        const set = held.get(topic) ?? new Set<number>();
        for (const p of partitions) set.add(p);
        held.set(topic, set);
      }
    } catch {
      readable = false; // not the consumer protocol's assignment: judge by membership alone
    }
  }
  return {
    topics: [...held.keys()],
    owns: (topic, partition) => readable ? held.get(topic)?.has(partition) ?? false : members.length > 0,
  };
}

const key = (p: Position) => `${p.topic}/${p.partition}/${p.offset}`;

/**
 * The timestamp of the record at each position (or of the first one after it, when that one is gone), read by
 * a consumer of a throwaway group that seeks to each position, commits nothing and is deleted afterwards.
 * Positions not read within `timeoutMs` are left out; any failure leaves them all out (the lag in seconds then
 * falls back to the consumption rate).
 */
async function readTimestamps(
  kafka: Kafka,
  admin: Admin,
  positions: readonly Position[],
  timeoutMs: number,
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (positions.length === 0) return found;
  const groupId = `chain-lag-probe-${crypto.randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
  const pending = new Map(positions.map((p) => [`${p.topic}/${p.partition}`, p]));
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...new Set(positions.map((p) => p.topic))] });
    let done = () => {};
    const allRead = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const position = pending.get(`${batch.topic}/${batch.partition}`);
        const first = batch.messages.find((m) => position && Number(m.offset) >= position.offset);
        if (position && first) {
          found.set(key(position), Number(first.timestamp));
          pending.delete(`${batch.topic}/${batch.partition}`);
          if (pending.size === 0) done();
        }
        await Promise.resolve();
      },
    });
    for (const p of positions) {
      consumer.seek({ topic: p.topic, partition: p.partition, offset: String(p.offset) });
    }
    await Promise.race([allRead, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  } catch {
    found.clear();
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
  }
  return found;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
