import { afterEach, describe, expect, it } from "vitest";
import type { WebhookConfig } from "./config.js";
import type { JsonPayload, SlackPayload } from "./payloads.js";
import { verifySignature } from "./signature.js";
import { approvalEvent, quarantineEvent } from "./test-support/events.js";
import { ok, startReceiver, status } from "./test-support/receiver.js";
import { retryAfterMs, WebhookNotifier, type WebhookNotifierOptions } from "./webhooks.js";

const SECRET = "whsec-test";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  cleanups.push(r.close);
  return r;
}

function notifier(webhooks: WebhookConfig[], over: Partial<WebhookNotifierOptions> = {}) {
  const lines: string[] = [];
  const waits: number[] = [];
  const n = new WebhookNotifier({
    webhooks,
    log: (line) => lines.push(line),
    timeoutMs: 2000,
    backoff: { baseMs: 20, maxMs: 1000 },
    random: () => 1,
    // Real waits, kept short, and recorded so the test can check the schedule.
    sleep: (ms, signal) => {
      waits.push(ms);
      return new Promise((resolve) => {
        const t = setTimeout(resolve, Math.min(ms, 50));
        signal.addEventListener("abort", () => {
          clearTimeout(t);
          resolve();
        });
      });
    },
    ...over,
  });
  cleanups.push(() => n.close({ timeoutMs: 0 }));
  return { n, lines, waits };
}

