/**
 * The orders of one scenario: a warm-up batch that must come through the whole chain before anything else
 * (so every role has joined its group), then a steady stream from the publisher role (`--count`, `--rate`,
 * `--seed`, 10 % invalid amounts) whose acknowledged request_ids are read from its stdout as they come.
 *
 * @module
 */
import type { RoleProcess } from "../../support/role_process.ts";
import type { ChainRun } from "./chain_run.ts";
import { note, sleep, waitFor } from "./timing.ts";

/** How many orders the warm-up sends, and how long it may take. */
const warmUpOrders = 10;
const warmUpTimeoutMs = 90_000;

/** How a scenario's stream is shaped. */
export interface StreamOptions {
  orders: number;
  /** Orders per second. */
  rate: number;
  seed: number;
}

/** Request ids acknowledged by the run's publishers. */
export class OrderStream {
  readonly #run: ChainRun;
  readonly #publishers: RoleProcess[] = [];
  #main: RoleProcess | undefined;

  constructor(run: ChainRun) {
    this.#run = run;
  }

  /** Every request_id published so far (warm-up included). */
  published(): string[] {
    return this.#publishers.flatMap((p) => p.stdout.filter((line) => /^[0-9a-f-]{36}$/.test(line.trim())))
      .map((line) => line.trim());
  }

  /** How many orders of the main stream are published so far. */
  mainPublished(): number {
    return this.#main ? this.#main.stdout.filter((line) => line.trim() !== "").length : 0;
  }

  #publisher(count: number, rate: number, seed: number): RoleProcess {
    const p = this.#run.command("publisher", [
      "--role",
      "publisher",
      "--count",
      String(count),
      "--rate",
      String(rate),
      "--seed",
      String(seed),
      "--invalid-share",
      "0.1",
      "--progress",
      "off",
    ], true);
    this.#publishers.push(p);
    return p;
  }

  /** Publishes the warm-up orders and waits until service-2 has stored all of them. */
  async warmUp(seed: number): Promise<void> {
    const p = this.#publisher(warmUpOrders, 0, seed + 1_000_000);
    const status = await p.finished();
    if (status.code !== 0) throw new Error(`warm-up publisher failed (exit ${status.code}):\n${p.tail()}`);
    const ok = await waitFor(async () => (await this.storedCount()) >= warmUpOrders, warmUpTimeoutMs, 250);
    if (!ok) throw new Error(`the warm-up orders did not come through in ${warmUpTimeoutMs / 1000} s`);
    note(`${this.#run.scenario}: warm-up done, chain is live`);
  }

  /** Starts the main stream (does not wait for it). */
  start(options: StreamOptions): RoleProcess {
    this.#main = this.#publisher(options.orders, options.rate, options.seed);
    return this.#main;
  }

  /** Resolves once `count` orders of the main stream are published (or the publisher ended). */
  async reached(count: number): Promise<void> {
    while (this.mainPublished() < count) {
      if (this.#main === undefined) throw new Error("the stream has not started");
      const ended = await Promise.race([this.#main.status.then(() => true), sleep(50).then(() => false)]);
      if (ended) return;
    }
  }

  /** Waits for the main publisher to end; returns its exit code. */
  async finished(): Promise<number> {
    if (!this.#main) return 0;
    const status = await this.#main.finished();
    if (status.code !== 0) {
      note(`${this.#run.scenario}: publisher exited ${status.code}: ${this.#main.tail(3)}`);
    }
    return status.code;
  }

  /** Rows in the run's orders table (service-2 writes one per order, with its final status). */
  async storedCount(): Promise<number> {
    const result = await this.#run.cassandra.execute(
      `SELECT COUNT(*) AS n FROM ${this.#run.keyspace}.orders`,
      [],
      {
        readTimeout: 2_000,
      },
    );
    return Number(result.first()?.get("n") ?? 0);
  }
}
