/**
 * service-2's confirmation email, sent over SMTP with nodemailer.
 *
 * @module
 */
// @ts-types="@types/nodemailer"
import nodemailer from "nodemailer";

/** What a confirmation says. */
export interface Confirmation {
  requestId: string;
  orderId: string;
  to: string;
  amount: number;
  items: readonly { sku: string; quantity: number; price: number }[];
}

/** Sends confirmations; the real one speaks SMTP, the fake records. */
export interface Mailer {
  sendConfirmation(c: Confirmation): Promise<void>;
  close(): Promise<void>;
}

/** A send that failed; `retriable` is false for permanent (5xx) rejections. The message holds no mail body. */
export class SmtpSendError extends Error {
  override name = "SmtpSendError";
  constructor(message: string, readonly retriable: boolean) {
    super(message);
  }
}

/** Checks `SMTP_URL`: smtp:// or smtps://, a host, a port from 1 to 65535 if given. Never echoes a password. */
export function parseSmtpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError("SMTP_URL must be smtp://host[:port] or smtps://host[:port]; it is not a URL");
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new TypeError(`SMTP_URL must be smtp://host[:port] or smtps://…, got scheme "${url.protocol}"`);
  }
  if (url.hostname === "") throw new TypeError("SMTP_URL has no host");
  if (url.port !== "" && (Number(url.port) < 1 || Number(url.port) > 65535)) {
    throw new RangeError(`SMTP_URL port must be 1-65535, got ${url.port}`);
  }
  return url;
}

/** The message of a confirmation: Message-ID and X-Chain-Request-Id carry the request_id. */
export function confirmationMessage(c: Confirmation, from: string) {
  const lines = c.items.map((i) => `  ${i.quantity} x ${i.sku} at ${i.price.toFixed(2)}`);
  return {
    from,
    to: c.to,
    subject: `Order ${c.orderId} confirmed`,
    text: [`Your order ${c.orderId} is confirmed.`, "", ...lines, "", `Total: ${c.amount.toFixed(2)}`, ""]
      .join("\n"),
    messageId: `<${c.requestId}@chain>`,
    headers: { "X-Chain-Request-Id": c.requestId },
  };
}

/** Sends over a pooled SMTP connection. */
export class SmtpMailer implements Mailer {
  readonly #transport: nodemailer.Transporter;
  readonly #from: string;

  constructor(options: { url: string; from: string }) {
    const url = parseSmtpUrl(options.url);
    this.#from = options.from;
    this.#transport = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === "smtps:" ? 465 : 25,
      secure: url.protocol === "smtps:",
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      pool: true,
      maxConnections: 4,
      connectionTimeout: 10_000,
      socketTimeout: 20_000,
    });
  }

  async sendConfirmation(c: Confirmation): Promise<void> {
    try {
      await this.#transport.sendMail(confirmationMessage(c, this.#from));
    } catch (error) {
      const e = error as { message?: string; responseCode?: number };
      const code = e.responseCode;
      throw new SmtpSendError(
        `SMTP send failed for request ${c.requestId}: ${e.message ?? String(error)}`,
        code === undefined || code < 500,
      );
    }
  }

  close(): Promise<void> {
    this.#transport.close();
    return Promise.resolve();
  }
}
