/**
 * service-2's orders and inventory, stored so that every fulfilment step is done once even when a message is
 * delivered again: the order row is keyed by request_id, each step stamps its own column, and stock is a ledger
 * keyed by (sku, request_id), so writing the same movement again changes nothing.
 *
 * @module
 */
import cassandra from "cassandra-driver";
import { Coalescer } from "../batching/coalescer.ts";
import {
  type FulfillmentState,
  type OrderStore,
  quantitiesPerSku,
  type SavedOrder,
} from "../fulfilment/order_store.ts";

/**
 * {@link OrderStore} in Cassandra: prepared statements at LOCAL_QUORUM, marked idempotent so the driver may retry
 * them. Tables as in `schema.ts`: `orders`, `inventory`, `inventory_movements`.
 *
 * The orders service-2 has in hand at once share requests ({@link Coalescer}): state reads made while one is
 * in flight go out as one `IN` query, saves as one unlogged batch, mail marks as one `UPDATE … IN`. A lone order
 * waits for nothing; under load each request carries what gathered meanwhile.
 */
export class CassandraOrderStore implements OrderStore {
  readonly #client: cassandra.Client;
  readonly #cql: Record<"states" | "save" | "saveTakingStock" | "markEmailed" | "move", string>;
  readonly #options = {
    prepare: true,
    isIdempotent: true,
    consistency: cassandra.types.consistencies.localQuorum,
  };

  readonly #reads: Coalescer<string, Map<string, FulfillmentState>>;
  readonly #saves: Coalescer<SavedOrder>;
  readonly #marks: Coalescer<string>;

  constructor(client: cassandra.Client, keyspace: string) {
    this.#client = client;
    const options = { maxItems: requestsPerQuery, maxInFlight: 2 };
    this.#reads = new Coalescer((ids) => this.#readStates(ids), options);
    this.#saves = new Coalescer((orders) => this.#saveTakingStock(orders), {
      ...options,
      maxItems: ordersPerBatch,
    });
    this.#marks = new Coalescer((ids) => this.#mark(ids), options);
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

  /** The states of `requestIds`, read together with the other reads in flight (one query per 100 requests). */
  async states(requestIds: readonly string[]): Promise<Map<string, FulfillmentState>> {
    const states = new Map<string, FulfillmentState>();
    const none = { saved: false, emailed: false, stockTaken: false };
    const read = await Promise.all(requestIds.map((id) => this.#reads.submit(id)));
    requestIds.forEach((id, i) => states.set(id, read[i].get(id) ?? none));
    return states;
  }

  async #readStates(requestIds: readonly string[]): Promise<Map<string, FulfillmentState>> {
    const states = new Map<string, FulfillmentState>();
    const result = await this.#client.execute(this.#cql.states, [requestIds], this.#options);
    for (const row of result.rows) {
      states.set(row.get("request_id").toString(), {
        saved: row.get("saved_at") != null,
        emailed: row.get("emailed_at") != null,
        stockTaken: row.get("stock_taken_at") != null,
      });
    }
    return states;
  }

  async save(o: SavedOrder): Promise<void> {
    await this.#client.execute(this.#cql.save, this.#orderParams(o, new Date()), this.#options);
  }

  /** Saves and takes stock together with the other orders in flight; see {@link #saveTakingStock}. */
  saveAndTakeStock(o: SavedOrder): Promise<void> {
    return this.#saves.submit(o);
  }

  /**
   * The orders' rows (with `stock_taken_at`) and one ledger row per order and sku in one unlogged batch: one
   * request, no batchlog. The rows are in different partitions, so the batch is not atomic; a retry rewrites all
   * of them, which changes nothing that was already written. (A logged batch, tried first, cost Cassandra a
   * batchlog write and delete per order: CPU the benchmark showed the machine did not have.)
   */
  async #saveTakingStock(orders: readonly SavedOrder[]): Promise<void> {
    const now = new Date();
    const statements = orders.flatMap((o) => [
      { query: this.#cql.saveTakingStock, params: [...this.#orderParams(o, now), now] },
      ...[...quantitiesPerSku(o.items)].map(([sku, quantity]) => ({
        query: this.#cql.move,
        params: [sku, o.requestId, quantity, now],
      })),
    ]);
    await this.#client.batch(statements, { ...this.#options, logged: false });
  }

  /** Marks the mails of `requestIds` sent, together with the other marks in flight (one UPDATE per 100). */
  async markEmailed(requestIds: readonly string[]): Promise<void> {
    await Promise.all(requestIds.map((id) => this.#marks.submit(id)));
  }

  async #mark(requestIds: readonly string[]): Promise<void> {
    await this.#client.execute(this.#cql.markEmailed, [new Date(), requestIds], this.#options);
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

/**
 * Orders per save batch: an order is a row of about 300 bytes and a ledger row per sku, so eight stay under
 * Cassandra's 5 KiB batch-size warning (`batch_size_warn_threshold`); orders share the partitions of their skus.
 */
export const ordersPerBatch = 8;
