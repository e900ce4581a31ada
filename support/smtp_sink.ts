/**
 * A real SMTP server on loopback (the smtp-server package) that keeps what it receives: the tests and
 * `deno task start` point service-2's `SMTP_URL` at it. No TLS, no AUTH unless told (`tls`, `auth`).
 *
 * In-process: `const sink = await startSmtpSink(); … sink.messages(); await sink.close();`.
 *
 * As its own process, appending one JSON line per received mail to FILE and printing its URL on stdout:
 *
 * ```sh
 * deno run --allow-net --allow-write tests/support/smtp_sink.ts --port 2525 --out .local/mails.jsonl
 * # {"requestId":"550e…","messageId":"<550e…@chain>","to":["u-1@example.com"],"subject":"Order o-1 confirmed"}
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { SMTPServer } from "smtp-server";

/** One received mail. */
export interface ReceivedMail {
  /** The envelope sender (MAIL FROM). */
  from: string;
  /** The envelope recipients (RCPT TO). */
  to: string[];
  /** The `Message-ID` header, angle brackets included. */
  messageId?: string;
  /** The `X-Chain-Request-Id` header. */
  requestId?: string;
  /** The `Subject` header as sent (not decoded if it was MIME-encoded). */
  subject?: string;
  /** The whole message, headers and body. */
  raw: string;
}

/** What {@link startSmtpSink} may be given; all optional. */
export interface SmtpSinkOptions {
  /** Port on 127.0.0.1; default 0, one the OS chooses. */
  port?: number;
  /** Awaited for each mail before the server acknowledges it; a rejection makes the server answer 451. */
  onMail?: (mail: ReceivedMail) => Promise<void> | void;
  /** An SMTP reply code (4xx or 5xx) to refuse every recipient with; default none, all are accepted. */
  refuseRecipientsWith?: number;
  /** Enables AUTH (PLAIN, LOGIN) and requires it: other credentials get 535, mail without AUTH 530. */
  auth?: { user: string; pass: string };
  /** Enables STARTTLS with this PEM key and certificate (AUTH is then accepted only after STARTTLS). */
  tls?: { key: string; cert: string };
}

/** A running sink. */
export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>`. */
  url: string;
  /** The mails received so far, in order. */
  messages(): ReceivedMail[];
  /** Stops listening; waits at most {@link sinkCloseTimeoutMs} for open connections. */
  close(): Promise<void>;
}

/** How long {@link SmtpSink.close} lets open connections finish before it drops them. */
export const sinkCloseTimeoutMs = 1_000;

/** The value of header `name` in `raw` (first occurrence, folded lines joined), or undefined. */
function headerValue(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, " ");
  const prefix = `${name.toLowerCase()}:`;
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(prefix));
  return line?.slice(prefix.length).trim();
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Starts a sink on 127.0.0.1 (port 0, OS-chosen, unless told); no TLS, no auth. */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`SMTP sink port must be 0-65535, got ${port}`);
  }
  const refusal = options.refuseRecipientsWith;
  if (refusal !== undefined && !(Number.isInteger(refusal) && refusal >= 400 && refusal < 600)) {
    throw new RangeError(`SMTP sink refusal code must be 400-599, got ${refusal}`);
  }
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    name: "chain-smtp-sink", // else os.hostname(), which needs --allow-sys
    disabledCommands: [...(options.tls ? [] : ["STARTTLS"]), ...(options.auth ? [] : ["AUTH"])],
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    authOptional: options.auth === undefined,
    // Without TLS, AUTH is offered on the plain connection (a test of the client's own refusal to use it).
    allowInsecureAuth: options.tls === undefined,
    authMethods: ["PLAIN", "LOGIN"],
    onAuth(auth, _session, callback) {
      const expected = options.auth;
      if (expected && auth.username === expected.user && auth.password === expected.pass) {
        return callback(null, { user: auth.username });
      }
      callback(Object.assign(new Error("Authentication credentials invalid"), { responseCode: 535 }));
    },
    disableReverseLookup: true,
    closeTimeout: sinkCloseTimeoutMs,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refusal === undefined) return callback();
      // Quotes the address, as real servers do ("550 5.1.1 <a@b>: Recipient address rejected").
      callback(Object.assign(new Error(`<${address.address}>: Recipient address rejected (sink told to)`), {
        responseCode: refusal,
      }));
    },
    onData(stream, session, callback) {
      const chunks: Uint8Array[] = [];
      stream.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      stream.on("error", (error: Error) => callback(error));
      stream.on("end", async () => {
        const raw = new TextDecoder().decode(concat(chunks));
        const mailFrom = session.envelope.mailFrom;
        const mail: ReceivedMail = {
          from: mailFrom ? mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          messageId: headerValue(raw, "Message-ID"),
          requestId: headerValue(raw, "X-Chain-Request-Id"),
          subject: headerValue(raw, "Subject"),
          raw,
        };
        try {
          await options.onMail?.(mail);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          return callback(
            Object.assign(new Error(`Sink could not keep the mail: ${reason}`), { responseCode: 451 }),
          );
        }
        received.push(mail);
        callback();
      });
    },
  });
  // smtp-server emits a connection's errors on the server (ECONNRESET when a client is killed mid-transaction,
  // as the fault suite and the end-to-end test do); without a listener that would end the host process. A sink
  // counts what it received, so a client that went away needs nothing more.
  server.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const address = server.server.address();
  if (address === null || typeof address === "string") throw new Error("SMTP sink has no TCP address");
  let closing: Promise<void> | undefined;
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    messages: () => [...received],
    close: () => closing ??= new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The line the sink process appends for one mail. */
export function mailLine(mail: ReceivedMail): string {
  return JSON.stringify({
    requestId: mail.requestId ?? null,
    messageId: mail.messageId ?? null,
    to: mail.to,
    subject: mail.subject ?? null,
  }) + "\n";
}

/**
 * Runs the sink as a process: `--port N` (default 0) and `--out FILE` (appended, one {@link mailLine} per mail,
 * written before the mail is acknowledged). Prints the URL on stdout, then runs until SIGINT or SIGTERM,
 * or until `signal` aborts.
 */
export async function runSmtpSinkProcess(args: string[], signal?: AbortSignal): Promise<void> {
  const { values } = parseArgs({ args, options: { port: { type: "string" }, out: { type: "string" } } });
  if (values.out === undefined || values.out === "") throw new TypeError("smtp_sink: --out FILE is required");
  const out = values.out;
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!/^\d+$/.test(values.port ?? "0") || port > 65535) {
    throw new RangeError(`smtp_sink: --port must be 0-65535, got ${values.port}`);
  }
  await Deno.writeTextFile(out, "", { append: true }); // fails now, not at the first mail, if it may not write
  let writes = Promise.resolve();
  const sink = await startSmtpSink({
    port,
    onMail: (mail) => writes = writes.then(() => Deno.writeTextFile(out, mailLine(mail), { append: true })),
  });
  console.log(sink.url);
  const stopped = Promise.withResolvers<void>();
  const stop = () => stopped.resolve();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  signal?.addEventListener("abort", stop, { once: true });
  if (signal?.aborted) stop();
  try {
    await stopped.promise;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, stop);
    signal?.removeEventListener("abort", stop);
    await sink.close();
  }
}

if (import.meta.main) {
  try {
    await runSmtpSinkProcess(Deno.args);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exitCode = 2;
  }
}
