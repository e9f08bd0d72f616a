import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import type { StateStore } from "../store/ports.js";
import { type ApiDeps, apiRoutes, type Route } from "./api.js";
import { streamEvents } from "./events.js";
import type { AuditFollower } from "./follow.js";
import { HttpError, send, sendError } from "./http.js";
import { OPENAPI } from "./openapi.js";

export interface ServeOptions extends ApiDeps {
  host: string;
  port: number;
  follower: AuditFollower;
  /** The dashboard's static files. */
  dashboardDir: string;
  log(line: string): void;
  /** Extra routes (tests, adapters) checked before the API's. */
  routes?: Route[];
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/**
 * `redline serve`: one node:http server for the JSON API, the live event stream, metrics,
 * health, the OpenAPI document and the dashboard. Routing is a table of patterns: the hot
 * path (`POST /v1/decisions`) pays for nothing it does not use.
 */
export class ControlPlane {
  private server: Server | undefined;
  private readonly routes: Route[];

  constructor(private readonly o: ServeOptions) {
    this.routes = [...(o.routes ?? []), ...apiRoutes(o)];
  }

  async listen(): Promise<URL> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 65_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.o.port, this.o.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const host = this.o.host.includes(":") ? `[${this.o.host}]` : this.o.host;
    return new URL(`http://${host}:${port}/`);
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://redline");
    const method = req.method ?? "GET";
    try {
      for (const route of this.routes) {
        if (route.method !== method) continue;
        const m = route.pattern.exec(url.pathname);
        if (m) return await route.handler(req, res, m.slice(1).map(decodeURIComponent), url);
      }
      if (method !== "GET") throw new HttpError(404, `no route ${method} ${url.pathname}`);
      switch (url.pathname) {
        case "/healthz":
          return send(res, 200, await health(this.o.store));
        case "/metrics": {
          const body = await this.o.metrics.text();
          res.writeHead(200, { "content-type": this.o.metrics.contentType });
          return void res.end(body);
        }
        case "/openapi.json":
          return send(res, 200, OPENAPI);
        case "/v1/events":
          await this.o.callers.approver(req);
          return await streamEvents(req, res, url, this.o.store.audit, this.o.follower, (n) =>
            this.o.metrics.opened(n),
          );
        default:
          return await this.asset(res, url.pathname);
      }
    } catch (error) {
      if (res.headersSent) return void res.end();
      if (error instanceof HttpError) return sendError(res, error);
      this.o.log(
        `internal error on ${method} ${url.pathname}: ${error instanceof Error ? error.stack : String(error)}`,
      );
      sendError(res, new HttpError(500, "internal error"));
    }
  }

  private async asset(res: ServerResponse, path: string): Promise<void> {
    const file = path === "/" ? "index.html" : normalize(path).replace(/^(\.\.[/\\])+|^[/\\]+/, "");
    const type = TYPES[extname(file)];
    if (!type || file.includes("..")) throw new HttpError(404, `not found: ${path}`);
    let body: Buffer;
    try {
      body = await readFile(join(this.o.dashboardDir, file));
    } catch {
      throw new HttpError(404, `not found: ${path}`);
    }
    res.writeHead(200, {
      "content-type": type,
      "cache-control": "no-cache",
      // The dashboard holds an approver's credential: no framing, no foreign scripts.
      "content-security-policy":
        "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
    res.end(body);
  }
}

async function health(store: StateStore): Promise<Record<string, unknown>> {
  try {
    const head = await store.audit.head();
    return { ok: true, audit: { seq: head.seq } };
  } catch (error) {
    throw new HttpError(503, `state store unavailable: ${(error as Error).message}`);
  }
}
