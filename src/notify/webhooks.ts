import { setTimeout as delay } from "node:timers/promises";
import { describeUrl, type WebhookConfig } from "./config.js";
import { deliveryId, type NotifyEvent } from "./events.js";
import { jsonPayload, slackPayload } from "./payloads.js";
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  sign,
  TIMESTAMP_HEADER,
} from "./signature.js";

/**
 * Webhook delivery. A notification must never slow or fail a decision, so `notify` only
 * enqueues; delivery happens later, bounded in memory and time, and a failure is a log line.
 * Each webhook has its own queue and workers: a receiver that hangs or is down delays only
 * its own deliveries.
 */

export interface WebhookNotifierOptions {
  webhooks: WebhookConfig[];
  /** Failures, drops and give-ups, one line each (no secrets, URLs shortened). */
  log: (line: string) => void;
  /** Deliveries waiting per webhook; when full the oldest is dropped. Default 1000. */
  queueSize?: number;
  /** Deliveries in flight per webhook. Default 2. */
  concurrency?: number;
  /** Per attempt. Default 10 000 ms. */
  timeoutMs?: number;
  /** Attempts per delivery, the first included. Default 5. */
  maxAttempts?: number;
  /** Back-off before retry n (1-based): base·2^(n-1), capped, with jitter. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** A longer Retry-After is cut to this. Default 300 000 ms. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
  /** Epoch ms: signature timestamps and Retry-After dates. */
  now?: () => number;
  /** Waits before a retry; must settle (resolve or reject) when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** [0, 1), for jitter. */
  random?: () => number;
}

export interface NotifierStats {
  delivered: number;
  /** Gave up: a 4xx, a redirect, or attempts exhausted. */
  failed: number;
  /** Dropped from a full queue, or abandoned by `close`. */
  dropped: number;
  /** Waiting or in flight. */
  pending: number;
}

interface Job {
  event: NotifyEvent["type"];
  id: string;
  body: string;
}

type Attempt =
  | { outcome: "delivered" }
  | { outcome: "retry"; why: string; afterMs?: number }
  | { outcome: "fail"; why: string };

type Settings = Required<Omit<WebhookNotifierOptions, "webhooks" | "backoff">> & {
  backoff: { baseMs: number; maxMs: number };
};

type Outcome = "delivered" | "failed" | "dropped";

/** What the lanes share with their notifier. */
interface Hub {
  s: Settings;
  /** Aborted by close() when its time is up. */
  signal: AbortSignal;
  added(): void;
  settle(outcome: Outcome, count?: number): void;
}

export class WebhookNotifier {
  private readonly hub: Hub;
  private readonly lanes: Lane[];
  private readonly closing = new AbortController();
  private closed = false;
  private readonly waiters: (() => void)[] = [];
  private readonly counts: NotifierStats = { delivered: 0, failed: 0, dropped: 0, pending: 0 };

  constructor(options: WebhookNotifierOptions) {
    const log = (line: string) => {
      try {
        options.log(line);
      } catch {
        // A failing logger must not stop deliveries (nor leave them counted as pending).
      }
    };
    const s: Settings = {
      log,
      queueSize: Math.max(1, options.queueSize ?? 1000),
      concurrency: Math.max(1, options.concurrency ?? 2),
      timeoutMs: options.timeoutMs ?? 10_000,
      maxAttempts: Math.max(1, options.maxAttempts ?? 5),
      backoff: { baseMs: options.backoff?.baseMs ?? 1000, maxMs: options.backoff?.maxMs ?? 60_000 },
      maxRetryAfterMs: options.maxRetryAfterMs ?? 300_000,
      // Looked up per call, not captured: a test (or an APM agent) may replace it later.
      fetch: options.fetch ?? ((...args) => globalThis.fetch(...args)),
      now: options.now ?? Date.now,
      sleep: options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal })),
      random: options.random ?? Math.random,
    };
    this.hub = {
      s,
      signal: this.closing.signal,
      added: () => {
        this.counts.pending++;
      },
      settle: (outcome, count = 1) => {
        this.counts[outcome] += count;
        this.counts.pending -= count;
        if (this.counts.pending === 0) for (const w of this.waiters.splice(0)) w();
      },
    };
    this.lanes = options.webhooks.map((w) => new Lane(w, this.hub));
  }

  /** Queues the event for every webhook that wants it. Returns at once; never throws. */
  notify(event: NotifyEvent): void {
    const { log } = this.hub.s;
    try {
      const id = deliveryId(event);
      if (this.closed) {
        log(`webhooks: closed, ${id} not sent`);
        return;
      }
      // Built now, once per format: a later change to the caller's objects cannot leak in.
      const bodies = new Map<WebhookConfig["format"], string>();
      for (const lane of this.lanes) {
        const { format, events } = lane.webhook;
        if (events && !events.includes(event.type)) continue;
        let body = bodies.get(format);
        if (body === undefined) {
          body = JSON.stringify(format === "slack" ? slackPayload(event) : jsonPayload(event));
          bodies.set(format, body);
        }
        lane.push({ event: event.type, id, body });
      }
    } catch (error) {
      log(`webhooks: could not queue a notification: ${String(error)}`);
    }
  }

  /** Counts so far; `pending` is what is waiting or in flight. */
  stats(): NotifierStats {
    return { ...this.counts };
  }

  /** Resolves once nothing is waiting or in flight (retries included). */
  drain(): Promise<void> {
    if (this.counts.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Stops taking events, gives what is queued up to `timeoutMs` (default 5000) to be delivered,
   * then aborts the rest: in-flight requests and back-off waits end at once.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.drain(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.timeoutMs ?? 5000);
      }),
    ]);
    clearTimeout(timer);
    const left = this.counts.pending;
    if (left === 0) return;
    for (const lane of this.lanes) lane.abandon();
    this.closing.abort();
    await this.drain();
    this.hub.s.log(`webhooks: closed with ${left} notification(s) undelivered`);
  }
}

