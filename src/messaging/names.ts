/**
 * The naming rules chain shares between the envelope, the route registry and the settings: each is defined
 * here once.
 *
 * @module
 */

/** A request_id: a UUID in its canonical 8-4-4-4-12 hex form, any case. */
export const REQUEST_ID_PATTERN =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A worker name or a route id: 1-128 characters of `A-Z a-z 0-9 . _ -`. */
export const NAME_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
/** {@link NAME_PATTERN} in words, for error messages. */
export const NAME_RULE = "1-128 characters of A-Z a-z 0-9 . _ -";

const KAFKA_NAME_PATTERN = /^[A-Za-z0-9._-]{1,249}$/;
/** What {@link isTopicName} accepts, in words. */
export const TOPIC_NAME_RULE = 'a Kafka topic name: 1-249 characters of A-Z a-z 0-9 . _ -, not "." or ".."';

/** True for a name Kafka accepts as a topic. */
export function isTopicName(name: string): boolean {
  return KAFKA_NAME_PATTERN.test(name) && name !== "." && name !== "..";
}

/** True for a Kafka client id or consumer group id chain accepts: 1-249 characters of `A-Z a-z 0-9 . _ -`. */
export function isKafkaIdentifier(name: string): boolean {
  return KAFKA_NAME_PATTERN.test(name);
}
