/**
 * service-2's orders and inventory, stored so that every fulfilment step is done once even when a message is
 * delivered again: the order row is keyed by request_id, each step stamps its own column, and stock is a ledger
 * keyed by (sku, request_id), so writing the same movement again changes nothing.
 *
 * @module
 */
import cassandra from "cassandra-driver";
import {
  type FulfillmentState,
  type OrderStore,
  quantitiesPerSku,
  type SavedOrder,
} from "../fulfilment/order_store.ts";

/**
 * {@link OrderStore} in Cassandra: prepared statements at LOCAL_QUORUM, marked idempotent so the driver may retry
 * them. Tables as in `schema.ts`: `orders`, `inventory`, `inventory_movements`.
 */
export class CassandraOrderStore implements OrderStore {
  readonly #client: cassandra.Client;
  readonly #cql: Record<"states" | "save" | "saveTakingStock" | "markEmailed" | "move", string>;
  readonly #options = {
    prepare: true,
    isIdempotent: true,
    consistency: cassandra.types.consistencies.localQuorum,
  };

  constructor(client: cassandra.Client, keyspace: string) {
    this.#client = client;
    this.#cql = {
      states: `SELECT request_id, saved_at, emailed_at, stock_taken_at FROM ${keyspace}.orders
        WHERE request_id IN ?`,
      save: `INSERT INTO ${keyspace}.orders (${orderColumns}) VALUES (${marks(orderColumns)})`,
      saveTakingStock: `INSERT INTO ${keyspace}.orders (${orderColumns}, stock_taken_at)
        VALUES (${marks(orderColumns)}, ?)`,
      markEmailed: `UPDATE ${keyspace}.orders SET emailed_at = ? WHERE request_id IN ?`,
      move:
        `INSERT INTO ${keyspace}.inventory_movements (sku, request_id, quantity, moved_at) VALUES (?, ?, ?, ?)`,
    };
  }

  /** One query per {@link requestsPerQuery} requests, all at once. */
  async states(requestIds: readonly string[]): Promise<Map<string, FulfillmentState>> {
    const states = new Map<string, FulfillmentState>();
    const none = { saved: false, emailed: false, stockTaken: false };
    for (const id of requestIds) states.set(id, none);
    const results = await Promise.all(
      chunks(requestIds, requestsPerQuery).map((ids) =>
        this.#client.execute(this.#cql.states, [ids], this.#options)
      ),
    );
    for (const result of results) {
      for (const row of result.rows) {
        states.set(row.get("request_id").toString(), {
          saved: row.get("saved_at") != null,
          emailed: row.get("emailed_at") != null,
          stockTaken: row.get("stock_taken_at") != null,
        });
      }
    }
    return states;
  }

  async save(o: SavedOrder): Promise<void> {
    await this.#client.execute(this.#cql.save, this.#orderParams(o, new Date()), this.#options);
  }

  /**
   * The order row (with `stock_taken_at`) and one ledger row per sku in one unlogged batch: one request, no
   * batchlog. The rows are in different partitions, so the batch is not atomic; a retry rewrites all of them,
   * which changes nothing that was already written. (A logged batch, tried first, cost Cassandra a batchlog
   * write and delete per order: CPU the benchmark showed the machine did not have.)
   */
  async saveAndTakeStock(o: SavedOrder): Promise<void> {
    const now = new Date();
    await this.#client.batch([
      { query: this.#cql.saveTakingStock, params: [...this.#orderParams(o, now), now] },
      ...[...quantitiesPerSku(o.items)].map(([sku, quantity]) => ({
        query: this.#cql.move,
        params: [sku, o.requestId, quantity, now],
      })),
    ], { ...this.#options, logged: false });
  }

  /** One UPDATE per {@link requestsPerQuery} requests, all at once. */
  async markEmailed(requestIds: readonly string[]): Promise<void> {
    const now = new Date();
    await Promise.all(
      chunks(requestIds, requestsPerQuery).map((ids) =>
        this.#client.execute(this.#cql.markEmailed, [now, ids], this.#options)
      ),
    );
  }

  #orderParams(o: SavedOrder, savedAt: Date): unknown[] {
    return [
      o.requestId,
      o.orderId,
      o.userId,
      o.email,
      o.amount,
      JSON.stringify(o.items),
      o.status,
      o.reason ?? null,
      o.processedBy,
      Number.isNaN(o.validatedAt.getTime()) ? null : o.validatedAt,
      savedAt,
    ];
  }
}

const orderColumns =
  "request_id, order_id, user_id, email, amount, items, status, reason, processed_by, validated_at, saved_at";

/** `?, ?, …`: one bind marker per column of `columns`. */
function marks(columns: string): string {
  return columns.split(",").map(() => "?").join(", ");
}

/**
 * Requests per `IN` query. Cassandra reads or writes each partition of an `IN` list; a hundred keeps one query
 * well under its timeouts and its coordinator's memory, and a batch of orders in one or a few queries.
 */
export const requestsPerQuery = 100;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
