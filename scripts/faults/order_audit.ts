/**
 * The end-of-scenario check of every published order, in Cassandra and in the SMTP sink: stored once with
 * status fulfilled or rejected, stock taken once per (sku, request_id) and only for fulfilled orders, confirmation
 * mails counted (duplicates reported), and the command center's metadata rows (two hops per order).
 *
 * @module
 */
import type cassandra from "cassandra-driver";
import type { ChainRun } from "./chain_run.ts";

/** What the audit found. */
export interface AuditResult {
  published: number;
  /** Published orders stored as fulfilled or rejected. */
  completed: number;
  /** Published orders not stored as fulfilled or rejected. */
  lost: number;
  fulfilled: number;
  rejected: number;
  /** Mails beyond the first per request_id. */
  duplicateMails: number;
  /** Fulfilled orders with no mail. */
  missingMails: number;
  /** Movements taking more than the order's quantity, or stock taken for an order that is not fulfilled. */
  duplicateStock: number;
  /** Fulfilled orders whose stock was not (fully) taken. */
  missingStock: number;
  /** Metadata rows short of two per order. */
  missingMetadata: number;
  /** Rows in orders whose request_id nobody published (there should be none). */
  unknownOrders: number;
}

interface Item {
  sku: string;
  quantity: number;
}

/**
 * How long the audit waits for the command center's metadata rows: they are written after the orders (a row
 * waits in the buffer while Cassandra is away, then for the buffer's backoff, up to 5 s, and for requests sent
 * during an outage to time out, 12 s), so a row not there at the first look may still come; the guarantee is
 * that it does, not when.
 */
const METADATA_SETTLE_MS = 30_000;

/** Metadata rows short of two per order, looked for again each second until none is short or the wait is over. */
async function metadataShortfall(
  db: cassandra.Client,
  ks: string,
  published: string[],
  options: cassandra.QueryOptions,
): Promise<number> {
  const deadline = Date.now() + METADATA_SETTLE_MS;
  let short = published;
  for (;;) {
    const missing = new Map<string, number>();
    await forEachLimited(short, 32, async (id) => {
      const row = (await db.execute(
        `SELECT COUNT(*) AS n FROM ${ks}.routing_metadata WHERE request_id = ?`,
        [id],
        options,
      )).first();
      const n = Math.max(0, 2 - Number(row?.get("n") ?? 0));
      if (n > 0) missing.set(id, n);
    });
    short = [...missing.keys()];
    if (short.length === 0 || Date.now() >= deadline) return [...missing.values()].reduce((a, n) => a + n, 0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

/** Every row of `query`, page by page. */
export async function allRows(db: cassandra.Client, query: string): Promise<cassandra.types.Row[]> {
  const rows: cassandra.types.Row[] = [];
  let pageState: string | undefined;
  do {
    const result = await db.execute(query, [], {
      readTimeout: 30_000,
      fetchSize: 5_000,
      prepare: true,
      pageState,
    });
    rows.push(...result.rows);
    pageState = result.pageState ?? undefined;
  } while (pageState);
  return rows;
}

/** Checks every order of `published` (request_ids) in the run's keyspace and the run's SMTP sink. */
export async function auditOrders(run: ChainRun, published: string[]): Promise<AuditResult> {
  const db = run.cassandra;
  const ks = run.keyspace;
  const ids = new Set(published);
  const options = { readTimeout: 30_000, prepare: true };

  const status = new Map<string, string>();
  const items = new Map<string, Map<string, number>>();
  let unknownOrders = 0;
  for (const row of await allRows(db, `SELECT request_id, status, items FROM ${ks}.orders`)) {
    const id = String(row.get("request_id"));
    if (!ids.has(id)) unknownOrders++;
    status.set(id, String(row.get("status")));
    const perSku = new Map<string, number>();
    try {
      for (const item of JSON.parse(String(row.get("items"))) as Item[]) {
        perSku.set(item.sku, (perSku.get(item.sku) ?? 0) + item.quantity);
      }
    } catch {
      // Not JSON: stock cannot be checked for it; it shows as missing stock.
    }
    items.set(id, perSku);
  }
  const done = published.filter((id) => ["fulfilled", "rejected"].includes(status.get(id) ?? ""));
  const fulfilled = done.filter((id) => status.get(id) === "fulfilled");

  const taken = new Map<string, Map<string, number>>();
  for (const row of await allRows(db, `SELECT sku, request_id, quantity FROM ${ks}.inventory_movements`)) {
    const id = String(row.get("request_id"));
    const perSku = taken.get(id) ?? new Map<string, number>();
    perSku.set(String(row.get("sku")), Number(row.get("quantity")));
    taken.set(id, perSku);
  }
  let duplicateStock = 0;
  let missingStock = 0;
  for (const [id, perSku] of taken) {
    const expected = status.get(id) === "fulfilled" ? items.get(id) : undefined;
    for (const [sku, quantity] of perSku) if (quantity > (expected?.get(sku) ?? 0)) duplicateStock++;
  }
  for (const id of fulfilled) {
    const got = taken.get(id);
    for (const [sku, quantity] of items.get(id) ?? []) if ((got?.get(sku) ?? 0) < quantity) missingStock++;
    if ((items.get(id)?.size ?? 0) === 0) missingStock++;
  }

  const mails = new Map<string, number>();
  for (const mail of run.smtp.messages()) {
    const id = mail.requestId ?? "";
    mails.set(id, (mails.get(id) ?? 0) + 1);
  }
  let duplicateMails = 0;
  for (const [id, count] of mails) if (ids.has(id)) duplicateMails += count - 1;
  const missingMails = fulfilled.filter((id) => !mails.has(id)).length;

  const missingMetadata = await metadataShortfall(db, ks, published, options);

  return {
    published: published.length,
    completed: done.length,
    lost: published.length - done.length,
    fulfilled: fulfilled.length,
    rejected: done.length - fulfilled.length,
    duplicateMails,
    missingMails,
    duplicateStock,
    missingStock,
    missingMetadata,
    unknownOrders,
  };
}
