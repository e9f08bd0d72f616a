/**
 * The harness's own scenarios, for what the suite leaves untested: SSE streams that break
 * mid-call (SEP-1699 polling, and resumability with Last-Event-ID).
 *
 * The suite's server-sse-polling sends `MCP-Protocol-Version: 2025-03-26` on its POST, and an SDK
 * server (rightly) neither primes nor closes streams for so old a client, so that scenario only
 * ever warns. These probes speak as a 2025-11-25 client does, with raw HTTP so that every event
 * id and stream end is seen. Only outcomes a client relies on are SUCCESS checks; how they came
 * about (stream kept open or closed and resumed) is INFO, so that a gateway is free to absorb an
 * upstream's polling or to pass it on.
 */

import { setTimeout as sleep } from "node:timers/promises";

export interface Check {
  id: string;
  status: "SUCCESS" | "FAILURE" | "WARNING" | "INFO";
  description?: string;
  errorMessage?: string;
}

interface SseEvent {
  id?: string;
  data: string;
  retry?: number;
}

/** One SSE event block, or undefined for a block of comments only (keep-alives). */
function parseEvent(block: string): SseEvent | undefined {
  const event: SseEvent = { data: "" };
  const data: string[] = [];
  let fields = 0;
  for (const line of block.split(/\r?\n/)) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    fields++;
    if (field === "id") event.id = value;
    else if (field === "data") data.push(value);
    else if (field === "retry") event.retry = Number(value);
  }
  event.data = data.join("\n");
  return fields > 0 ? event : undefined;
}

/** Reads SSE events off a response until it ends or `stop` says so; then hangs up. */
async function readEvents(res: Response, stop: (e: SseEvent) => boolean): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  if (!res.body) return events;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return events;
      buffer += value;
      const blocks = buffer.split(/\r?\n\r?\n/);
      buffer = blocks.pop() ?? "";
      for (const block of blocks) {
        const event = parseEvent(block);
        if (!event) continue;
        events.push(event);
        if (stop(event)) return events;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

type Message = { id?: unknown; result?: { isError?: boolean }; error?: unknown };
const messageOf = (e: SseEvent): Message => {
  try {
    return JSON.parse(e.data) ?? {};
  } catch {
    return {};
  }
};
const isResponse = (id: number) => (e: SseEvent) => messageOf(e).id === id;
/** A tool's successful result: not a JSON-RPC error, not isError (an unknown tool is either). */
const succeeded = (events: SseEvent[], id: number) =>
  events.some((e) => {
    const m = messageOf(e);
    return m.id === id && m.result !== undefined && m.result.isError !== true;
  });

/** An initialized session, spoken to with raw HTTP. */
class Session {
  private readonly headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
  };
  private constructor(
    private readonly url: string,
    private readonly signal: AbortSignal,
  ) {}

  static async open(url: string, signal: AbortSignal): Promise<Session> {
    const s = new Session(url, signal);
    const init = await s.post({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "redline-sse-probe", version: "1.0.0" },
      },
    });
    const sessionId = init.headers.get("mcp-session-id");
    const body = init.headers.get("content-type")?.includes("text/event-stream")
      ? (await readEvents(init, isResponse(0))).map((e) => e.data).join("\n")
      : await init.text();
    const version = /"protocolVersion"\s*:\s*"([^"]+)"/.exec(body)?.[1];
    if (!init.ok || !sessionId || !version)
      throw new Error(`initialize: HTTP ${init.status}, session ${sessionId}, version ${version}`);
    s.headers["mcp-session-id"] = sessionId;
    s.headers["mcp-protocol-version"] = version; // the negotiated one, unlike the suite
    await (await s.post({ jsonrpc: "2.0", method: "notifications/initialized" })).body?.cancel();
    return s;
  }

  post(message: unknown): Promise<Response> {
    const init = { method: "POST", headers: this.headers, signal: this.signal };
    return fetch(this.url, { ...init, body: JSON.stringify(message) });
  }

  /**
   * Asks for the events after `lastEventId`, after waiting as a client does before reconnecting
   * (the stream's retry field, else half a second; the SDK client's default is a second): the
   * server may not have seen the old connection go yet.
   */
  async resume(lastEventId: string, retry?: number): Promise<Response> {
    await sleep(Math.min(retry ?? 500, 2000));
    const headers = { ...this.headers, accept: "text/event-stream", "last-event-id": lastEventId };
    return fetch(this.url, { method: "GET", headers, signal: this.signal });
  }

  async close(): Promise<void> {
    const init = { method: "DELETE", headers: this.headers, signal: AbortSignal.timeout(2000) };
    await fetch(this.url, init).then(
      (r) => r.body?.cancel(),
      () => {},
    );
  }
}

