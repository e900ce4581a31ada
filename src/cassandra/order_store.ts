/**
 * service-2's orders and inventory, stored so that every fulfilment step is done once even when a message is
 * delivered again: the order row is keyed by request_id, each step stamps its own column, and stock is a ledger
 * keyed by (sku, request_id), so writing the same movement again changes nothing.
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
  /** Why the order was rejected; absent when fulfilled. */
  reason?: string;
  processedBy: string;
  validatedAt: Date;
}

/** Which fulfilment steps are done for a request; each flag is recorded on its own. */
export interface FulfillmentState {
  saved: boolean;
  emailed: boolean;
  stockTaken: boolean;
}

/** What service-2 needs from storage. Every method may be repeated with the same arguments to the same effect. */
export interface OrderStore {
  state(requestId: string): Promise<FulfillmentState>;
  /** Upserts by request_id: saving twice leaves one order (the last one saved); the step flags are kept. */
  save(order: SavedOrder): Promise<void>;
  /** Records that the confirmation mail went out. */
  markEmailed(requestId: string): Promise<void>;
  /**
   * Records one ledger movement per sku (quantities of a repeated sku are summed), then the step. Repeating it
   * takes nothing more: the movement of (sku, request) is overwritten, not added.
   */
  takeStock(requestId: string, items: readonly { sku: string; quantity: number }[]): Promise<void>;
  /** Initial stock minus everything taken; 0 minus taken for a sku never seeded. */
  stockLevel(sku: string): Promise<number>;
  /** Sets the initial stock of each sku (replacing any earlier value), for `chain init` and tests. */
  seedInventory(stock: Record<string, number>): Promise<void>;
}

/** Sums the quantities per sku: one ledger movement per (sku, request). */
export function quantitiesPerSku(items: readonly { sku: string; quantity: number }[]): Map<string, number> {
  const perSku = new Map<string, number>();
  for (const item of items) perSku.set(item.sku, (perSku.get(item.sku) ?? 0) + item.quantity);
  return perSku;
}

/**
 * {@link OrderStore} in Cassandra: prepared statements at LOCAL_QUORUM, marked idempotent so the driver may retry
 * them. Tables as in `schema.ts`: `orders`, `inventory`, `inventory_movements`.
 */
export class CassandraOrderStore implements OrderStore {
  readonly #client: cassandra.Client;
  readonly #cql: Record<
    "state" | "save" | "markEmailed" | "move" | "markStockTaken" | "initial" | "taken" | "seed",
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
      initial: `SELECT initial_stock FROM ${keyspace}.inventory WHERE sku = ?`,
      taken: `SELECT SUM(quantity) AS taken FROM ${keyspace}.inventory_movements WHERE sku = ?`,
      seed: `INSERT INTO ${keyspace}.inventory (sku, initial_stock) VALUES (?, ?)`,
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

  async stockLevel(sku: string): Promise<number> {
    const [initial, taken] = await Promise.all([
      this.#client.execute(this.#cql.initial, [sku], this.#options),
      this.#client.execute(this.#cql.taken, [sku], this.#options),
    ]);
    return Number(initial.first()?.get("initial_stock") ?? 0) - Number(taken.first()?.get("taken") ?? 0);
  }

  async seedInventory(stock: Record<string, number>): Promise<void> {
    await Promise.all(
      Object.entries(stock).map(([sku, n]) => this.#client.execute(this.#cql.seed, [sku, n], this.#options)),
    );
  }
}