class Lane {
  private readonly queue: Job[] = [];
  private active = 0;
  private readonly name: string;

  constructor(
    readonly webhook: WebhookConfig,
    private readonly hub: Hub,
  ) {
    this.name = `webhook ${describeUrl(webhook.url)}`;
  }

  push(job: Job): void {
    const { queueSize, log } = this.hub.s;
    this.hub.added();
    this.queue.push(job);
    if (this.queue.length > queueSize) {
      const dropped = this.queue.shift() as Job;
      log(`${this.name}: queue full (${queueSize}), dropped the oldest, ${dropped.id}`);
      this.hub.settle("dropped");
    }
    this.pump();
  }

  /** Forgets what has not started: close() ran out of time. */
  abandon(): void {
    const n = this.queue.splice(0).length;
    if (n > 0) this.hub.settle("dropped", n);
  }

  private pump(): void {
    while (this.active < this.hub.s.concurrency && this.queue.length > 0) {
      const job = this.queue.shift() as Job;
      this.active++;
      void this.deliver(job).then((outcome) => {
        this.active--;
        this.hub.settle(outcome);
        this.pump();
      });
    }
  }

  /** Every attempt of one delivery. Never rejects. */
  private async deliver(job: Job): Promise<Outcome> {
    const { maxAttempts, sleep, log } = this.hub.s;
    const abort = this.hub.signal;
    for (let n = 1; ; n++) {
      const r = await this.attempt(job);
      if (r.outcome === "delivered") return "delivered";
      if (abort.aborted) return "dropped";
      if (r.outcome === "fail") {
        log(`${this.name}: ${job.id} not delivered: ${r.why} (not retried)`);
        return "failed";
      }
      if (n >= maxAttempts) {
        log(`${this.name}: ${job.id} not delivered after ${n} attempt(s): ${r.why}`);
        return "failed";
      }
      // Retry-After is a floor, never a way to retry faster than the back-off.
      const wait = Math.max(r.afterMs ?? 0, backoffMs(this.hub.s, n));
      log(`${this.name}: ${job.id} attempt ${n} failed: ${r.why}; retrying in ${wait} ms`);
      try {
        await sleep(wait, abort);
      } catch {
        // An aborted sleep: close() gave up on this delivery.
      }
      if (abort.aborted) return "dropped";
    }
  }

  private async attempt(job: Job): Promise<Attempt> {
    const { fetch, now, timeoutMs, maxRetryAfterMs } = this.hub.s;
    const timestamp = Math.floor(now() / 1000);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "redline-webhooks",
      [EVENT_HEADER]: job.event,
      [DELIVERY_HEADER]: job.id,
      [TIMESTAMP_HEADER]: String(timestamp),
    };
    if (this.webhook.secret)
      headers[SIGNATURE_HEADER] = sign(this.webhook.secret, timestamp, job.body);
    let res: Response;
    try {
      res = await fetch(this.webhook.url, {
        method: "POST",
        headers,
        body: job.body,
        // A redirect would send the payload somewhere not configured (and a 302 makes it a GET).
        redirect: "manual",
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.hub.signal]),
      });
    } catch (error) {
      return { outcome: "retry", why: networkError(error, timeoutMs) };
    }
    const text = await snippet(res);
    const status = `HTTP ${res.status}${text ? ` ${JSON.stringify(text)}` : ""}`;
    if (res.status >= 200 && res.status < 300) return { outcome: "delivered" };
    if (res.status === 429 || res.status >= 500) {
      const after = retryAfterMs(res.headers.get("retry-after"), now());
      return after === undefined
        ? { outcome: "retry", why: status }
        : { outcome: "retry", why: status, afterMs: Math.min(after, maxRetryAfterMs) };
    }
    if (res.status >= 300 && res.status < 400)
      return { outcome: "fail", why: `${status}: redirects are not followed` };
    return { outcome: "fail", why: status };
  }
}

/**
 * The wait before retry `n` (1-based): base·2^(n-1), capped, then jittered to ½–1× so that
 * the deliveries queued during an outage do not all retry at the same instant.
 */
function backoffMs(s: Settings, n: number): number {
  const d = Math.min(s.backoff.maxMs, s.backoff.baseMs * 2 ** (n - 1));
  return Math.round(d / 2 + (s.random() * d) / 2);
}

/** Retry-After as delta seconds or an HTTP date, in ms from now; undefined if absent or bad. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function networkError(error: unknown, timeoutMs: number): string {
  const e = error as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e?.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  if (e?.name === "AbortError") return "aborted";
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? String(error)}${cause ? ` (${cause})` : ""}`;
}

/** The start of the response body, for the log (Slack explains a 400 there); the rest is discarded. */
async function snippet(res: Response): Promise<string> {
  if (!res.body) return "";
  try {
    const reader = res.body.getReader();
    const first = await reader.read();
    await reader.cancel().catch(() => undefined);
    if (!first.value) return "";
    return new TextDecoder().decode(first.value.subarray(0, 200)).trim();
  } catch {
    return "";
  }
}
