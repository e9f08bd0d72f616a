import {
  getDefaultEnvironment,
  StdioClientTransport,
} from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  CODES,
  errorResponse,
  isNotification,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type Notification,
  progressToken,
  type Request,
  type RequestId,
  type Response,
} from "./rpc.js";

/** One MCP server behind the gateway: a command to spawn (stdio) or a streamable HTTP URL. */
export type UpstreamSpec =
  | {
      name: string;
      command: string;
      args: string[];
      env?: Record<string, string>;
      cwd?: string;
    }
  | { name: string; url: string; headers?: Record<string, string> };

/** What the server sends that is not an answer to the gateway: routed by the session. */
export interface UpstreamHandlers {
  /** A request from the server to the client (sampling, elicitation, roots, ping). */
  request(req: Request): void;
  notification(n: Notification): void;
  /** The connection ended while the session was open; in-flight calls have been failed. */
  lost(why: string): void;
}

export interface UpstreamOptions {
  /** An answer slower than this fails the call (progress notifications restart the clock). */
  timeoutMs: number;
  /** Where a spawned server's stderr goes; default: inherited. */
  stderr?: "inherit" | "ignore" | "pipe";
}

const START_TIMEOUT_MS = 60_000;

interface Pending {
  resolve(r: Response): void;
  timer: NodeJS.Timeout;
  token: string | number | undefined;
  method: string;
  /** The agent's request this one serves: what server-sent messages during it relate to. */
  tag: RequestId | undefined;
}

/**
 * A connection to one upstream server, with its own request ids (so the gateway's own
 * requests never collide with the agent's). Every request resolves: with the server's answer,
 * or with an error response when the server exits, hangs or cannot be reached. After a loss the
 * next request reconnects and replays the agent's `initialize`, so one crash does not end the
 * session.
 */
export class Upstream {
  private transport: Transport | undefined;
  private connecting: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private initialize: { params: unknown } | undefined;
  private closed = false;

  constructor(
    readonly spec: UpstreamSpec,
    private readonly handlers: UpstreamHandlers,
    private readonly opts: UpstreamOptions,
  ) {}

  /** Sends a request and resolves with the answer (its id is not the caller's: map it back). */
  async request(method: string, params: unknown, tag?: RequestId): Promise<Response> {
    if (method === "initialize") this.initialize = { params };
    const failed = await this.ensure(method === "initialize");
    if (failed) return errorResponse(0, CODES.upstream, failed);
    // Starting a server can take longer than any call should (npx may be installing it).
    const timeout =
      method === "initialize"
        ? Math.max(this.opts.timeoutMs, START_TIMEOUT_MS)
        : this.opts.timeoutMs;
    return this.send(method, params, timeout, tag);
  }

  async notify(n: Notification): Promise<void> {
    if (n.method === "notifications/cancelled") {
      const id = (n.params as { requestId?: RequestId } | undefined)?.requestId;
      // Cancelling a call the gateway already gave up on is a no-op.
      if (typeof id !== "number" || !this.pending.has(id)) return;
    }
    if (!this.transport) return;
    await this.transport.send(n).catch(() => undefined);
  }

  /** Answers a request the server sent (its own id, unchanged). */
  async respond(r: Response): Promise<void> {
    await this.transport?.send(r).catch(() => undefined);
  }

  /** The agent's request behind the latest in-flight call with this progress token, or any. */
  relatedTo(token?: string | number): RequestId | undefined {
    let last: RequestId | undefined;
    for (const p of this.pending)
      if (p[1].tag !== undefined && (token === undefined || p[1].token === token)) last = p[1].tag;
    return last;
  }

  /** The upstream id of the call serving the agent's request `tag` (to cancel it). */
  idFor(tag: RequestId): number | undefined {
    for (const [id, p] of this.pending) if (p.tag === tag) return id;
    return undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll("the gateway session closed");
    const t = this.transport;
    this.transport = undefined;
    await t?.close().catch(() => undefined);
  }

  private send(
    method: string,
    params: unknown,
    timeoutMs: number,
    tag?: RequestId,
  ): Promise<Response> {
    const id = this.nextId++;
    const message = { jsonrpc: "2.0", id, method, params } as Request;
    if (params === undefined) delete (message as { params?: unknown }).params;
    return new Promise<Response>((resolve) => {
      const token = progressToken(params);
      const timer = this.timer(id, timeoutMs);
      this.pending.set(id, { resolve, timer, token, method, tag });
      this.transport?.send(message).catch((error: unknown) => {
        this.settle(id, errorResponse(id, CODES.upstream, this.lostMessage(error)));
      });
    });
  }

