import assert from "node:assert/strict";
import { backoffDelay, isRetriable, retriability, retryWhileRetriable } from "./retry_policy.ts";
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

/** `work` failing with each of `failures` in turn, then answering "done"; counts its calls. */
function failingWith(...failures: Error[]) {
  const work = () => {
    work.calls++;
    const failure = failures.shift();
    return failure ? Promise.reject(failure) : Promise.resolve("done");
  };
  work.calls = 0;
  return work;
}
const timeout = () => Object.assign(new Error("OperationTimedOutError"), { retriable: true });

Deno.test("retryWhileRetriable() tries again after retriable failures until the work succeeds", async () => {
  const work = failingWith(timeout(), timeout());
  assert.equal(await retryWhileRetriable(work, { maxMs: 5_000, minDelayMs: 1, maxDelayMs: 4 }), "done");
  assert.equal(work.calls, 3);
});

Deno.test("retryWhileRetriable() gives up at once on a permanent failure, and after its window", async () => {
  const permanent = new PayloadError("not an order");
  const once = failingWith(permanent, timeout());
  await assert.rejects(retryWhileRetriable(once, { maxMs: 5_000, minDelayMs: 1, maxDelayMs: 1 }), permanent);
  assert.equal(once.calls, 1);
  const always = failingWith(...Array.from({ length: 1000 }, timeout));
  await assert.rejects(
    retryWhileRetriable(always, { maxMs: 30, minDelayMs: 5, maxDelayMs: 5 }),
    /OperationTimedOutError/,
  );
  assert.ok(always.calls >= 2 && always.calls <= 8, `${always.calls} tries in 30 ms`);
});

Deno.test("retryWhileRetriable() stops waiting when its signal aborts", async () => {
  const controller = new AbortController();
  const always = failingWith(...Array.from({ length: 10 }, timeout));
  const started = performance.now();
  const tries = retryWhileRetriable(always, {
    maxMs: 60_000,
    minDelayMs: 10_000,
    maxDelayMs: 10_000,
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(tries, /OperationTimedOutError/);
  assert.equal(always.calls, 1);
  assert.ok(performance.now() - started < 5_000, "not after the 10 s wait");
});

Deno.test("retryWhileRetriable() with an unbounded window keeps trying until the work succeeds", async () => {
  const work = failingWith(...Array.from({ length: 200 }, timeout));
  assert.equal(await retryWhileRetriable(work, { maxMs: Infinity, minDelayMs: 0, maxDelayMs: 1 }), "done");
  assert.equal(work.calls, 201);
  const permanent = new PayloadError("not an order");
  const once = failingWith(timeout(), permanent);
  await assert.rejects(
    retryWhileRetriable(once, { maxMs: Infinity, minDelayMs: 1, maxDelayMs: 1 }),
    permanent,
  );
  assert.equal(once.calls, 2);
});

Deno.test("backoffDelay() starts at minMs, doubles per failure and stops at maxMs", () => {
  const backoff = { minMs: 100, maxMs: 1_000 };
  assert.deepEqual([1, 2, 3, 4, 5, 50].map((n) => backoffDelay(n, backoff)), [
    100,
    200,
    400,
    800,
    1_000,
    1_000,
  ]);
  assert.equal(backoffDelay(0, backoff), 100);
});
