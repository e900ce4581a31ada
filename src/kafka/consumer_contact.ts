/**
 * What a record source's health says about its consumer, whichever client it runs on: whether it is in its group,
 * and whether Kafka was heard from lately (a fetch, a record, a heartbeat answer). The adapters feed it from their
 * client's events; `/ready` reads {@link ConsumerContact.health}.
 *
 * @module
 */

/** How long without hearing from Kafka before the consumer counts as cut off. */
export const CONTACT_TIMEOUT_MS = 5_000;

/** How a {@link ConsumerContact} is set up beyond its group and what counts as contact. */
export interface ConsumerContactOptions {
  /** The clock, in milliseconds, that contact is timed on; `performance.now` unless a test drives it. */
  readonly now?: () => number;
}

/** A consumer's group membership and last contact with Kafka. */
export class ConsumerContact {
  readonly #groupId: string;
  readonly #heardFrom: string;
  readonly #now: () => number;
  #joined = false;
  #last = Number.NEGATIVE_INFINITY;

  /** `heardFrom` names what counts as contact, for the health message ("fetch or heartbeat"). */
  constructor(groupId: string, heardFrom: string, options: ConsumerContactOptions = {}) {
    this.#groupId = groupId;
    this.#heardFrom = heardFrom;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The consumer joined (or rejoined) its group: that is contact too. */
  joined(): void {
    this.#joined = true;
    this.heard();
  }

  /** The consumer left its group, stopped or crashed. */
  left(): void {
    this.#joined = false;
  }

  /** Kafka answered the consumer. */
  heard(): void {
    this.#last = this.#now();
  }

  /** Undefined while the consumer is in its group and heard from Kafka lately; otherwise what is missing. */
  health(): string | undefined {
    if (!this.#joined) return `consumer has not joined group ${this.#groupId}`;
    const silent = this.#now() - this.#last;
    if (silent > CONTACT_TIMEOUT_MS) {
      return `no ${this.#heardFrom} from Kafka for ${Math.round(silent / 1000)} s`;
    }
    return undefined;
  }
}
