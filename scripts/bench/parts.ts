/**
 * The bench's parts, each selectable with `--only` (`--only curve,capacity`): router throughput with its kcat
 * baseline, Kafka's own tools, the fixed-rate latency runs, crypto, the whole-chain curve and the capacity
 * search. Without `--only` every part runs.
 *
 * @module
 */

/** Every part, in the order a run takes them. */
export const benchParts = ["router", "kafka", "latency", "crypto", "curve", "capacity", "idle"] as const;

/** One part of the bench. */
export type BenchPart = typeof benchParts[number];

/** What each part measures, for `--help`. */
export const partDescriptions: Record<BenchPart, string> = {
  router: "router throughput, metadata log on and off, and the kcat relay baseline",
  kafka: "Kafka's ProducerPerformance / ConsumerPerformance",
  latency: "router alone and whole chain at the mode's fixed rate",
  crypto: "encrypt+decrypt of an order",
  curve: "whole chain at each rate of the curve (50, 100, 300, 1,000 orders/s)",
  capacity: "highest rate the whole chain sustains with end-to-end p99 <= 250 ms",
  idle: "the whole chain standing with no traffic: % of a core per process",
};

/**
 * The parts named by `--only` values (each a comma-separated list; none given: every part). Throws on an
 * unknown name.
 */
export function parseParts(only: readonly string[] | undefined): Set<BenchPart> {
  const names = (only ?? []).flatMap((value) => value.split(",")).map((s) => s.trim()).filter((s) => s);
  if (names.length === 0) return new Set(benchParts);
  const parts = new Set<BenchPart>();
  for (const name of names) {
    if (!(benchParts as readonly string[]).includes(name)) {
      throw new Error(`--only: no part "${name}"; the parts are ${benchParts.join(", ")}`);
    }
    parts.add(name as BenchPart);
  }
  return parts;
}
