/**
 * The health and metrics endpoint of a role: `/ping` (alive: always 200), `/ready` (200 when every readiness
 * check passes, else 503 naming what is missing), `/metrics` (Prometheus text). Other pages (the dashboard)
 * are added as extra routes. Binds to loopback unless told otherwise.
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { ChainMetrics } from "./chain_metrics.ts";
import type { Readiness } from "./readiness.ts";

/** A page served besides the health endpoints. */
export type Page = (request: Request) => Response | Promise<Response>;

/** Where to listen and what to serve. */
export interface HttpServerOptions {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
  metrics: ChainMetrics;
  readiness: Readiness;
  pages?: Record<string, Page>;
  /** When set, every path but `/ping` requires `Authorization: Bearer <token>` (HTTP_TOKEN); never logged. */
  token?: string;
  signal: AbortSignal;
}

/** The running server: its address, and a promise that settles when it has stopped. */
export interface HttpServer {
  hostname: string;
  port: number;
  finished: Promise<void>;
}

/** Answers one request; exported for tests that need no socket. */
export async function handle(
  request: Request,
  options: Omit<HttpServerOptions, "signal" | "hostname" | "port">,
) {
  const path = new URL(request.url).pathname;
  if (options.token !== undefined && path !== "/ping" && !hasBearer(request, options.token)) {
    return new Response("unauthorized: send Authorization: Bearer <HTTP_TOKEN>\n", {
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="chain"' },
    });
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
  }
  if (path === "/ping") return new Response("pong\n");
  if (path === "/ready") {
    const { ready, missing } = options.readiness.status();
    return ready
      ? new Response("ready\n")
      : new Response(`not ready: ${missing.join("; ")}\n`, { status: 503 });
  }
  if (path === "/metrics") {
    return new Response(await options.metrics.text(), {
      headers: { "content-type": options.metrics.contentType },
    });
  }
  const page = options.pages?.[path];
  if (page) return await page(request);
  return new Response("not found\n", { status: 404 });
}

/**
 * Whether the request carries `Authorization: Bearer <token>`. Compared in constant time: both sides are hashed
 * (SHA-256, so lengths never differ) and the digests compared with `timingSafeEqual`.
 */
export function hasBearer(request: Request, token: string): boolean {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer[ ]+(.+)$/i.exec(header);
  const given = createHash("sha256").update(match?.[1]?.trim() ?? "").digest();
  const expected = createHash("sha256").update(token).digest();
  return timingSafeEqual(given, expected) && match !== null;
}

/** Starts serving; stops when `signal` aborts. */
export function serveHttp(options: HttpServerOptions): Promise<HttpServer> {
  const { promise, resolve, reject } = Promise.withResolvers<HttpServer>();
  try {
    const server = Deno.serve({
      hostname: options.hostname,
      port: options.port,
      signal: options.signal,
      onListen: ({ hostname, port }) =>
        queueMicrotask(() => resolve({ hostname, port, finished: server.finished })),
    }, (request) => handle(request, options));
  } catch (error) {
    reject(
      new Error(
        `cannot serve health and metrics on ${options.hostname}:${options.port}: ${(error as Error).message}`,
        { cause: error },
      ),
    );
  }
  return promise;
}
