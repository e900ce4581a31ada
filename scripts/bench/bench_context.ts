/**
 * What every part of one bench run shares: its mode, its unique id (a prefix of every topic and group, and its
 * keyspace), a fresh encryption key, the Kafka client and admin from support/services.ts, and the environment
 * every role it starts gets. Opened by {@link openBenchContext}, closed (keyspace dropped) by
 * {@link closeBenchContext}.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Admin, Kafka } from "kafkajs";
import {
  serviceAddresses,
  serviceEnv,
  testCassandra,
  testKafka,
  uniqueName,
} from "../../support/services.ts";
import { parseKey } from "../../src/envelope/aes_gcm.ts";
import type { BenchMode } from "./mode.ts";

/** The shared state of one bench run. */
export interface BenchContext {
  readonly mode: BenchMode;
  /** `bench-<random>`: the prefix of this run's topics and consumer groups. */
  readonly runId: string;
  /** This run's Cassandra keyspace (the run id with `_`), dropped when the run ends. */
  readonly keyspace: string;
  /** The run's ENCRYPTION_KEY (base64), and the same key imported. */
  readonly key: string;
  readonly cryptoKey: CryptoKey;
  readonly brokers: string[];
  readonly kafka: Kafka;
  /** Connected for the whole run: polls offsets while the clock runs. */
  readonly admin: Admin;
  /** The variables every role of the run gets (services, keyspace, LOG_LEVEL=warn). */
  readonly baseEnv: Record<string, string>;
}

/** A progress line on stderr (stdout carries only the result table). */
export function note(text: string): void {
  console.error(`bench: ${text}`);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Creates the run's id, key and clients, and connects the admin. */
export async function openBenchContext(mode: BenchMode): Promise<BenchContext> {
  const runId = uniqueName("bench");
  const keyspace = runId.replaceAll("-", "_");
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
  const kafka = testKafka("chain-bench");
  const admin = kafka.admin();
  await admin.connect();
  return {
    mode,
    runId,
    keyspace,
    key,
    cryptoKey: await parseKey(key),
    brokers: serviceAddresses().brokers,
    kafka,
    admin,
    baseEnv: { ...serviceEnv(), CASSANDRA_KEYSPACE: keyspace, LOG_LEVEL: "warn" },
  };
}

/**
 * Disconnects the admin and drops the run's keyspace: its metadata rows and orders go with it, so runs do not
 * pile data onto the shared node.
 */
export async function closeBenchContext(context: BenchContext): Promise<void> {
  await context.admin.disconnect();
  const db = testCassandra();
  try {
    await db.execute(`DROP KEYSPACE IF EXISTS ${context.keyspace}`).catch((e) =>
      note(`could not drop ${context.keyspace}: ${e.message}`)
    );
  } finally {
    await db.shutdown();
  }
}
