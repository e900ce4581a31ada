/**
 * service-2's confirmation email, sent over SMTP with nodemailer.
 *
 * The Message-ID is derived from the request_id (`<request_id@chain>`) and the request_id is repeated in an
 * `X-Chain-Request-Id` header, so a mail sent twice (at least once delivery) is recognisable downstream.
 *
 * @module
 */
import nodemailer from "nodemailer";
import type { Transporter } from "nodemailer";
import { type Confirmation, type Mailer, MailSendError } from "../fulfilment/mailer.ts";

/** What an {@link SmtpSendError} knows besides its message. */
export interface SmtpSendErrorFields {
  /** False for a permanent rejection (5xx other than 503), which sending the same mail again would get again. */
  retriable: boolean;
  /** nodemailer's code (`ESOCKET`, `ETIMEDOUT`, `EENVELOPE`, …), if any. */
  code?: string;
  /** The SMTP reply code, if the server answered. */
  responseCode?: number;
}

/** A send that failed. The message names the request and the cause, never the mail's body. */
export class SmtpSendError extends MailSendError {
  override name = "SmtpSendError";
  /** nodemailer's code (`ESOCKET`, `ETIMEDOUT`, `EENVELOPE`, …), if any. */
  readonly code?: string;
  /** The SMTP reply code, if the server answered. */
  readonly responseCode?: number;

  constructor(requestId: string, reason: string, fields: SmtpSendErrorFields) {
    super(requestId, `SMTP send failed for request ${requestId}: ${reason}`, fields.retriable);
    if (fields.code !== undefined) this.code = fields.code;
    if (fields.responseCode !== undefined) this.responseCode = fields.responseCode;
  }
}

/**
 * Tells whether an SMTP failure may pass on a later try: connection failures, timeouts and 4xx replies may;
 * 5xx replies are permanent (RFC 5321), except 503 (bad sequence of commands, a session fault), as are the
 * client-side faults `EENVELOPE` without a reply (no recipient), `EMESSAGE` and `ECONFIG`.
 *
 * @example
 * ```ts
 * isRetriableSmtpFailure({ code: "ESOCKET" }); // true
 * isRetriableSmtpFailure({ code: "EENVELOPE", responseCode: 550 }); // false
 * ```
 */
export function isRetriableSmtpFailure(failure: { code?: string; responseCode?: number }): boolean {
  const reply = failure.responseCode;
  if (reply !== undefined) return !(reply >= 500 && reply < 600 && reply !== 503);
  return !["EENVELOPE", "EMESSAGE", "ECONFIG"].includes(failure.code ?? "");
}

const urlShape = "SMTP_URL must be smtp://host[:port] or smtps://host[:port]";

/**
 * Checks `SMTP_URL`: scheme smtp: or smtps:, a host, a port from 1 to 65535 if given, user:pass optional.
 * Throws a TypeError (wrong shape) or RangeError (port) whose message never echoes the URL or a password.
 */
export function parseSmtpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The URL parser rejects ports above 65535 itself; say so rather than "not a URL".
    const port = /^smtps?:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/?#]*):(\d+)(?:[/?#]|$)/i.exec(text)?.[1];
    if (port !== undefined) throw new RangeError(`SMTP_URL port must be 1-65535, got ${port}`);
    throw new TypeError(`${urlShape}; it is not a URL`);
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new TypeError(`${urlShape}, got scheme "${url.protocol}"`);
  }
  if (url.hostname === "") throw new TypeError(`${urlShape}; it has no host`);
  if (url.port !== "" && (Number(url.port) < 1 || Number(url.port) > 65535)) {
    throw new RangeError(`SMTP_URL port must be 1-65535, got ${url.port}`);
  }
  return url;
}

/** The fields nodemailer sends for one confirmation. */
export interface ConfirmationMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** `<request_id@chain>`. */
  messageId: string;
  headers: { "X-Chain-Request-Id": string };
}

