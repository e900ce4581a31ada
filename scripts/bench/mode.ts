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
  /** Offered rates (orders/s) of the whole-chain curve, lowest first. */
  curveRates: number[];
  /** Length of each point of the curve, seconds. */
  curveSeconds: number;
  /** Length of the idle part's window, seconds (issue 16: 60). */
  idleSeconds: number;
  /** Length of each step of the capacity search, seconds (`--capacity-seconds` overrides it). */
  capacitySeconds: number;
  /** Bisection steps the capacity search may take after its first failing step. */
  capacityBisections: number;
}

/** The quick or the full mode. */
export function benchMode(quick: boolean): BenchMode {
  return quick
    ? {
      name: "quick",
      messages: 20_000,
      runs: 1,
      rate: 1000,
      seconds: 10,
      cryptoOps: 2000,
      curveRates: [100, 300],
      curveSeconds: 10,
      idleSeconds: 10,
      capacitySeconds: 10,
      capacityBisections: 1,
    }
    : {
      name: "full",
      messages: 100_000,
      runs: 3,
      rate: 1000,
      seconds: 60,
      cryptoOps: 20_000,
      curveRates: [50, 100, 300, 1000],
      curveSeconds: 60,
      idleSeconds: 60,
      capacitySeconds: 60,
      capacityBisections: 2,
    };
}
