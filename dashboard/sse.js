/**
 * Server-Sent Events over fetch. `EventSource` cannot send an Authorization header, and the
 * approver secret must not travel in a URL, so the stream is read with fetch and parsed here
 * (the WHATWG event-stream format: `id`, `event`, `data`, `retry` fields, `:` comments).
 */

export class SseParser {
  /** @param {(event: { id: string, event: string, data: string }) => void} onEvent */
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = "";
    this.data = [];
    this.event = "";
    /** The last `id:` seen: what a reconnect sends as Last-Event-ID. */
    this.lastEventId = "";
    /** Reconnection delay the server asked for (`retry:`), ms. */
    this.retry = undefined;
  }

  /** Feeds decoded text; complete lines are processed, a partial one waits for more. */
  push(chunk) {
    const buf = this.buffer + chunk;
    const eol = /\r\n|\r|\n/g;
    let start = 0;
    for (let m = eol.exec(buf); m; m = eol.exec(buf)) {
      // A lone CR at the very end may be the first half of a CRLF split across chunks.
      if (m[0] === "\r" && m.index === buf.length - 1) break;
      this.line(buf.slice(start, m.index));
      start = eol.lastIndex;
    }
    this.buffer = buf.slice(start);
  }

  line(line) {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.lastEventId = value;
    else if (field === "retry" && /^\d+$/.test(value)) this.retry = Number(value);
  }

  dispatch() {
    if (this.data.length > 0)
      this.onEvent({
        id: this.lastEventId,
        event: this.event || "message",
        data: this.data.join("\n"),
      });
    this.data = [];
    this.event = "";
  }
}

const STALL_MS = 45_000; // the server sends a keep-alive comment every 15 s
const MAX_DELAY_MS = 30_000;

/**
 * Follows `url` until `signal` aborts: reconnects after any drop, resuming with Last-Event-ID
 * so that nothing written meanwhile is missed (the server replays it from the log).
 * @param {{
 *   url: string,
 *   headers: Record<string, string>,
 *   lastEventId?: string,
 *   signal: AbortSignal,
 *   onEvent: (event: { id: string, event: string, data: string }) => void,
 *   onState: (state: "connecting" | "live" | "reconnecting", detail?: string) => void,
 *   onUnauthorized: (message: string) => void,
 * }} o
 */
export async function followEvents(o) {
  let lastEventId = o.lastEventId ?? "";
  let retry = 2000;
  let failures = 0;
  o.onState("connecting");
  while (!o.signal.aborted) {
    const attempt = new AbortController();
    const stop = () => attempt.abort();
    o.signal.addEventListener("abort", stop, { once: true });
    let watchdog;
    const feedDog = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(stop, STALL_MS);
    };
    try {
      feedDog();
      const res = await fetch(o.url, {
        headers: {
          ...o.headers,
          accept: "text/event-stream",
          ...(lastEventId ? { "last-event-id": lastEventId } : {}),
        },
        cache: "no-store",
        signal: attempt.signal,
      });
      if (res.status === 401) {
        const body = await res.json().catch(() => ({}));
        return o.onUnauthorized(body.error ?? "the approver secret was refused");
      }
      if (!res.ok || !res.body) throw new Error(`the event stream answered HTTP ${res.status}`);
      failures = 0;
      o.onState("live");
      const parser = new SseParser((event) => {
        lastEventId = event.id || lastEventId;
        o.onEvent(event);
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        feedDog();
        parser.push(value);
        if (parser.retry !== undefined) retry = parser.retry;
      }
      throw new Error("the event stream ended");
    } catch (error) {
      if (o.signal.aborted) return;
      failures++;
      const delay = Math.min(retry * 2 ** (failures - 1), MAX_DELAY_MS);
      o.onState("reconnecting", `${errorText(error)}; retrying in ${Math.round(delay / 1000)} s`);
      await sleep(delay, o.signal);
    } finally {
      clearTimeout(watchdog);
      o.signal.removeEventListener("abort", stop);
    }
  }
}

function errorText(error) {
  if (error instanceof DOMException && error.name === "AbortError") return "the stream stalled";
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
