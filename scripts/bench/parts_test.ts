import assert from "node:assert/strict";
import { benchParts, parseParts } from "./parts.ts";

Deno.test("parseParts() selects every part when --only is not given", () => {
  assert.deepEqual([...parseParts(undefined)], [...benchParts]);
  assert.deepEqual([...parseParts([])], [...benchParts]);
});

Deno.test("parseParts() takes comma-separated and repeated --only values", () => {
  assert.deepEqual([...parseParts(["curve,capacity"])], ["curve", "capacity"]);
  assert.deepEqual([...parseParts(["router", " crypto "])], ["router", "crypto"]);
});

Deno.test("parseParts() refuses an unknown part", () => {
  assert.throws(() => parseParts(["curves"]), /no part "curves"/);
});
