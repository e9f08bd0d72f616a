import { type FSWatcher, watch } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Analyzer } from "../core/facts.js";
import { compilePolicy } from "../core/policy/compile.js";
import type { Policy } from "../core/policy/model.js";
import { formatPolicyError, type PolicySource } from "../core/policy/source.js";
import type { PolicyView } from "./enforcer.js";

export interface ReloadOptions {
  files: readonly string[];
  /** Reads the files (I/O is the caller's); throws with a message naming the file. */
  read: (files: readonly string[]) => PolicySource[];
  analyzer: (policy: Policy) => Analyzer;
  /** Called after a good reload (with the new hash) and after a refused one (with why). */
  onReload?: (r: { ok: true; hash: string } | { ok: false; error: string }) => void;
  /** Coalesces the burst of events one save makes. */
  debounceMs?: number;
}

/**
 * The policy in force, reloaded when its files change. Atomic: a file that does not read or
 * compile keeps the last good policy (and says why); readers always see one whole policy and
 * its analyzer, never a mix.
 */
export class ReloadingPolicy {
  private view: PolicyView;
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    initial: Policy,
    private readonly o: ReloadOptions,
  ) {
    this.view = { policy: initial, analyze: o.analyzer(initial) };
  }

  readonly current = (): PolicyView => this.view;

  /** Watches the files' directories: editors replace a file rather than write it in place. */
  watch(): void {
    const files = new Set(this.o.files.map((f) => resolve(f)));
    for (const dir of new Set([...files].map((f) => dirname(f)))) {
      const w = watch(dir, (_event, name) => {
        if (name === null || files.has(resolve(dir, name.toString()))) this.schedule();
      });
      w.on("error", (error) =>
        this.o.onReload?.({ ok: false, error: `watching ${dir}: ${error.message}` }),
      );
      w.unref();
      this.watchers.push(w);
    }
  }

  /** Reads and compiles now; true if the policy in force changed. */
  reload(): boolean {
    let sources: PolicySource[];
    try {
      sources = this.o.read(this.o.files);
    } catch (error) {
      this.o.onReload?.({ ok: false, error: (error as Error).message });
      return false;
    }
    const r = compilePolicy(sources);
    if (!r.ok) {
      this.o.onReload?.({ ok: false, error: r.errors.map(formatPolicyError).join("; ") });
      return false;
    }
    if (r.policy.hash === this.view.policy.hash) return false;
    let analyze: Analyzer;
    try {
      analyze = this.o.analyzer(r.policy);
    } catch (error) {
      this.o.onReload?.({ ok: false, error: `analyzer: ${(error as Error).message}` });
      return false;
    }
    this.view = { policy: r.policy, analyze };
    this.o.onReload?.({ ok: true, hash: r.policy.hash });
    return true;
  }

  close(): void {
    clearTimeout(this.timer);
    for (const w of this.watchers.splice(0)) w.close();
  }

  private changed: (() => void) | undefined;

  /** Called after each reload that changed the policy. */
  onChange(f: () => void): void {
    this.changed = f;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.reload()) this.changed?.();
    }, this.o.debounceMs ?? 100);
    this.timer.unref();
  }
}
