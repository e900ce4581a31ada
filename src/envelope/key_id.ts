/**
 * What a key id is: the name a key goes by in the keyring and in an envelope's key id header. Its own file
 * because both the envelope (src/envelope/envelope.ts) and the keyring (src/envelope/keyring.ts) check key ids,
 * and neither should import the other for it.
 *
 * @module
 */

/** A key id: 1-64 characters of `A-Z a-z 0-9 . _ -`. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** {@link KEY_ID_PATTERN} in words, for error messages. */
export const KEY_ID_RULE = "1-64 characters of A-Z a-z 0-9 . _ -";
