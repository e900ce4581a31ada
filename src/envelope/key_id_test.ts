import assert from "node:assert/strict";
import { KEY_ID_PATTERN } from "./key_id.ts";

Deno.test("KEY_ID_PATTERN takes 1-64 characters of A-Z a-z 0-9 . _ - and nothing else", () => {
  for (const id of ["default", "2026-07", "a", "k.v_1-2", "x".repeat(64)]) {
    assert.ok(KEY_ID_PATTERN.test(id), `${id} is a key id`);
  }
  for (const id of ["", "x".repeat(65), "has space", "slash/", "ü", "line\nbreak"]) {
    assert.ok(!KEY_ID_PATTERN.test(id), `${JSON.stringify(id)} is not a key id`);
  }
});
