import { realpathSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { type AnalyzerParts, createAnalyzer, loadAnalyzerParts } from "../analyzers/index.js";
import type { Analyzer } from "../core/facts.js";
import type { Policy } from "../core/policy/model.js";

/** The analyzer for a policy, with this process's I/O (symlinks, clock) supplied. */
export async function analyzerFor(policy: Policy): Promise<Analyzer> {
  return analyzerWith(await loadAnalyzerParts(), policy);
}

/**
 * Same, from parsers already loaded: a reloaded policy gets its analyzer synchronously.
 * `localPaths: false` for a control plane, whose agents' paths are on their own machines:
 * resolving symlinks here would judge them by the wrong filesystem.
 */
export function analyzerWith(
  parts: AnalyzerParts,
  policy: Policy,
  o: { localPaths?: boolean } = {},
): Analyzer {
  return createAnalyzer(parts, policy.analysis, {
    home: process.env.HOME ?? homedir(),
    ...(o.localPaths === false ? {} : { realpath }),
    now: () => performance.now(),
  });
}

/** Resolves symlinks in the longest existing prefix, so a file yet to be written is placed too. */
export function realpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realpath(parent), basename(path));
  }
}
