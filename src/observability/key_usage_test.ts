import assert from "node:assert/strict";
import pino from "pino";
import { reportKeyUsage } from "./key_usage.ts";
import { ChainMetrics } from "./chain_metrics.ts";
import { Keyring } from "../envelope/keyring.ts";
import { parseKey } from "../envelope/aes_gcm.ts";

Deno.test("reportKeyUsage() warns at each threshold and exposes chain_key_encryptions_total{key_id}", async () => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const ring = new Keyring(
    new Map([["A", await parseKey("1".repeat(64))], ["B", await parseKey("2".repeat(64))]]),
    "B",
    {
      first: 2,
      step: 2,
    },
  );
  const metrics = new ChainMetrics();
  reportKeyUsage(ring, logger, metrics);
  for (let i = 0; i < 5; i++) ring.sealingKey();
  assert.deepEqual(lines.map((l) => [l.key_id, l.encryptions]), [["B", 2], ["B", 4]]);
  assert.match(
    String(lines[0].msg),
    /key "B" has sealed 2 envelopes in this process.*NIST SP 800-38D.*rotate/,
  );
  assert.match(await metrics.text(), /^chain_key_encryptions_total\{key_id="B"\} 5$/m);
  assert.doesNotMatch(await metrics.text(), /key_id="A"/, "a decrypt-only key seals nothing");
});
