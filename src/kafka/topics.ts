/**
 * The one place that creates Kafka topics.
 *
 * @module
 */
import type { Admin } from "kafkajs";

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
