/**
 * Splits a byte stream (a file, stdin) into text lines for the publisher's JSON-lines input, with Node's
 * `readline` (it handles `\n` and `\r\n` and lines split across chunks).
 *
 * @module
 */
import { createInterface } from "node:readline";
import { Readable } from "node:stream";

/** Yields each line of `stream` decoded as UTF-8, without its line ending (`\n` or `\r\n`). */
export function lines(stream: ReadableStream<Uint8Array>): AsyncIterable<string> {
  // deno-lint-ignore no-explicit-any
  const input = Readable.fromWeb(stream as any);
  return createInterface({ input, crlfDelay: Infinity });
}
