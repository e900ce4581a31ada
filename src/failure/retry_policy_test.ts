import assert from "node:assert/strict";
import { isRetriable, retriability } from "./retry_policy.ts";
import { PayloadError } from "./payload_error.ts";
import { MailSendError } from "../fulfilment/mailer.ts";

Deno.test("retriability() reads the retriable flag of chain's errors", () => {
  assert.equal(retriability(new PayloadError("not an order")), "permanent");
  assert.equal(retriability(new MailSendError("id", "550", false)), "permanent");
  assert.equal(retriability(new MailSendError("id", "timeout", true)), "retriable");
});

Deno.test("retriability() finds the flag on a cause when the error itself has none", () => {
  const wrapped = new Error("batch failed", { cause: new Error("send", { cause: new PayloadError("bad") }) });
  assert.equal(retriability(wrapped), "permanent");
  assert.equal(retriability(new Error("plain")), "unknown");
  assert.equal(retriability("a string"), "unknown");
});

Deno.test("retriability() takes Cassandra's request errors as permanent and its availability errors as not", () => {
  const reply = (code: number) => Object.assign(new Error("reply"), { name: "ResponseError", code });
  assert.equal(retriability(reply(0x2200)), "permanent", "invalid");
  assert.equal(retriability(reply(0x2000)), "permanent", "syntax");
  assert.equal(
    retriability(new Error("write", { cause: reply(0x2100) })),
    "permanent",
    "unauthorized, as a cause",
  );
  assert.equal(retriability(reply(0x1100)), "unknown", "write timeout");
  assert.equal(retriability(reply(0x1000)), "unknown", "unavailable");
  const noHost = Object.assign(new Error("All host(s) tried"), { name: "NoHostAvailableError" });
  assert.equal(retriability(noHost), "unknown");
});

Deno.test("isRetriable() retries all but what is known to be permanent", () => {
  assert.equal(isRetriable(new Error("who knows")), true);
  assert.equal(isRetriable(new PayloadError("bad")), false);
});