describe("webhook delivery", () => {
  it("posts the generic JSON payload, signed, with event and delivery headers", async () => {
    const r = await receiver();
    const { n } = notifier([{ url: r.url, format: "json", secret: SECRET }]);
    n.notify(approvalEvent(42, { dashboardUrl: "https://redline.example/approvals/apr_x" }));
    await n.drain();
    expect(r.received).toHaveLength(1);
    const got = r.received[0];
    expect(got?.headers["content-type"]).toBe("application/json");
    expect(got?.headers["x-redline-event"]).toBe("approval.requested");
    expect(got?.headers["x-redline-delivery"]).toBe("42.approval.requested");
    const body = JSON.parse(got?.body ?? "") as JsonPayload;
    expect(body).toMatchObject({
      type: "approval.requested",
      id: "42.approval.requested",
      agent: "ops-bot",
      approval: {
        id: "apr_abcdefghijklmnopqrstuvwx",
        action: { kind: "shell", command: "git push --force" },
        categories: ["vcs.rewrite"],
        rules: ["coding.vcs"],
        quorum: 1,
        url: "https://redline.example/approvals/apr_x",
      },
    });
    expect(n.stats()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
  });

  it("signs so that the receiver can verify the raw body, and a tampered body fails", async () => {
    const r = await receiver();
    const { n } = notifier([{ url: r.url, format: "json", secret: SECRET }]);
    n.notify(quarantineEvent());
    await n.drain();
    const got = r.received[0];
    if (!got) throw new Error("nothing received");
    const { headers, body } = got;
    const ts = headers["x-redline-timestamp"] as string;
    const sig = headers["x-redline-signature"] as string;
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
    expect(verifySignature(SECRET, ts, body, sig)).toEqual({ ok: true });
    expect(verifySignature(SECRET, ts, body.replace("ops-bot", "ops-bop"), sig).ok).toBe(false);
    expect(verifySignature("another secret", ts, body, sig).ok).toBe(false);
    expect(verifySignature(SECRET, String(Number(ts) + 1), body, sig).ok).toBe(false);
    expect(JSON.parse(body)).toMatchObject({
      type: "agent.quarantined",
      id: "43.agent.quarantined",
      quarantine: { reason: "circuit breaker: 5 denials within 60s" },
    });
  });

  it("sends no signature without a secret", async () => {
    const r = await receiver();
    const { n } = notifier([{ url: r.url, format: "json" }]);
    n.notify(quarantineEvent());
    await n.drain();
    expect(r.received[0]?.headers["x-redline-signature"]).toBeUndefined();
    expect(r.received[0]?.headers["x-redline-timestamp"]).toMatch(/^\d+$/);
  });

  it("posts the Slack-compatible payload to a slack webhook", async () => {
    const r = await receiver();
    const { n } = notifier([{ url: r.url, format: "slack" }]);
    n.notify(approvalEvent(7, { dashboardUrl: "https://redline.example/a" }));
    await n.drain();
    const body = JSON.parse(r.received[0]?.body ?? "") as SlackPayload;
    expect(body.text).toContain("approval requested for ops-bot");
    expect(body.blocks.map((b) => b.type)).toEqual(["section", "actions"]);
    const section = body.blocks[0];
    expect(section?.type === "section" && section.text.text).toContain("git push --force");
    expect(body.blocks[1]).toMatchObject({
      elements: [{ type: "button", url: "https://redline.example/a" }],
    });
  });

  it("retries after two 503s, backing off, and delivers once with the same delivery id", async () => {
    const r = await receiver((i, res) => (i < 2 ? status(503)(i, res) : ok(i, res)));
    const { n, waits, lines } = notifier([{ url: r.url, format: "json", secret: SECRET }]);
    n.notify(approvalEvent());
    await n.drain();
    expect(r.received).toHaveLength(3);
    // random() = 1: the full exponential delay, base 20 ms.
    expect(waits).toEqual([20, 40]);
    const [a, b, c] = r.received.map((x) => x.at) as [number, number, number];
    expect(b - a).toBeGreaterThanOrEqual(15);
    expect(c - b).toBeGreaterThanOrEqual(35);
    expect(new Set(r.received.map((x) => x.headers["x-redline-delivery"]))).toEqual(
      new Set(["42.approval.requested"]),
    );
    for (const x of r.received) {
      const h = x.headers;
      const v = verifySignature(
        SECRET,
        h["x-redline-timestamp"] as string,
        x.body,
        h["x-redline-signature"] as string,
      );
      expect(v.ok).toBe(true);
    }
    expect(n.stats()).toMatchObject({ delivered: 1, failed: 0 });
    expect(lines.filter((l) => l.includes("HTTP 503"))).toHaveLength(2);
    expect(lines.join("\n")).not.toContain("secret-path");
  });

  it("jitters the back-off between half and all of the exponential delay", async () => {
    const r = await receiver((i, res) => (i < 1 ? status(500)(i, res) : ok(i, res)));
    const { n, waits } = notifier([{ url: r.url, format: "json" }], { random: () => 0 });
    n.notify(approvalEvent());
    await n.drain();
    expect(waits).toEqual([10]);
  });

  it("gives up after maxAttempts", async () => {
    const r = await receiver(status(502));
    const { n, lines } = notifier([{ url: r.url, format: "json" }], { maxAttempts: 3 });
    n.notify(approvalEvent());
    await n.drain();
    expect(r.received).toHaveLength(3);
    expect(n.stats()).toMatchObject({ delivered: 0, failed: 1, pending: 0 });
    expect(lines.at(-1)).toMatch(
      /42\.approval\.requested not delivered after 3 attempt\(s\): HTTP 502/,
    );
  });

  it("does not retry a 400, and logs the receiver's explanation", async () => {
    const r = await receiver(status(400, {}, "invalid_payload"));
    const { n, lines, waits } = notifier([{ url: r.url, format: "slack" }]);
    n.notify(approvalEvent());
    await n.drain();
    expect(r.received).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(n.stats()).toMatchObject({ failed: 1 });
    expect(lines).toEqual([
      "webhook http://127.0.0.1:" +
        new URL(r.url).port +
        '/…: 42.approval.requested not delivered: HTTP 400 "invalid_payload" (not retried)',
    ]);
  });

  it("does not follow redirects", async () => {
    const r = await receiver(status(302, { location: "http://127.0.0.1:1/elsewhere" }));
    const { n, lines } = notifier([{ url: r.url, format: "json" }]);
    n.notify(approvalEvent());
    await n.drain();
    expect(r.received).toHaveLength(1);
    expect(lines[0]).toContain("redirects are not followed");
  });

  it("honours Retry-After on a 429", async () => {
    const r = await receiver((i, res) =>
      i === 0 ? status(429, { "retry-after": "3" })(i, res) : ok(i, res),
    );
    const { n, waits } = notifier([{ url: r.url, format: "json" }]);
    n.notify(approvalEvent());
    await n.drain();
    expect(r.received).toHaveLength(2);
    expect(waits).toEqual([3000]);
  });

  it("never retries sooner than the back-off, whatever Retry-After says", async () => {
    const r = await receiver((i, res) =>
      i === 0 ? status(503, { "retry-after": "0" })(i, res) : ok(i, res),
    );
    const { n, waits } = notifier([{ url: r.url, format: "json" }]);
    n.notify(approvalEvent());
    await n.drain();
    expect(waits).toEqual([20]);
  });

  it("caps a long Retry-After", async () => {
    const r = await receiver((i, res) =>
      i === 0 ? status(503, { "retry-after": "86400" })(i, res) : ok(i, res),
    );
    const { n, waits } = notifier([{ url: r.url, format: "json" }], { maxRetryAfterMs: 60_000 });
    n.notify(approvalEvent());
    await n.drain();
    expect(waits).toEqual([60_000]);
  });

  it("retries a network error", async () => {
    // A port nothing listens on: take one, then close it.
    const gone = await startReceiver();
    await gone.close();
    const { n, lines } = notifier([{ url: gone.url, format: "json" }], { maxAttempts: 2 });
    n.notify(approvalEvent());
    await n.drain();
    expect(lines[0]).toMatch(/attempt 1 failed: .*ECONNREFUSED.*retrying/);
    expect(n.stats()).toMatchObject({ failed: 1 });
  });

  it("never blocks notify() on a receiver that never answers, and retries the timed-out attempt", async () => {
    const r = await receiver((i, res) => {
      if (i > 0) ok(i, res); // the first request is left hanging
    });
    const { n, lines } = notifier([{ url: r.url, format: "json" }], { timeoutMs: 300 });
    const t0 = performance.now();
    n.notify(approvalEvent());
    n.notify(quarantineEvent());
    expect(performance.now() - t0).toBeLessThan(50);
    expect(n.stats().pending).toBe(2);
    await n.drain();
    expect(
      lines.some((l) =>
        /42\.approval\.requested attempt 1 failed: no answer within 300 ms/.test(l),
      ),
    ).toBe(true);
    expect(r.received.map((x) => x.headers["x-redline-delivery"]).sort()).toEqual([
      "42.approval.requested",
      "42.approval.requested",
      "43.agent.quarantined",
    ]);
    expect(n.stats()).toMatchObject({ delivered: 2, failed: 0 });
  });

  it("drops the oldest waiting delivery when the queue is full", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const r = await receiver((i, res) => {
      if (i === 0) void held.then(() => ok(i, res));
      else ok(i, res);
    });
    const { n, lines } = notifier([{ url: r.url, format: "json" }], {
      concurrency: 1,
      queueSize: 2,
    });
    n.notify(approvalEvent(1)); // in flight, held
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const seq of [2, 3, 4, 5]) n.notify(approvalEvent(seq));
    expect(lines).toEqual([
      expect.stringMatching(/queue full \(2\), dropped the oldest, 2\.approval\.requested$/),
      expect.stringMatching(/queue full \(2\), dropped the oldest, 3\.approval\.requested$/),
    ]);
    release();
    await n.drain();
    expect(r.received.map((x) => x.headers["x-redline-delivery"])).toEqual([
      "1.approval.requested",
      "4.approval.requested",
      "5.approval.requested",
    ]);
    expect(n.stats()).toEqual({ delivered: 3, failed: 0, dropped: 2, pending: 0 });
  });

  it("sends each webhook only the events it asked for", async () => {
    const approvals = await receiver();
    const all = await receiver();
    const { n } = notifier([
      { url: approvals.url, format: "json", events: ["approval.requested"] },
      { url: all.url, format: "slack" },
    ]);
    n.notify(approvalEvent(1));
    n.notify(quarantineEvent(2));
    await n.drain();
    expect(approvals.received.map((x) => x.headers["x-redline-event"])).toEqual([
      "approval.requested",
    ]);
    expect(all.received.map((x) => x.headers["x-redline-event"]).sort()).toEqual([
      "agent.quarantined",
      "approval.requested",
    ]);
  });

  it("close() aborts what is still in flight after its deadline, and notify() then only logs", async () => {
    const r = await receiver(() => undefined); // never answers
    const { n, lines } = notifier([{ url: r.url, format: "json" }], { timeoutMs: 60_000 });
    n.notify(approvalEvent());
    n.notify(quarantineEvent());
    n.notify(quarantineEvent(44));
    const t0 = performance.now();
    await n.close({ timeoutMs: 100 });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(n.stats()).toEqual({ delivered: 0, failed: 0, dropped: 3, pending: 0 });
    expect(lines.at(-1)).toBe("webhooks: closed with 3 notification(s) undelivered");
    n.notify(approvalEvent());
    expect(lines.at(-1)).toBe("webhooks: closed, 42.approval.requested not sent");
  });

  it("survives a logger that throws and a fetch that throws synchronously", async () => {
    const n = new WebhookNotifier({
      webhooks: [{ url: "http://127.0.0.1:1/", format: "json" }],
      log: () => {
        throw new Error("logger down");
      },
      maxAttempts: 1,
      fetch: () => {
        throw new TypeError("boom");
      },
    });
    expect(() => n.notify(approvalEvent())).not.toThrow();
    await n.drain();
    expect(n.stats()).toMatchObject({ failed: 1, pending: 0 });
  });
});

describe("retryAfterMs", () => {
  it("reads delta seconds and HTTP dates, and ignores nonsense", () => {
    const now = Date.parse("2026-11-26T00:00:00Z");
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs("Thu, 26 Nov 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Wed, 25 Nov 2026 00:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
