/**
 * A {@link Mailer} that counts what the mailer behind it did, for `chain_mails_total{outcome}`, and each try as
 * one SMTP transaction (`chain_requests_total{system="smtp"}`).
 *
 * @module
 */
import type { Confirmation, Mailer } from "../fulfilment/mailer.ts";
import type { ChainMetrics } from "./chain_metrics.ts";
import type { RequestCounts } from "./request_counts.ts";

/** Passes every call through to `inner` and counts sent and failed mails. */
export class CountingMailer implements Mailer {
  readonly #inner: Mailer;
  readonly #metrics: ChainMetrics;
  readonly #requests: RequestCounts | undefined;

  constructor(inner: Mailer, metrics: ChainMetrics, requests?: RequestCounts) {
    this.#inner = inner;
    this.#metrics = metrics;
    this.#requests = requests;
  }

  async sendConfirmation(c: Confirmation): Promise<void> {
    this.#requests?.request("smtp", "transaction");
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
