/**
 * How service-2 sends an order's confirmation. The SMTP adapter is `src/smtp/smtp_mailer.ts`; the fake is
 * `src/testing/recording_mailer.ts`; `mailer_contract.ts` holds both to the same behaviour.
 *
 * @module
 */

/** What a confirmation says. */
export interface Confirmation {
  requestId: string;
  orderId: string;
  to: string;
  amount: number;
  items: readonly { sku: string; quantity: number; price: number }[];
}

/** Sends confirmations. */
export interface Mailer {
  /** Sends one confirmation; rejects with a {@link MailSendError}. */
  sendConfirmation(c: Confirmation): Promise<void>;
  /** Closes the connections; no send may follow. */
  close(): Promise<void>;
}

/**
 * A confirmation that was not sent. `retriable` says whether sending it again may pass (a connection failure,
 * a 4xx reply) or not (a permanent 5xx rejection); `src/failure/retry_policy.ts` reads it. The message names
 * the request and the cause, never the mail's body.
 */
export class MailSendError extends Error {
  override name = "MailSendError";
  /** The request whose confirmation was not sent. */
  readonly requestId: string;
  /** False for a permanent rejection, which sending the same mail again would get again. */
  readonly retriable: boolean;

  constructor(requestId: string, message: string, retriable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.requestId = requestId;
    this.retriable = retriable;
  }
}
