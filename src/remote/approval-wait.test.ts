import { describe, expect, it } from "vitest";
import type { Action } from "../core/envelope.js";
import { awaitRelease, type Call, errorOf, type Reply } from "./approval-wait.js";

const action: Action = { agent: "ops-bot", kind: "shell", command: "git push --force" };

/**
 * A server that answers each exchange from a script, recording what it was asked. Like the
 * real one, it holds a poll of a pending request for the `wait` it was given (`holds`: scaled).
 */
function server(...replies: Reply[]) {
  const asked: { method: string; path: string; body?: unknown; timeoutMs?: number }[] = [];
  let holds = false;
  const call: Call = async (method, path, body, timeoutMs) => {
    asked.push({ method, path, body, timeoutMs });
    const r = replies.shift();
    if (!r) throw new Error(`unscripted ${method} ${path}`);
    const wait = Number(/wait=([\d.]+)/.exec(path)?.[1] ?? 0);
    if (holds && (r.body as { status?: string }).status === "pending")
      await new Promise((done) => setTimeout(done, wait * 1000));
    return r;
  };
  return {
    call,
    asked,
    holding() {
      holds = true;
    },
  };
}

describe("awaitRelease", () => {
  it("long-polls while pending, then releases the grant for exactly this action", async () => {
    const s = server(
      { status: 200, body: { status: "pending" } },
      { status: 200, body: { status: "granted" } },
      { status: 200, body: { status: "used" } },
    );
    let polls = 0;
    const w = await awaitRelease(s.call, "apr_1/x", action, { polling: () => polls++ });
    expect(w).toEqual({ granted: true });
    expect(polls).toBe(2);
    expect(s.asked).toEqual([
      { method: "GET", path: "v1/approvals/apr_1%2Fx?wait=20", timeoutMs: 30_000 },
      { method: "GET", path: "v1/approvals/apr_1%2Fx?wait=20", timeoutMs: 30_000 },
      { method: "POST", path: "v1/approvals/apr_1%2Fx/release", body: { action } },
    ]);
  });

  it("a human's refusal or expiry is refused, with the server's reason", async () => {
    const s = server({ status: 200, body: { status: "denied", statusReason: "not today" } });
    expect(await awaitRelease(s.call, "apr_1", action)).toEqual({
      granted: false,
      kind: "refused",
      why: "denied (not today)",
    });
    const e = server({ status: 200, body: { status: "expired" } });
    expect(await awaitRelease(e.call, "apr_1", action)).toMatchObject({ why: "expired" });
  });

  it("a poll the server refuses is refused, naming the HTTP status and error", async () => {
    const s = server({ status: 403, body: { error: "not your request" } });
    expect(await awaitRelease(s.call, "apr_1", action)).toEqual({
      granted: false,
      kind: "refused",
      why: "HTTP 403: not your request",
    });
  });

  it("a grant the server will not release (another action, used already) is unusable", async () => {
    const s = server(
      { status: 200, body: { status: "granted" } },
      { status: 409, body: { error: "already used" } },
    );
    expect(await awaitRelease(s.call, "apr_1", action)).toEqual({
      granted: false,
      kind: "unusable",
      why: "HTTP 409: already used",
    });
  });

  it("stops at the deadline, asking the server to hold each poll only for what is left", async () => {
    const s = server({ status: 200, body: { status: "pending" } });
    s.holding();
    const w = await awaitRelease(s.call, "apr_1", action, { deadline: Date.now() + 400 });
    expect(w).toMatchObject({ granted: false, kind: "timeout" });
    const wait = Number(/wait=([\d.]+)/.exec(s.asked[0]?.path ?? "")?.[1]);
    expect(wait).toBeGreaterThan(0.2);
    expect(wait).toBeLessThanOrEqual(0.4);
    expect(await awaitRelease(s.call, "apr_1", action, { deadline: Date.now() - 1 })).toMatchObject(
      {
        kind: "timeout",
      },
    );
    expect(s.asked).toHaveLength(1);
  });

  it("a cancelled wait asks nothing more", async () => {
    const abort = new AbortController();
    const s = server({ status: 200, body: { status: "pending" } });
    const polling = () => abort.abort();
    expect(await awaitRelease(s.call, "apr_1", action, { signal: abort.signal, polling })).toEqual({
      granted: false,
      kind: "cancelled",
      why: "the held call was cancelled",
    });
    expect(s.asked).toHaveLength(1);
  });

  it("a server that cannot be reached is thrown to the caller, which words it", async () => {
    const call: Call = async () => {
      throw new Error("ECONNREFUSED");
    };
    await expect(awaitRelease(call, "apr_1", action)).rejects.toThrow("ECONNREFUSED");
  });
});

describe("errorOf", () => {
  it("names the status, and the server's error or reason when the body has one", () => {
    expect(errorOf({ status: 500, body: "<html>oops</html>" })).toBe("HTTP 500");
    expect(errorOf({ status: 401, body: { reason: "expired" } })).toBe("HTTP 401: expired");
    expect(errorOf({ status: 400, body: null })).toBe("HTTP 400");
  });
});
