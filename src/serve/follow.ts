import type { AuditEntry } from "../audit/entry.js";
import type { AuditLog } from "../store/ports.js";

/**
 * Follows the audit log: every entry appended by any process sharing the store (this server,
 * MCP gateways, the CLI) reaches the subscribers, in order, once. The live feed, the
 * notifications and the metrics all read the log itself, so what they show is what is proven.
 */
export class AuditFollower {
  private readonly subscribers = new Set<(e: AuditEntry) => void>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  lastSeq = 0;

  constructor(
    private readonly audit: AuditLog,
    private readonly o: { pollMs?: number; log?: (line: string) => void } = {},
  ) {}

  /** Starts at the current head: only what is appended from now on is followed. */
  async start(): Promise<void> {
    this.lastSeq = (await this.audit.head()).seq;
    const tick = async () => {
      if (this.running) return;
      this.running = true;
      try {
        await this.poll();
      } catch (error) {
        this.o.log?.(`audit follower: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.running = false;
      }
    };
    this.timer = setInterval(tick, this.o.pollMs ?? 100);
    this.timer.unref();
  }

  subscribe(f: (e: AuditEntry) => void): () => void {
    this.subscribers.add(f);
    return () => this.subscribers.delete(f);
  }

  /** Reads what was appended since the last poll (also callable directly, e.g. in tests). */
  async poll(): Promise<void> {
    // Nobody to deliver to (a worker of `serve --workers` without event streams): only keep
    // up with the head, instead of reading and parsing every entry each process appends.
    if (this.subscribers.size === 0) {
      this.lastSeq = (await this.audit.head()).seq;
      return;
    }
    for (;;) {
      const batch = await this.audit.query({ afterSeq: this.lastSeq, limit: 500 });
      for (const e of batch) {
        this.lastSeq = e.seq;
        for (const f of this.subscribers) {
          try {
            f(e);
          } catch (error) {
            this.o.log?.(
              `audit subscriber: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
        }
      }
      if (batch.length < 500) return;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
