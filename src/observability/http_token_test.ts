import assert from "node:assert/strict";
import { hasBearer, serveHttp } from "./http_server.ts";
import { ChainMetrics } from "./chain_metrics.ts";
import { Readiness } from "./readiness.ts";

const token = "t0ken-" + crypto.randomUUID();

function request(authorization?: string): Request {
  return new Request("http://x/metrics", authorization ? { headers: { authorization } } : {});
}

Deno.test("hasBearer accepts exactly Bearer <token>", () => {
  assert.equal(hasBearer(request(`Bearer ${token}`), token), true);
  assert.equal(hasBearer(request(`bearer ${token}`), token), true);
  assert.equal(hasBearer(request(`Bearer ${token}x`), token), false);
  assert.equal(hasBearer(request(`Bearer ${token.slice(0, -1)}`), token), false);
  assert.equal(hasBearer(request(`Basic ${token}`), token), false);
  assert.equal(hasBearer(request(token), token), false);
  assert.equal(hasBearer(request(), token), false);
  assert.equal(hasBearer(request("Bearer "), token), false);
});

Deno.test("with HTTP_TOKEN every path but /ping needs the bearer token; without it all are open", async () => {
  const stop = new AbortController();
  const readiness = new Readiness();
  const server = await serveHttp({
    hostname: "127.0.0.1",
    port: 0,
    metrics: new ChainMetrics(),
    readiness,
    pages: { "/dashboard": () => new Response("dashboard\n") },
    token,
    signal: stop.signal,
  });
  const open = new AbortController();
  const plain = await serveHttp({
    hostname: "127.0.0.1",
    port: 0,
    metrics: new ChainMetrics(),
    readiness,
    signal: open.signal,
  });
  try {
    const get = async (port: number, path: string, authorization?: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        headers: authorization ? { authorization } : {},
      });
      const body = await response.text();
      return { status: response.status, body, auth: response.headers.get("www-authenticate") };
    };
    assert.equal((await get(server.port, "/ping")).status, 200);
    for (const path of ["/ready", "/metrics", "/dashboard", "/nope"]) {
      const refused = await get(server.port, path);
      assert.equal(refused.status, 401, path);
      assert.equal(refused.auth, 'Bearer realm="chain"');
      assert.ok(!refused.body.includes(token));
      assert.equal((await get(server.port, path, "Bearer wrong-token-0123456789")).status, 401, path);
    }
    assert.equal((await get(server.port, "/ready", `Bearer ${token}`)).status, 200);
    assert.equal((await get(server.port, "/metrics", `Bearer ${token}`)).status, 200);
    assert.equal((await get(server.port, "/dashboard", `Bearer ${token}`)).body, "dashboard\n");
    assert.equal((await get(server.port, "/nope", `Bearer ${token}`)).status, 404);
    assert.equal((await get(plain.port, "/metrics")).status, 200);
  } finally {
    stop.abort();
    open.abort();
    await server.finished;
    await plain.finished;
  }
});
