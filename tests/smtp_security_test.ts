/**
 * service-2's SMTP security against the real local sink (smtp-server) with STARTTLS and AUTH on: the right
 * credentials deliver over STARTTLS, a wrong password or an untrusted certificate fails permanently with a
 * message that names neither the password nor the mail, and `SMTP_STARTTLS=required` refuses a server without it.
 */
import assert from "node:assert/strict";
import type { Confirmation } from "../src/fulfilment/mailer.ts";
import { SmtpMailer, SmtpSendError } from "../src/smtp/smtp_mailer.ts";
import { startSmtpSink } from "../support/smtp_sink.ts";

const from = "orders@chain.example";
const user = "chain-mailer";
const pass = "s3cret-" + crypto.randomUUID();

async function openssl(args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
}

/** A CA and a certificate for 127.0.0.1 it signs, made with openssl in a temporary folder. */
async function certificates(): Promise<{ ca: string; key: string; cert: string; otherCa: string }> {
  const d = await Deno.makeTempDir();
  const ca = (name: string) =>
    openssl([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
      "-keyout",
      `${d}/${name}.key`,
      "-out",
      `${d}/${name}.pem`,
    ]);
  await ca("ca");
  await ca("other");
  await openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=localhost",
    "-keyout",
    `${d}/s.key`,
    "-out",
    `${d}/s.csr`,
  ]);
  await Deno.writeTextFile(
    `${d}/s.ext`,
    "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
  );
  await openssl([
    "x509",
    "-req",
    "-days",
    "2",
    "-in",
    `${d}/s.csr`,
    "-CA",
    `${d}/ca.pem`,
    "-CAkey",
    `${d}/ca.key`,
    "-CAcreateserial",
    "-extfile",
    `${d}/s.ext`,
    "-out",
    `${d}/s.pem`,
  ]);
  const read = (f: string) => Deno.readTextFile(`${d}/${f}`);
  const result = {
    ca: await read("ca.pem"),
    key: await read("s.key"),
    cert: await read("s.pem"),
    otherCa: await read("other.pem"),
  };
  await Deno.remove(d, { recursive: true });
  return result;
}

const certs = await certificates();

function confirmation(): Confirmation {
  const requestId = crypto.randomUUID();
  return {
    requestId,
    orderId: "o-1",
    to: "buyer@example.com",
    amount: 5,
    items: [{ sku: "s", quantity: 1, price: 5 }],
  };
}

async function sendFails(mailer: SmtpMailer): Promise<SmtpSendError> {
  try {
    await mailer.sendConfirmation(confirmation());
  } catch (error) {
    assert.ok(error instanceof SmtpSendError, String(error));
    return error;
  } finally {
    await mailer.close();
  }
  throw new Error("the send did not fail");
}

Deno.test("SMTP over required STARTTLS with AUTH delivers to the sink with auth on", async () => {
  const sink = await startSmtpSink({ auth: { user, pass }, tls: { key: certs.key, cert: certs.cert } });
  const mailer = new SmtpMailer({
    url: new URL(sink.url),
    from,
    security: { starttls: "required", auth: { user, pass }, ca: certs.ca },
  });
  try {
    const c = confirmation();
    await mailer.sendConfirmation(c);
    assert.deepEqual(sink.messages().map((m) => m.requestId), [c.requestId]);
  } finally {
    await mailer.close();
    await sink.close();
  }
});

Deno.test("a wrong SMTP password fails permanently (535) and the error does not quote it", async () => {
  const sink = await startSmtpSink({ auth: { user, pass }, tls: { key: certs.key, cert: certs.cert } });
  const wrong = "wrong-" + crypto.randomUUID();
  try {
    const error = await sendFails(
      new SmtpMailer({
        url: new URL(sink.url),
        from,
        security: { starttls: "required", auth: { user, pass: wrong }, ca: certs.ca },
      }),
    );
    assert.equal(error.retriable, false);
    assert.equal(error.responseCode, 535);
    assert.ok(!error.message.includes(wrong) && !error.message.includes(pass));
    assert.equal(sink.messages().length, 0);
  } finally {
    await sink.close();
  }
});

Deno.test("an SMTP server whose certificate the CA did not sign is refused", async () => {
  const sink = await startSmtpSink({ auth: { user, pass }, tls: { key: certs.key, cert: certs.cert } });
  try {
    const error = await sendFails(
      new SmtpMailer({
        url: new URL(sink.url),
        from,
        security: { starttls: "required", auth: { user, pass }, ca: certs.otherCa },
      }),
    );
    assert.ok(!error.message.includes(pass));
    assert.equal(sink.messages().length, 0);
  } finally {
    await sink.close();
  }
});

Deno.test("SMTP_STARTTLS=required refuses a server that does not offer STARTTLS, before AUTH", async () => {
  const sink = await startSmtpSink({ auth: { user, pass } });
  try {
    const error = await sendFails(
      new SmtpMailer({
        url: new URL(sink.url),
        from,
        security: { starttls: "required", auth: { user, pass } },
      }),
    );
    assert.ok(!error.message.includes(pass));
    assert.equal(sink.messages().length, 0);
  } finally {
    await sink.close();
  }
});

Deno.test("the sink with auth on refuses mail from a client that does not log in", async () => {
  const sink = await startSmtpSink({ auth: { user, pass } });
  try {
    const error = await sendFails(
      new SmtpMailer({ url: new URL(sink.url), from, security: { starttls: "off" } }),
    );
    assert.equal(error.responseCode, 530);
    assert.equal(sink.messages().length, 0);
  } finally {
    await sink.close();
  }
});
