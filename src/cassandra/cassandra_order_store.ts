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
  readonly #cql: Record<
    "state" | "save" | "markEmailed" | "move" | "markStockTaken",
    string
  >;
  readonly #options = {
    prepare: true,
    isIdempotent: true,
    consistency: cassandra.types.consistencies.localQuorum,
  };

  constructor(client: cassandra.Client, keyspace: string) {
    this.#client = client;
    this.#cql = {
      state: `SELECT saved_at, emailed_at, stock_taken_at FROM ${keyspace}.orders WHERE request_id = ?`,
      save:
        `INSERT INTO ${keyspace}.orders (request_id, order_id, user_id, email, amount, items, status, reason,
        processed_by, validated_at, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      markEmailed: `UPDATE ${keyspace}.orders SET emailed_at = ? WHERE request_id = ?`,
      move:
        `INSERT INTO ${keyspace}.inventory_movements (sku, request_id, quantity, moved_at) VALUES (?, ?, ?, ?)`,
      markStockTaken: `UPDATE ${keyspace}.orders SET stock_taken_at = ? WHERE request_id = ?`,
    };
  }

  async state(requestId: string): Promise<FulfillmentState> {
    const row = (await this.#client.execute(this.#cql.state, [requestId], this.#options)).first();
    return {
      saved: row?.get("saved_at") != null,
      emailed: row?.get("emailed_at") != null,
      stockTaken: row?.get("stock_taken_at") != null,
    };
  }

  async save(o: SavedOrder): Promise<void> {
    await this.#client.execute(this.#cql.save, [
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
      new Date(),
    ], this.#options);
  }

  async markEmailed(requestId: string): Promise<void> {
    await this.#client.execute(this.#cql.markEmailed, [new Date(), requestId], this.#options);
  }

  async takeStock(requestId: string, items: readonly { sku: string; quantity: number }[]): Promise<void> {
    const now = new Date();
    // Ledger rows first, the stamp only once they are stored. No logged batch is needed: rewriting a ledger row
    // changes nothing, so a crash in between is repaired by the replay. (A logged batch, tried first, cost
    // Cassandra a batchlog write and delete per order: CPU the benchmark showed the machine did not have.)
    await Promise.all(
      [...quantitiesPerSku(items)].map(([sku, quantity]) =>
        this.#client.execute(this.#cql.move, [sku, requestId, quantity, now], this.#options)
      ),
    );
    await this.#client.execute(this.#cql.markStockTaken, [now, requestId], this.#options);
  }
}
