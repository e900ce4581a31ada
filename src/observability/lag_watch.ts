/**
 * Consumer lag for the dashboard, sampled in the background only while someone looks: the first {@link touch}
 * starts a loop that samples every `intervalMs`, and the loop ends once nobody has touched it for `idleMs`, so
 * a command center nobody watches makes no admin requests. One sample at a time; a failed sample keeps the last
 * good rows and reports its error.
 *
 * @module
 */
import type { TopicLag } from "../lag/lag_status.ts";
import type { SampledView } from "./dashboard_model.ts";

/** Takes one sample (the Kafka adapter, or a fake): the rows it could judge, and what went wrong if anything. */
export type Sampler<R> = (signal: AbortSignal) => Promise<{ rows: R[]; error?: string }>;

/** Takes one lag sample. */
export type LagSampler = Sampler<TopicLag>;

/** Timing of the loop. */
export interface LagWatchOptions {
  /** From the start of one sample to the start of the next. */
  intervalMs: number;
  /** The loop stops after this long without a {@link LagWatch.touch}. */
  idleMs: number;
  /** The clock, in milliseconds; `Date.now` by default. */
  now?: () => number;
  /** Waits `ms` between samples, ending early when `signal` aborts; a timer by default. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** The loop; `R` is what a sample holds (lag rows by default; the dashboard's dead-letter counts use it too). */
export class LagWatch<R = TopicLag> {
  readonly #sample: Sampler<R>;
  readonly #options: LagWatchOptions;
  readonly #now: () => number;
  readonly #wait: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #stop = new AbortController();
  #view: SampledView<R> = { sampledAt: null, error: null, rows: [] };
  #touchedAt = 0;
  #loop: Promise<void> | undefined;

  constructor(sample: Sampler<R>, options: LagWatchOptions) {
    this.#sample = sample;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#wait = options.wait ?? sleep;
  }

  /** Someone looked: keeps the loop running, starting it when idle. */
  touch(): void {
    this.#touchedAt = this.#now();
    if (this.#loop === undefined && !this.#stop.signal.aborted) {
      this.#loop = this.#run().finally(() => (this.#loop = undefined));
    }
  }

  /** The last sample. */
  latest(): SampledView<R> {
    return this.#view;
  }

  /** Whether the loop is running. */
  get running(): boolean {
    return this.#loop !== undefined;
  }

  /** Ends the loop (the sample in hand is aborted) and waits for it. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted && this.#now() - this.#touchedAt < this.#options.idleMs) {
      const started = this.#now();
      try {
        const { rows, error } = await this.#sample(signal);
        if (signal.aborted) break;
        this.#view = { sampledAt: new Date(this.#now()).toISOString(), error: error ?? null, rows };
      } catch (error) {
        if (signal.aborted) break;
        this.#view = { ...this.#view, error: error instanceof Error ? error.message : String(error) };
      }
      await this.#wait(Math.max(0, this.#options.intervalMs - (this.#now() - started)), signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
