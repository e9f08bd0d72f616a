import type { Action } from "../core/envelope.js";

/**
 * Waiting for a human through a control plane, shared by the enforcement points that use one
 * (`redline mcp --server` with fetch, the Claude Code hook with node:http): each brings its
 * own transport and words the outcome its own way.
 */

/** One exchange with the server: its status and body (parsed JSON, else the text). */
export interface Reply {
  status: number;
  body: unknown;
}
export type Call = (
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  timeoutMs?: number,
) => Promise<Reply>;

/** How a wait ended. A server that cannot be reached is an exception, for the caller to word. */
export type Waited =
  | { granted: true }
  | { granted: false; kind: "refused" | "unusable" | "timeout" | "cancelled"; why: string };

/** The longest a single long poll asks the server to hold it, in seconds. */
const LONGEST_POLL_S = 20;

/**
 * Long-polls approval `id` until it is decided (or `deadline`, epoch ms, passes), then uses the
 * grant for exactly `action`, once: the server refuses a grant for any other action.
 */
export async function awaitRelease(
  call: Call,
  id: string,
  action: Action,
  o: { deadline?: number; signal?: AbortSignal; polling?: () => void } = {},
): Promise<Waited> {
  const path = `v1/approvals/${encodeURIComponent(id)}`;
  for (;;) {
    if (o.signal?.aborted)
      return { granted: false, kind: "cancelled", why: "the held call was cancelled" };
    const left = o.deadline === undefined ? LONGEST_POLL_S : (o.deadline - Date.now()) / 1000;
    if (left <= 0) return { granted: false, kind: "timeout", why: "still pending" };
    const wait = Math.min(LONGEST_POLL_S, Math.ceil(left * 10) / 10);
    o.polling?.();
    const r = await call("GET", `${path}?wait=${wait}`, undefined, (wait + 10) * 1000);
    if (r.status !== 200) return { granted: false, kind: "refused", why: errorOf(r) };
    const { status, statusReason } = r.body as { status?: unknown; statusReason?: unknown };
    if (status === "pending") continue;
    if (status !== "granted") {
      const reason = typeof statusReason === "string" ? ` (${statusReason})` : "";
      return { granted: false, kind: "refused", why: `${String(status)}${reason}` };
    }
    const used = await call("POST", `${path}/release`, { action });
    return used.status === 200
      ? { granted: true }
      : { granted: false, kind: "unusable", why: errorOf(used) };
  }
}

/** `HTTP 409: why`, from the server's `error` (or `reason`) when it gave one. */
export function errorOf(r: Reply): string {
  const b = r.body as { error?: unknown; reason?: unknown } | string | null;
  const e = typeof b === "object" && b !== null ? (b.error ?? b.reason) : undefined;
  return `HTTP ${r.status}${typeof e === "string" ? `: ${e}` : ""}`;
}
