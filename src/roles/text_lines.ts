/**
 * Splits a byte stream (a file, stdin) into text lines, for the publisher's JSON-lines input. Written here
 * rather than with node:readline: a readline interface over `Readable.fromWeb` does not cancel the stream when the
 * reader stops early, so a publisher that stopped at a bad line never exited.
 *
 * @module
 */

/** Yields each line of `stream` decoded as UTF-8, without its line ending (`\n` or `\r\n`). */
export async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    let newline;
    while ((newline = rest.indexOf("\n")) >= 0) {
      yield rest.slice(0, newline).replace(/\r$/, "");
      rest = rest.slice(newline + 1);
    }
  }
  if (rest !== "") yield rest.replace(/\r$/, "");
}
