/**
 * service-2's orders and inventory, stored so that every step of a fulfilment is done once even when a message
 * is delivered again: the order row is keyed by request_id, each step stamps a column, and stock is a ledger
 * keyed by (sku, request_id).
 *
 * @module
 */
import cassandra from "cassandra-driver";

/** An order as service-2 saves it. */
export interface SavedOrder {
  requestId: string;
  orderId: string;
  userId: string;
  email: string;
  amount: number;
  items: { sku: string; quantity: number; price: number }[];
  status: "fulfilled" | "rejected";
  reason?: string;
  processedBy: string;
  validatedAt: Date;
}

/** Which fulfilment steps are done for a request. */
export interface FulfillmentState {
  saved: boolean;
  emailed: boolean;
  stockTaken: boolean;
}

/** What service-2 needs from storage. */
export interface OrderStore {
  state(requestId: string): Promise<FulfillmentState>;
  /** Upserts by request_id: saving twice leaves one row. */
  save(order: SavedOrder): Promise<void>;
  markEmailed(requestId: string): Promise<void>;
  /** Records one ledger row per item (an upsert), then stamps the order; repeating it takes nothing more. */
  takeStock(requestId: string, items: readonly { sku: string; quantity: number }[]): Promise<void>;
  /** Initial stock minus everything taken. */
  stockLevel(sku: string): Promise<number>;
  seedInventory(stock: Record<string, number>): Promise<void>;
}

/** {@link OrderStore} in Cassandra, with LOCAL_QUORUM reads and writes. */
export class CassandraOrderStore implements OrderStore {
  readonly #client: cassandra.Client;
  readonly #ks: string;
  readonly #options = { prepare: true, consistency: cassandra.types.consistencies.localQuorum };

  constructor(client: cassandra.Client, keyspace: string) {
    this.#client = client;
    this.#ks = keyspace;
  }

  async state(requestId: string): Promise<FulfillmentState> {
    const row = (await this.#client.execute(
      `SELECT saved_at, emailed_at, stock_taken_at FROM ${this.#ks}.orders WHERE request_id = ?`,
      [requestId],
      this.#options,
    )).first();
    return {
      saved: row?.get("saved_at") != null,
      emailed: row?.get("emailed_at") != null,
      stockTaken: row?.get("stock_taken_at") != null,
    };
  }

  async save(o: SavedOrder): Promise<void> {
    await this.#client.execute(
      `INSERT INTO ${this.#ks}.orders (request_id, order_id, user_id, email, amount, items, status, reason,
        processed_by, validated_at, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
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
      ],
      this.#options,
    );
  }

  async markEmailed(requestId: string): Promise<void> {
    await this.#client.execute(
      `UPDATE ${this.#ks}.orders SET emailed_at = ? WHERE request_id = ?`,
      [new Date(), requestId],
      this.#options,
    );
  }

  async takeStock(requestId: string, items: readonly { sku: string; quantity: number }[]): Promise<void> {
    const now = new Date();
    const perSku = new Map<string, number>();
    for (const item of items) perSku.set(item.sku, (perSku.get(item.sku) ?? 0) + item.quantity);
    await Promise.all([...perSku].map(([sku, quantity]) =>
      this.#client.execute(
        `INSERT INTO ${this.#ks}.inventory_movements (sku, request_id, quantity, moved_at) VALUES (?, ?, ?, ?)`,
        [sku, requestId, quantity, now],
        this.#options,
      )
    ));
    await this.#client.execute(
      `UPDATE ${this.#ks}.orders SET stock_taken_at = ? WHERE request_id = ?`,
      [now, requestId],
      this.#options,
    );
  }

  async stockLevel(sku: string): Promise<number> {
    const initial = (await this.#client.execute(
      `SELECT initial_stock FROM ${this.#ks}.inventory WHERE sku = ?`,
      [sku],
      this.#options,
    )).first()?.get("initial_stock") ?? 0;
    const taken = (await this.#client.execute(
      `SELECT SUM(quantity) AS taken FROM ${this.#ks}.inventory_movements WHERE sku = ?`,
      [sku],
      this.#options,
    )).first()?.get("taken") ?? 0;
    return Number(initial) - Number(taken);
  }

  async seedInventory(stock: Record<string, number>): Promise<void> {
    await Promise.all(
      Object.entries(stock).map(([sku, n]) =>
        this.#client.execute(
          `INSERT INTO ${this.#ks}.inventory (sku, initial_stock) VALUES (?, ?)`,
          [sku, n],
          this.#options,
        )
      ),
    );
  }
}
