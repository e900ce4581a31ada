/**
 * Malformed inbox messages of every kind the command center must dead-letter: random JSON, bytes that are not
 * UTF-8 JSON, bad base64, a wrong IV or tag length, a missing or mistyped field, a request_id that is not a UUID.
 * Each is keyed `faults-malformed-<n>` so it can be found in the dead-letter topic.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** The key prefix of the suite's malformed messages. */
export const malformedKeyPrefix = "faults-malformed-";

const kinds = [
  "random_json",
  "not_json",
  "bad_base64",
  "wrong_iv_length",
  "wrong_tag_length",
  "missing_field",
  "wrong_type",
  "bad_request_id",
] as const;

/** One malformed message. */
export interface MalformedMessage {
  key: string;
  value: Buffer;
  kind: (typeof kinds)[number];
}

function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

function b64(n: number): string {
  return Buffer.from(randomBytes(n)).toString("base64");
}

function randomJson(depth = 0): unknown {
  const pick = Math.floor(Math.random() * (depth > 2 ? 4 : 6));
  switch (pick) {
    case 0:
      return Math.random() * 1e6;
    case 1:
      return b64(Math.floor(Math.random() * 30));
    case 2:
      return null;
    case 3:
      return Math.random() < 0.5;
    case 4:
      return Array.from({ length: Math.floor(Math.random() * 4) }, () => randomJson(depth + 1));
    default:
      return Object.fromEntries(
        Array.from(
          { length: Math.floor(Math.random() * 5) },
          (_, i) => [`k${i}${b64(3)}`, randomJson(depth + 1)],
        ),
      );
  }
}

function envelope(): Record<string, unknown> {
  return {
    request_id: crypto.randomUUID(),
    worker_name: "initial-publisher",
    data: b64(48),
    iv: b64(12),
    tag: b64(16),
  };
}

/** The `n`-th malformed message (kinds in turn). */
export function malformedMessage(n: number): MalformedMessage {
  const kind = kinds[n % kinds.length];
  const e = envelope();
  let value: Buffer;
  switch (kind) {
    case "random_json": {
      const v = randomJson();
      // A random object could by chance be no envelope at all; it never has all five string fields.
      value = Buffer.from(JSON.stringify(v === undefined ? null : v));
      break;
    }
    case "not_json":
      value = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(randomBytes(20 + (n % 50)))]);
      break;
    case "bad_base64":
      e.data = "!!not*base64" + String(n);
      value = Buffer.from(JSON.stringify(e));
      break;
    case "wrong_iv_length":
      e.iv = b64(8 + (n % 3));
      value = Buffer.from(JSON.stringify(e));
      break;
    case "wrong_tag_length":
      e.tag = b64(12);
      value = Buffer.from(JSON.stringify(e));
      break;
    case "missing_field": {
      const fields = ["request_id", "worker_name", "data", "iv", "tag"];
      delete e[fields[n % fields.length]];
      value = Buffer.from(JSON.stringify(e));
      break;
    }
    case "wrong_type":
      e.iv = 12345;
      value = Buffer.from(JSON.stringify(e));
      break;
    case "bad_request_id":
      e.request_id = `order-${n}`;
      value = Buffer.from(JSON.stringify(e));
      break;
  }
  return { key: `${malformedKeyPrefix}${n}`, value, kind };
}
