import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { murmur2 as libraryMurmur2 } from "@platformatic/kafka";
import { Partitioners } from "kafkajs";
import { keyPartition, murmur2 } from "./platformatic_record_sink.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("murmur2 gives the Java client's hashes (Kafka's UtilsTest vectors)", () => {
  const vectors: [string, number][] = [
    ["21", -973932308],
    ["foobar", -790332482],
    ["a-little-bit-long-string", -985981536],
    ["a-little-bit-longer-string", -1486304829],
    ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
    ["abc", 479470107],
  ];
  for (const [text, hash] of vectors) assert.equal(murmur2(bytes(text)), hash, text);
});

Deno.test("murmur2 agrees with @platformatic/kafka's, and keyPartition with kafkajs's DefaultPartitioner", () => {
  const partitioner = Partitioners.DefaultPartitioner();
  for (const count of [1, 2, 3, 5, 12]) {
    const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
      partitionId,
      leader: 1,
      partitionErrorCode: 0,
      replicas: [1],
      isr: [1],
    }));
    for (let i = 0; i < 500; i++) {
      const key = crypto.getRandomValues(new Uint8Array(i % 41));
      assert.equal(murmur2(key), libraryMurmur2(Buffer.from(key)));
      const expected = partitioner({
        topic: "t",
        partitionMetadata,
        message: { key: Buffer.from(key), value: "" },
      });
      assert.equal(
        keyPartition(key) % count,
        expected,
        `key ${i} of ${key.length} bytes, ${count} partitions`,
      );
    }
  }
});
