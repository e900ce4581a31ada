import assert from "node:assert/strict";
import { tlsConnectionOptions } from "./kafka_settings.ts";

Deno.test("tlsConnectionOptions() always checks the certificate and passes only what is given", () => {
  assert.deepEqual(tlsConnectionOptions({}), { rejectUnauthorized: true });
  assert.deepEqual(tlsConnectionOptions({ ca: "CA", servername: "kafka.local" }), {
    rejectUnauthorized: true,
    ca: ["CA"],
    servername: "kafka.local",
  });
  assert.deepEqual(tlsConnectionOptions({ ca: "CA", cert: "CERT", key: "KEY" }), {
    rejectUnauthorized: true,
    ca: ["CA"],
    cert: "CERT",
    key: "KEY",
  });
});
