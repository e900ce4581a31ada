/**
 * Where Kafka is and how chain proves who it is to it: the settings both Kafka adapters take, beside the ports,
 * so that neither adapter imports the other. Each adapter maps them to its client's own options.
 *
 * @module
 */

/** Where Kafka is and who we are to it. */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** TLS and SASL; plaintext and anonymous when absent. */
  security?: KafkaSecurity;
}

/** The SASL mechanisms chain speaks (kafkajs's names). */
export const saslMechanisms = ["plain", "scram-sha-256", "scram-sha-512"] as const;

/** How chain proves who it is to Kafka, and checks who Kafka is. Holds a secret: never log it. */
export interface KafkaSecurity {
  /** TLS to every broker: `ca` (PEM) replaces the system's trust store when given; `cert` + `key` for mTLS. */
  tls?: { ca?: string; cert?: string; key?: string; servername?: string };
  sasl?: { mechanism: typeof saslMechanisms[number]; username: string; password: string };
}

/** Node's TLS connection options for `tls`, as both clients take them: the certificate and name always checked. */
export function tlsConnectionOptions(tls: NonNullable<KafkaSecurity["tls"]>): {
  rejectUnauthorized: true;
  ca?: string[];
  cert?: string;
  key?: string;
  servername?: string;
} {
  return {
    rejectUnauthorized: true,
    ...(tls.ca !== undefined ? { ca: [tls.ca] } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
  };
}
