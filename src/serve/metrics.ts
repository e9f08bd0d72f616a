import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AuditEntry } from "../audit/entry.js";
import type { StateStore } from "../store/ports.js";

/**
 * Which metrics a process keeps. `all`: a single-process server. With several workers
 * (`redline serve --workers`), each worker keeps what only it can see (`process`: latency, open
 * streams) and the primary what the log says once for all (`log`): counted in every worker,
 * the log's entries would be counted once per worker.
 */
export type MetricsScope = "all" | "process" | "log";

/**
 * Prometheus metrics. Counts come from the audit log as it is followed, so decisions made by
 * any enforcement point sharing the store are counted, not only this server's.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly entries?: Counter<"kind" | "decision">;
  private readonly latency?: Histogram;
  private readonly streams?: Gauge;

  /** `gather`: where the exposition comes from instead of this registry (a cluster's primary). */
  constructor(
    store: Pick<StateStore, "approvals" | "audit">,
    scope: MetricsScope = "all",
    private readonly gather?: () => Promise<string>,
  ) {
    const registers = [this.registry];
    if (scope !== "log") {
      this.latency = new Histogram({
        name: "redline_decision_duration_seconds",
        help: "Time to decide and durably record one POST /v1/decisions",
        buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25],
        registers,
      });
      this.streams = new Gauge({
        name: "redline_event_streams",
        help: "Open /v1/events streams",
        registers,
      });
    }
    if (scope === "process") return;
    this.entries = new Counter({
      name: "redline_audit_entries_total",
      help: "Audit entries seen, by kind (decision entries also by decision)",
      labelNames: ["kind", "decision"],
      registers,
    });
    new Gauge({
      name: "redline_approvals_pending",
      help: "Approval requests waiting for a human",
      registers,
      async collect() {
        this.set((await store.approvals.list({ status: "pending", limit: 10_000 })).length);
      },
    });
    new Gauge({
      name: "redline_audit_head_seq",
      help: "Sequence number of the newest audit entry",
      registers,
      async collect() {
        this.set((await store.audit.head()).seq);
      },
    });
  }

  saw(e: AuditEntry): void {
    this.entries?.inc({ kind: e.kind, decision: e.decision ?? "" });
  }

  decided(ms: number): void {
    this.latency?.observe(ms / 1000);
  }

  opened(delta: number): void {
    this.streams?.inc(delta);
  }

  /** The exposition `/metrics` answers with. */
  text(): Promise<string> {
    return this.gather ? this.gather() : this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
