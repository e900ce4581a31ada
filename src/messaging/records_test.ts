import { recordsContract } from "./records_contract.ts";
import { MemorySink, MemorySource } from "../testing/memory_kafka.ts";

recordsContract("MemorySink and MemorySource", () => {
  const topic = "contract";
  const sink = new MemorySink();
  const source = new MemorySource();
  const next = new Map<number, number>();
  return Promise.resolve({
    topic,
    sink,
    source,
    probe: {
      produce(partition, records) {
        const first = next.get(partition) ?? 0;
        next.set(partition, first + records.length);
        const encode = (v: string | null) => v === null ? null : new TextEncoder().encode(v);
        source.push(
          topic,
          partition,
          records.map((r, i) => ({
            offset: String(first + i),
            key: encode(r.key),
            value: encode(r.value),
            headers: { ...r.headers },
            timestamp: Date.now(),
          })),
        );
        return Promise.resolve();
      },
      read: () => Promise.resolve(sink.records(topic)),
      committed() {
        const out: Record<number, string> = {};
        for (const batch of source.committed) {
          const last = batch.records.at(-1);
          if (last) out[batch.partition] = String(Number(last.offset) + 1);
        }
        return Promise.resolve(out);
      },
    },
    cleanup: () => Promise.resolve(),
  });
});
