import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { BoundedEventStore } from "./event-store.js";
import { CODES } from "./rpc.js";

/** What the HTTP side needs from the composition root. */
export interface HttpGatewayOptions {
  host: string;
  port: number;
  path: string;
  /** Host headers accepted; default: the loopback names with the bound port. */
  allowedHosts?: readonly string[];
  /** Origin headers accepted when present; default: http:// + each allowed host. */
  allowedOrigins?: readonly string[];
  /** Verifies a bearer token: the agent it belongs to, or why it is refused. */
  authenticate(token: string): Promise<{ ok: true; agent: string } | { ok: false; reason: string }>;
  /** A new MCP session for `agent`, over `transport`; `token()` is its latest credential. */
  open(args: { transport: Transport; agent: string; sessionId: string; token: () => string }): {
    start(): Promise<void>;
    close(): Promise<void>;
  };
  log(line: string): void;
  maxBodyBytes?: number;
}

interface Live {
  transport: StreamableHTTPServerTransport;
  agent: string;
  token: string;
  session: { start(): Promise<void>; close(): Promise<void> };
}

const DEFAULT_MAX_BODY = 4 * 1024 * 1024;

/**
 * The gateway's streamable HTTP side. Every request is checked in this order: path, Host and
 * Origin (against DNS rebinding: a web page must not reach a local gateway through a name it
 * controls), the bearer token, then the MCP session, which stays bound to the agent that
 * opened it. Only then does the SDK's transport see the request.
 */
export class HttpGateway {
  private server: Server | undefined;
  private readonly sessions = new Map<string, Live>();
  private hosts = new Set<string>();
  private origins = new Set<string>();

  constructor(private readonly o: HttpGatewayOptions) {}

  async listen(): Promise<URL> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.o.log(`http: ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) refuse(res, 500, CODES.internal, "internal error in the gateway");
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.o.port, this.o.host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const hosts =
      this.o.allowedHosts ?? ["localhost", "127.0.0.1", "[::1]"].map((h) => `${h}:${port}`);
    this.hosts = new Set(hosts.map((h) => h.toLowerCase()));
    this.origins = new Set(
      (this.o.allowedOrigins ?? hosts.map((h) => `http://${h}`)).map((o) => o.toLowerCase()),
    );
    const host = this.o.host.includes(":") ? `[${this.o.host}]` : this.o.host;
    return new URL(`http://${host}:${port}${this.o.path}`);
  }

  /** Every session's transport, for telling agents about a policy change. */
  get count(): number {
    return this.sessions.size;
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.session.close()));
    this.sessions.clear();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://gateway");
    if (url.pathname !== this.o.path)
      return refuse(
        res,
        404,
        CODES.invalidRequest,
        `not found: ${url.pathname}; the MCP endpoint is ${this.o.path}`,
      );
    const host = (req.headers.host ?? "").toLowerCase();
    if (!this.hosts.has(host))
      return refuse(res, 403, CODES.invalidRequest, `Host header '${host}' is not allowed`);
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.has(origin.toLowerCase()))
      return refuse(res, 403, CODES.invalidRequest, `Origin '${origin}' is not allowed`);

    const token = bearer(req);
    if (!token)
      return unauthorized(res, "an agent token is required: send Authorization: Bearer <token>");
    const who = await this.o.authenticate(token);
    if (!who.ok) return unauthorized(res, who.reason);

    const id = req.headers["mcp-session-id"];
    if (typeof id === "string") {
      const live = this.sessions.get(id);
      if (!live) return refuse(res, 404, CODES.invalidRequest, "unknown or expired MCP session");
      if (live.agent !== who.agent)
        return refuse(
          res,
          403,
          CODES.invalidRequest,
          `this session belongs to agent '${live.agent}'`,
        );
      live.token = token;
      const body =
        req.method === "POST" ? await readJson(req, res, this.o.maxBodyBytes) : undefined;
      if (body === INVALID) return;
      return live.transport.handleRequest(req, res, body);
    }
    if (req.method !== "POST")
      return refuse(
        res,
        400,
        CODES.invalidRequest,
        "no MCP session: initialize one with a POST first",
      );
    const body = await readJson(req, res, this.o.maxBodyBytes);
    if (body === INVALID) return;
    if (!isInitialize(body))
      return refuse(
        res,
        400,
        CODES.invalidRequest,
        "no MCP session: the first request must be initialize",
      );
    await this.openSession(who.agent, token, req, res, body);
  }

  private async openSession(
    agent: string,
    token: string,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ): Promise<void> {
    const sessionId = randomUUID();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => sessionId,
      eventStore: new BoundedEventStore(),
    });
    const live: Live = {
      transport,
      agent,
      token,
      session: this.o.open({ transport, agent, sessionId, token: () => live.token }),
    };
    // The session's own onclose is installed by open(); chain it.
    const onclose = transport.onclose;
    transport.onclose = () => {
      this.sessions.delete(sessionId);
      onclose?.();
    };
    this.sessions.set(sessionId, live);
    await live.session.start();
    await transport.handleRequest(req, res, body);
    // An initialize that failed (bad version, bad body) opened no session.
    if (!transport.sessionId) {
      this.sessions.delete(sessionId);
      await live.session.close();
    }
  }
}

const INVALID = Symbol("invalid body");

async function readJson(
  req: IncomingMessage,
  res: ServerResponse,
  max = DEFAULT_MAX_BODY,
): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) {
      refuse(res, 413, CODES.invalidRequest, `request body over ${max} bytes`);
      return INVALID;
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    refuse(res, 400, -32700, `parse error: ${(error as Error).message}`);
    return INVALID;
  }
}

function isInitialize(body: unknown): boolean {
  const one = (m: unknown) => (m as { method?: unknown } | null)?.method === "initialize";
  return Array.isArray(body) ? body.some(one) : one(body);
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m?.[1];
}

function unauthorized(res: ServerResponse, reason: string): void {
  res.setHeader("WWW-Authenticate", `Bearer realm="redline", error="invalid_token"`);
  refuse(res, 401, CODES.unauthenticated, `not authorised: ${reason}`);
}

function refuse(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } }));
}
