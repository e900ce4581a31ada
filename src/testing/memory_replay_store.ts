/**
 * An in-memory {@link ReplayStore} for unit tests of `chain dlq`: rows kept in a list, read by key.
 *
 * @module
 */
import type { ReplayStore } from "../dlq/dlq_command.ts";
import type { DlqReplayRow } from "../cassandra/dlq_replays.ts";

/** Keeps the rows written; can be told to fail the next write. */
export class MemoryReplayStore implements ReplayStore {
  readonly rows: DlqReplayRow[] = [];
  failNextWrite = false;

  read(keys: readonly string[]): Promise<DlqReplayRow[]> {
    const wanted = new Set(keys);
    return Promise.resolve(this.rows.filter((r) => wanted.has(r.key)));
  }

  write(rows: readonly DlqReplayRow[]): Promise<void> {
    if (this.failNextWrite) {
      this.failNextWrite = false;
      return Promise.reject(new Error("MemoryReplayStore: write failed (as told)"));
    }
    this.rows.push(...rows);
    return Promise.resolve();
  }
}
