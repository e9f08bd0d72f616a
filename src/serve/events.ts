import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuditEntry } from "../audit/entry.js";
import type { AuditLog } from "../store/ports.js";
import type { AuditFollower } from "./follow.js";

const KEEPALIVE_MS = 15_000;

/**
 * `GET /v1/events`: audit entries as Server-Sent Events (`id` = audit seq, `event` = entry kind),
 * live. A client that reconnects with `Last-Event-ID` (or `?after=SEQ`) first gets what it
 * missed, from the log itself, so a dashboard never silently skips an approval request.
 */
export async function streamEvents(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  audit: AuditLog,
  follower: AuditFollower,
  onCount: (delta: number) => void,
): Promise<void> {
  const after = Number(req.headers["last-event-id"] ?? url.searchParams.get("after") ?? Number.NaN);
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  res.write("retry: 2000\n\n");
  const write = (e: AuditEntry) =>
    res.write(`id: ${e.seq}\nevent: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`);
  let last = Number.isFinite(after) ? after : follower.lastSeq;
  // Replay what was missed, then follow; entries are written in seq order exactly once.
  const backlog: AuditEntry[] = [];
  let replaying = true;
  const unsubscribe = follower.subscribe((e) => {
    if (replaying) backlog.push(e);
    else if (e.seq > last) {
      last = e.seq;
      write(e);
    }
  });
  onCount(1);
  const keepalive = setInterval(() => res.write(": keep-alive\n\n"), KEEPALIVE_MS);
  keepalive.unref();
  req.once("close", () => {
    clearInterval(keepalive);
    unsubscribe();
    onCount(-1);
  });
  if (Number.isFinite(after)) {
    for (;;) {
      const missed = await audit.query({ afterSeq: last, limit: 500 });
      for (const e of missed) {
        last = e.seq;
        write(e);
      }
      if (missed.length < 500) break;
    }
  }
  replaying = false;
  for (const e of backlog)
    if (e.seq > last) {
      last = e.seq;
      write(e);
    }
}
