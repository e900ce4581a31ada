/**
 * A {@link Mailer} that counts what the mailer behind it did, for `chain_mails_total{outcome}`.
 *
 * @module
 */
import type { Confirmation, Mailer } from "../fulfilment/mailer.ts";
import type { ChainMetrics } from "./chain_metrics.ts";

/** Passes every call through to `inner` and counts sent and failed mails. */
export class CountingMailer implements Mailer {
  readonly #inner: Mailer;
  readonly #metrics: ChainMetrics;

  constructor(inner: Mailer, metrics: ChainMetrics) {
    this.#inner = inner;
    this.#metrics = metrics;
  }

  async sendConfirmation(c: Confirmation): Promise<void> {
    try {
      await this.#inner.sendConfirmation(c);
    } catch (error) {
      this.#metrics.mails.inc({ outcome: "failed" });
      throw error;
    }
    this.#metrics.mails.inc({ outcome: "sent" });
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
