/**
 * A real SMTP server on loopback (the smtp-server package) that keeps what it receives, for the tests and
 * `deno task start`: service-2 sends its confirmations to it over TCP.
 *
 * @module
 */
// @ts-types="@types/smtp-server"
import { SMTPServer } from "smtp-server";

/** One received mail. */
export interface ReceivedMail {
  to: string[];
  messageId?: string;
  requestId?: string;
  subject?: string;
  raw: string;
}

/** A running sink. */
export interface SmtpSink {
  url: string;
  messages(): ReceivedMail[];
  close(): Promise<void>;
}

function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0];
  const match = head.match(new RegExp(`^${name}:[ \\t]*(.*)$`, "im"));
  return match?.[1].trim();
}

/** Starts a sink on 127.0.0.1 with an OS-chosen port; no TLS, no auth. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Uint8Array[] = [];
      stream.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          messageId: header(raw, "Message-ID"),
          requestId: header(raw, "X-Chain-Request-Id"),
          subject: header(raw, "Subject"),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages: () => [...received],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
