import { exceeds } from "../../core/engine/limits.js";
import type { Counters, Reservation, Reserved } from "../ports.js";

/** Counters for one process with no state directory (`redline eval` without --record). */
export class MemoryCounters implements Counters {
  private readonly entries = new Map<string, { at: number; amount: number }[]>();

  async add(key: string, at: number, amount = 1): Promise<void> {
    this.push(key, at, amount);
  }

  private push(key: string, at: number, amount: number): void {
    const list = this.entries.get(key);
    if (list) list.push({ at, amount });
    else this.entries.set(key, [{ at, amount }]);
  }

  async reserve(items: readonly Reservation[], at: number): Promise<Reserved> {
    // Synchronous from the sums to the last add: nothing else runs in between.
    const usage: Record<string, number> = {};
    for (const r of items) usage[r.key] = this.total(r.key, r.since);
    if (items.some((r) => exceeds(usage[r.key] ?? 0, r.amount, r.max))) return { ok: false, usage };
    for (const r of items) this.push(r.key, at, r.amount);
    return { ok: true };
  }

  async sum(key: string, since: number): Promise<number> {
    return this.total(key, since);
  }

  private total(key: string, since: number): number {
    let total = 0;
    for (const e of this.entries.get(key) ?? []) if (e.at >= since) total += e.amount;
    return total;
  }

  async prune(before: number): Promise<number> {
    let removed = 0;
    for (const [key, list] of this.entries) {
      const kept = list.filter((e) => e.at >= before);
      removed += list.length - kept.length;
      this.entries.set(key, kept);
    }
    return removed;
  }
}
