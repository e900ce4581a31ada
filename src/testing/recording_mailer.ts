/**
 * A {@link Mailer} for unit tests: records confirmations in memory; can be told to fail the next sends.
 *
 * @module
 */
import { type Confirmation, type Mailer, MailSendError } from "../fulfilment/mailer.ts";

/** Keeps what it was asked to send; fails the next {@link RecordingMailer.failNext} sends instead. */
export class RecordingMailer implements Mailer {
  /** The confirmations sent (copies), in order. */
  readonly sent: Confirmation[] = [];
  /** How many of the next sends reject with a {@link MailSendError}; each failure counts it down. */
  failNext = 0;
  /** Whether those failures are retriable (as a connection failure) or permanent (as a 5xx rejection). */
  failRetriable = true;
  /** Sends attempted, failed ones included. */
  attempts = 0;
  /** Whether {@link RecordingMailer.close} was called. */
  closed = false;

  sendConfirmation(c: Confirmation): Promise<void> {
    this.attempts++;
    if (this.closed) {
      return Promise.reject(
        new MailSendError(c.requestId, `send failed for request ${c.requestId}: the mailer is closed`, false),
      );
    }
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(
        new MailSendError(
          c.requestId,
          `send failed for request ${c.requestId}: failed as told`,
          this.failRetriable,
        ),
      );
    }
    this.sent.push({ ...c, items: c.items.map((i) => ({ ...i })) });
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
