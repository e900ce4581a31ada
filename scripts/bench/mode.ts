/**
 * The bench's two sizes: `--quick` (a short check of the figures) and full (the figures docs/benchmarks.md
 * reports).
 *
 * @module
 */

/** How much one bench run measures. */
export interface BenchMode {
  name: "quick" | "full";
  /** Envelopes preloaded for each throughput run (and records for Kafka's own tools). */
  messages: number;
  /** Throughput runs; the figures are their medians. */
  runs: number;
  /** Orders per second in the latency runs. */
  rate: number;
  /** Length of each latency run. */
  seconds: number;
  /** Encrypt+decrypt operations in the crypto measurement. */
  cryptoOps: number;
}

/** The quick or the full mode. */
export function benchMode(quick: boolean): BenchMode {
  return quick
    ? { name: "quick", messages: 20_000, runs: 1, rate: 1000, seconds: 10, cryptoOps: 2000 }
    : { name: "full", messages: 100_000, runs: 3, rate: 1000, seconds: 60, cryptoOps: 20_000 };
}
