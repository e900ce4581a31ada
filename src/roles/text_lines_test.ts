import assert from "node:assert/strict";
import { lines } from "./text_lines.ts";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return ReadableStream.from(chunks.map((c) => encoder.encode(c)));
}

Deno.test("lines() joins lines split across chunks and drops \\n and \\r\\n endings", async () => {
  const out = await Array.fromAsync(lines(streamOf('{"a":', '1}\r\n{"b"', ":2}\n", "\nlast")));
  assert.deepEqual(out, ['{"a":1}', '{"b":2}', "", "last"]);
});

Deno.test("lines() yields nothing for an empty stream", async () => {
  assert.deepEqual(await Array.fromAsync(lines(streamOf())), []);
});
