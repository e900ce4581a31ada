/**
 * A {@link Mailer} for unit tests: records confirmations; can fail the next sends.
 *
 * @module
 */
import { type Confirmation, type Mailer, SmtpSendError } from "../email/mailer.ts";

/** Keeps what it was asked to send. */
export class RecordingMailer implements Mailer {
  readonly sent: Confirmation[] = [];
  failNext = 0;

  sendConfirmation(c: Confirmation): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new SmtpSendError(`SMTP send failed for request ${c.requestId}: as told`, true));
    }
    this.sent.push(c);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
