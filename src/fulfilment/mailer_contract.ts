/**
 * One test suite for every {@link Mailer}: the recording fake (src/testing/recording_mailer.ts) and the SMTP
 * mailer must behave alike, as service-2 and the retry policy rely on them. Each case makes its own mailer (for
 * SMTP: its own server) and cleans it up.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Confirmation, type Mailer, MailSendError } from "./mailer.ts";

/** How the mail system behind the mailer answers: takes every mail, or refuses each one. */
export type MailServerMode = "accepting" | "refusing permanently" | "refusing for now";

/** How a contract case sees what reached the mail system: outside the port. */
export interface MailboxProbe {
  /** The mails received so far, in order: the request id they carry and their recipients. */
  received(): Promise<{ requestId: string | undefined; to: string[] }[]>;
}

/** What a contract case needs: a mailer over a mail system answering as `mode` says, a probe, a cleanup. */
export interface MailerUnderTest {
  mailer: Mailer;
  probe: MailboxProbe;
  cleanup(): Promise<void>;
}

/** A confirmation for `requestId` to `to`. */
export function sampleConfirmation(requestId: string, to = "buyer@example.com"): Confirmation {
  return {
    requestId,
    orderId: `o-${requestId.slice(0, 8)}`,
    to,
    amount: 20,
    items: [{ sku: "sku-secret-item", quantity: 2, price: 10 }],
  };
}

/** The rejection of `send`, checked to be a MailSendError for `requestId` that tells nothing of the body. */
async function sendError(send: Promise<void>, requestId: string): Promise<MailSendError> {
  const error = await send.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof MailSendError, `rejects with a MailSendError, got ${error}`);
  assert.equal(error.requestId, requestId);
  assert.ok(error.message.includes(requestId), `the message names the request: ${error.message}`);
  assert.ok(!error.message.includes("sku-secret-item"), "no mail body in the error");
  return error;
}

/** Registers the contract's Deno.test cases, named `<name>: …`, for the mailers `make` returns. */
export function mailerContract(name: string, make: (mode: MailServerMode) => Promise<MailerUnderTest>): void {
  const test = (
    behaviour: string,
    mode: MailServerMode,
    fn: (mailer: Mailer, probe: MailboxProbe) => Promise<void>,
  ) =>
    Deno.test({
      name: `${name}: ${behaviour}`,
      async fn() {
        const { mailer, probe, cleanup } = await make(mode);
        try {
          await fn(mailer, probe);
        } finally {
          await cleanup();
        }
      },
    });

  test("a sent confirmation reaches its recipient carrying its request id, in order", "accepting", async (
    mailer,
    probe,
  ) => {
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    await mailer.sendConfirmation(sampleConfirmation(ids[0], "first@example.com"));
    await mailer.sendConfirmation(sampleConfirmation(ids[1], "second@example.com"));
    assert.deepEqual(await probe.received(), [
      { requestId: ids[0], to: ["first@example.com"] },
      { requestId: ids[1], to: ["second@example.com"] },
    ]);
  });

  test("the same confirmation sent twice arrives twice with the same request id", "accepting", async (
    mailer,
    probe,
  ) => {
    const id = crypto.randomUUID();
    await mailer.sendConfirmation(sampleConfirmation(id));
    await mailer.sendConfirmation(sampleConfirmation(id));
    assert.deepEqual((await probe.received()).map((m) => m.requestId), [id, id]);
  });

  test(
    "a permanent refusal rejects with a MailSendError that is not retriable",
    "refusing permanently",
    async (
      mailer,
      probe,
    ) => {
      const id = crypto.randomUUID();
      const error = await sendError(mailer.sendConfirmation(sampleConfirmation(id)), id);
      assert.equal(error.retriable, false);
      assert.deepEqual(await probe.received(), []);
    },
  );

  test("a refusal for now rejects with a MailSendError that is retriable", "refusing for now", async (
    mailer,
    probe,
  ) => {
    const id = crypto.randomUUID();
    const error = await sendError(mailer.sendConfirmation(sampleConfirmation(id)), id);
    assert.equal(error.retriable, true);
    assert.deepEqual(await probe.received(), []);
  });

  test("a send after close() rejects with a MailSendError that is not retriable", "accepting", async (
    mailer,
    probe,
  ) => {
    await mailer.close();
    const id = crypto.randomUUID();
    const error = await sendError(mailer.sendConfirmation(sampleConfirmation(id)), id);
    assert.equal(error.retriable, false);
    assert.deepEqual(await probe.received(), []);
  });
}
