/**
 * The one place that creates Kafka topics.
 *
 * @module
 */
import { type Admin, ConfigResourceTypes } from "kafkajs";

/** Creates the topics that are missing (with `partitions` partitions) and leaves existing ones as they are. */
export async function ensureTopics(
  admin: Admin,
  topics: readonly string[],
  partitions: number,
  replicationFactor: number,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = [...new Set(topics)].filter((t) => !existing.has(t));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
    });
  } catch (error) {
    // Another process may have created them at the same moment; that is success too.
    const now = new Set(await admin.listTopics());
    if (!missing.every((t) => now.has(t))) throw error;
  }
  return missing;
}

/**
 * The largest record batch the broker accepts on each of `topics` (`max.message.bytes`, the topic's own value or
 * the broker's default), read with DescribeConfigs.
 */
export async function topicRecordLimits(
  admin: Admin,
  topics: readonly string[],
): Promise<Map<string, number>> {
  const unique = [...new Set(topics)];
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: unique.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: ["max.message.bytes"],
    })),
  });
  const limits = new Map<string, number>();
  for (const resource of described.resources) {
    const entry = resource.configEntries.find((e) => e.configName === "max.message.bytes");
    const value = Number(entry?.configValue);
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new Error(
        `topic ${resource.resourceName} has no readable max.message.bytes (${entry?.configValue})`,
      );
    }
    limits.set(resource.resourceName, value);
  }
  return limits;
}