type Probe = (s: Session, checks: Check[]) => Promise<void>;

function runProbe(name: string, probe: Probe) {
  return async (url: string, timeoutMs = 10_000): Promise<Check[]> => {
    const checks: Check[] = [];
    let session: Session | undefined;
    try {
      session = await Session.open(url, AbortSignal.timeout(timeoutMs));
      await probe(session, checks);
    } catch (err) {
      checks.push({ id: `${name}-error`, status: "FAILURE", errorMessage: String(err) });
    } finally {
      await session?.close();
    }
    return checks;
  };
}

/** Calls a tool on an SSE stream; the response's first events, until `stop`. */
async function callTool(s: Session, id: number, name: string, stop: (e: SseEvent) => boolean) {
  const res = await s.post({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name, arguments: {} },
  });
  if (!res.headers.get("content-type")?.includes("text/event-stream"))
    throw new Error(
      `tools/call ${name}: HTTP ${res.status} ${res.headers.get("content-type")}, not SSE`,
    );
  return readEvents(res, stop);
}

/** A SUCCESS check, or a FAILURE saying why not. */
const outcome = (id: string, ok: boolean, why: string): Check =>
  ok ? { id, status: "SUCCESS" } : { id, status: "FAILURE", errorMessage: why };

/**
 * redline/sse-server-close: test_reconnection closes its POST stream mid-call (the server asks
 * the client to poll). The client must still get the result: resuming with Last-Event-ID if the
 * stream it holds was closed, or on that stream if something in between kept it open.
 */
export const probeServerClose = runProbe("sse-server-close", async (s, checks) => {
  const events = await callTool(s, 1, "test_reconnection", isResponse(1));
  if (events.some(isResponse(1))) {
    checks.push({ id: "sse-server-close-path", status: "INFO", description: "stream kept open" });
    checks.push(outcome("sse-server-close-result", succeeded(events, 1), "the call failed"));
    return;
  }
  const lastId = events.findLast((e) => e.id !== undefined)?.id;
  const retry = events.find((e) => e.retry !== undefined)?.retry;
  const path = `stream closed mid-call after ${events.length} event(s); last id ${lastId}`;
  checks.push({ id: "sse-server-close-path", status: "INFO", description: path });
  if (retry === undefined)
    checks.push({
      id: "sse-server-close-retry",
      status: "WARNING",
      errorMessage: "no retry field",
    });
  if (lastId === undefined) {
    checks.push(outcome("sse-server-close-result", false, "no event id to resume from"));
    return;
  }
  const res = await s.resume(lastId, retry);
  const resumed = res.ok ? await readEvents(res, isResponse(1)) : [];
  const why = `GET with Last-Event-ID ${lastId}: HTTP ${res.status}, no successful result`;
  checks.push(outcome("sse-server-close-result", succeeded(resumed, 1), why));
});

/**
 * redline/sse-client-reconnect: the client's connection drops right after the stream opens,
 * while test_tool_with_logging is still running; the client resumes with the id of the first
 * event and must get the logs it missed and the result (resumability, 2025-11-25 transports).
 */
export const probeClientReconnect = runProbe("sse-client-reconnect", async (s, checks) => {
  const [first] = await callTool(s, 2, "test_tool_with_logging", () => true);
  checks.push(
    outcome("sse-client-reconnect-event-id", first?.id !== undefined, "first event has no id"),
  );
  if (first?.id === undefined) return;
  const res = await s.resume(first.id, first.retry);
  const resumed = res.ok ? await readEvents(res, isResponse(2)) : [];
  const logs = resumed.filter((e) => e.data.includes('"notifications/message"')).length;
  const why = `GET with Last-Event-ID ${first.id}: HTTP ${res.status}, no successful result`;
  checks.push(outcome("sse-client-reconnect-result", succeeded(resumed, 2), why));
  checks.push({
    id: "sse-client-reconnect-logs",
    status: "INFO",
    description: `${logs} log(s) replayed`,
  });
});