  private timer(id: number, timeoutMs: number): NodeJS.Timeout {
    return setTimeout(() => {
      const p = this.pending.get(id);
      if (!p) return;
      void this.transport
        ?.send({
          jsonrpc: "2.0",
          method: "notifications/cancelled",
          params: { requestId: id, reason: "timed out at the gateway" },
        })
        .catch(() => undefined);
      this.settle(
        id,
        errorResponse(
          id,
          CODES.upstream,
          `upstream server '${this.spec.name}' did not answer ${p.method} within ${seconds(timeoutMs)}; the call was cancelled`,
        ),
      );
    }, timeoutMs).unref();
  }

  private settle(id: number, r: Response): void {
    const p = this.pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    p.resolve(r);
  }

  private failAll(why: string): void {
    for (const id of [...this.pending.keys()])
      this.settle(id, errorResponse(id, CODES.upstream, why));
  }

  /** Connects when not connected; resolves with why it could not, or undefined. */
  private async ensure(initializing: boolean): Promise<string | undefined> {
    if (this.closed) return `upstream server '${this.spec.name}': the session is closed`;
    if (this.transport && !this.connecting) return undefined;
    this.connecting ??= this.connect(initializing);
    try {
      await this.connecting;
      return undefined;
    } catch (error) {
      this.transport = undefined;
      return this.lostMessage(error);
    } finally {
      this.connecting = undefined;
    }
  }

  private async connect(initializing: boolean): Promise<void> {
    const t = this.makeTransport();
    let gone = false;
    t.onmessage = (m) => this.received(m);
    t.onclose = () => {
      if (gone) return;
      gone = true;
      this.lost(t, `upstream server '${this.spec.name}' exited`);
    };
    t.onerror = (error) => {
      // A broken stream or a dead server: what was in flight will never be answered.
      if (/disconnected|reconnect|fetch failed|ECONNREFUSED|ECONNRESET|socket/i.test(error.message))
        this.lost(t, this.lostMessage(error));
    };
    this.transport = t;
    await t.start();
    if (initializing || !this.initialize) return;
    // A reconnection: the server must be initialised again, as the agent did the first time.
    const r = await this.send(
      "initialize",
      this.initialize.params,
      Math.max(this.opts.timeoutMs, START_TIMEOUT_MS),
    );
    if ("error" in r) throw new Error(`re-initialising failed: ${r.error.message}`);
    await t.send({ jsonrpc: "2.0", method: "notifications/initialized" });
  }

  private lost(t: Transport, why: string): void {
    if (this.transport !== t) return;
    this.transport = undefined;
    this.failAll(why);
    void t.close().catch(() => undefined);
    if (!this.closed) this.handlers.lost(why);
  }

  private received(m: JSONRPCMessage): void {
    if (isResponse(m)) {
      if (typeof m.id === "number") this.settle(m.id, m);
    } else if (isRequest(m)) this.handlers.request(m);
    else if (isNotification(m)) {
      if (m.method === "notifications/progress") this.progressed(m);
      this.handlers.notification(m);
    }
  }

  /** Progress restarts the clock of the call it is about. */
  private progressed(n: Notification): void {
    const token = (n.params as { progressToken?: string | number } | undefined)?.progressToken;
    for (const [id, p] of this.pending) {
      if (p.token === undefined || p.token !== token) continue;
      clearTimeout(p.timer);
      p.timer = this.timer(id, this.opts.timeoutMs);
    }
  }

  private makeTransport(): Transport {
    const s = this.spec;
    if ("url" in s) {
      return new StreamableHTTPClientTransport(new URL(s.url), {
        requestInit: s.headers ? { headers: s.headers } : undefined,
        reconnectionOptions: {
          maxRetries: 2,
          initialReconnectionDelay: 200,
          maxReconnectionDelay: 1000,
          reconnectionDelayGrowFactor: 2,
        },
      });
    }
    return new StdioClientTransport({
      command: s.command,
      args: s.args,
      // Only the default variables and the configured ones: the agent's token stays here.
      env: { ...getDefaultEnvironment(), ...s.env },
      stderr: this.opts.stderr ?? "inherit",
      ...(s.cwd ? { cwd: s.cwd } : {}),
    });
  }

  private lostMessage(error: unknown): string {
    const why = error instanceof Error ? error.message : String(error);
    return `upstream server '${this.spec.name}' is unreachable: ${why}`;
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))}s`;
}