/**
 * Builds the mail of a confirmation: subject `Order <orderId> confirmed`, a plain-text body with the items
 * and the total, and the request_id in Message-ID and X-Chain-Request-Id.
 *
 * @example
 * ```ts
 * confirmationMessage({ requestId: "r1", orderId: "o-9", to: "u@x", amount: 2, items: [] }, "orders@x").messageId;
 * // "<r1@chain>"
 * ```
 */
export function confirmationMessage(c: Confirmation, from: string): ConfirmationMessage {
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

/** How long {@link SmtpMailer} waits for a connection, the greeting and any reply (nodemailer's timeouts). */
export const smtpTimeouts = { connectionMs: 10_000, greetingMs: 10_000, socketMs: 20_000 } as const;

/**
 * At most this many SMTP connections are open at once. service-2 fulfils up to 32 orders of a batch at once;
 * with 4 connections the mail was its bottleneck in the benchmark (docs/benchmarks.md).
 */
export const smtpMaxConnections = 16;

/** Messages sent over one pooled connection before nodemailer opens a fresh one (its default is 100). */
export const smtpMessagesPerConnection = 10_000;

/** TLS and AUTH of the SMTP connection besides the URL (SMTP_STARTTLS, SMTP_USERNAME, SMTP_PASSWORD…). */
export interface SmtpMailerSecurity {
  starttls: "required" | "opportunistic" | "off";
  /** Holds a secret: never log it. */
  auth?: { user: string; pass: string };
  ca?: string;
}

/** Sends over a pool of at most {@link smtpMaxConnections} SMTP connections to the server `SMTP_URL` names. */
export class SmtpMailer implements Mailer {
  readonly #transport: Transporter;
  readonly #from: string;
  #closed = false;

  /**
   * `url` is one {@link parseSmtpUrl} accepted; the port defaults to 25 (smtp:) or 465 (smtps:). `security`:
   * STARTTLS on smtp:// (required, opportunistic: when offered, nodemailer's default; off), AUTH credentials
   * (else the URL's, if any) and the CA that signs the server's certificate (else the system's trust store).
   */
  constructor(options: { url: URL; from: string; security?: SmtpMailerSecurity }) {
    const { url } = options;
    const security = options.security ?? { starttls: "opportunistic" };
    this.#from = options.from;
    this.#transport = nodemailer.createTransport({
      pool: true,
      host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: url.port ? Number(url.port) : url.protocol === "smtps:" ? 465 : 25,
      secure: url.protocol === "smtps:",
      requireTLS: security.starttls === "required",
      ignoreTLS: security.starttls === "off",
      tls: { rejectUnauthorized: true, ...(security.ca !== undefined ? { ca: [security.ca] } : {}) },
      auth: security.auth ??
        (url.username
          ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
          : undefined),
      maxConnections: smtpMaxConnections,
      maxMessages: smtpMessagesPerConnection,
      connectionTimeout: smtpTimeouts.connectionMs,
      greetingTimeout: smtpTimeouts.greetingMs,
      socketTimeout: smtpTimeouts.socketMs,
      logger: false,
    });
  }

  async sendConfirmation(c: Confirmation): Promise<void> {
    if (this.#closed) throw new SmtpSendError(c.requestId, "the mailer is closed", { retriable: false });
    try {
      await this.#transport.sendMail(confirmationMessage(c, this.#from));
    } catch (error) {
      const failure = error as { code?: unknown; responseCode?: unknown };
      const code = typeof failure.code === "string" ? failure.code : undefined;
      const responseCode = typeof failure.responseCode === "number" ? failure.responseCode : undefined;
      // nodemailer's message can quote the recipient's address (plaintext of the order): only its code and the
      // server's reply code are kept.
      const reason = [code ?? "send error", responseCode === undefined ? "" : `reply ${responseCode}`]
        .filter((part) => part !== "").join(", ");
      throw new SmtpSendError(c.requestId, reason, {
        retriable: isRetriableSmtpFailure({ code, responseCode }),
        code,
        responseCode,
      });
    }
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#transport.close();
    return Promise.resolve();
  }
}
