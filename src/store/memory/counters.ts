import type { Counters } from "../ports.js";

/** Counters for one process with no state directory (`redline eval` without --record). */
export class MemoryCounters implements Counters {
  private readonly entries = new Map<string, { at: number; amount: number }[]>();

  async add(key: string, at: number, amount = 1): Promise<void> {
    const list = this.entries.get(key);
    if (list) list.push({ at, amount });
    else this.entries.set(key, [{ at, amount }]);
  }

  async sum(key: string, since: number): Promise<number> {
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
