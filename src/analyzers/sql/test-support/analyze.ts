import type { Facts } from "../../../core/facts.js";
import type { AnalysisContext } from "../../types.js";
import { loadSqlAnalyzer } from "../index.js";

const analyzer = await loadSqlAnalyzer();

/** A context as the composite analyzer passes it for a top-level `sql` action. */
export const CTX: AnalysisContext = {
  cwd: "/work",
  home: "/home/agent",
  workspace: "/work",
  egressAllowlist: [],
  internalHosts: [],
  depth: 1,
};

export function analyze(sql: string, ctx: AnalysisContext = CTX): Facts {
  return analyzer(sql, ctx);
}

/** The categories of `sql`, sorted, `opaque` included. */
export function categories(sql: string): string[] {
  return [...analyze(sql).categories].sort();
}

/** One table-driven case: SQL, the exact categories, and optionally flags and targets it must have. */
export type Case = [
  sql: string,
  categories: string[],
  expect?: {
    flags?: string[];
    tables?: string[];
    paths?: string[];
    hosts?: string[];
    resources?: string[];
  },
];

/** Checks a case; returns a message on mismatch so that `expect(...).toBe("")` shows the SQL. */
export function mismatch([sql, cats, want = {}]: Case, ctx: AnalysisContext = CTX): string {
  const f = analyze(sql, ctx);
  const problems: string[] = [];
  const got = [...f.categories].sort();
  if (got.join() !== [...cats].sort().join()) problems.push(`categories ${JSON.stringify(got)}`);
  for (const flag of want.flags ?? [])
    if (!f.flags.includes(flag)) problems.push(`no flag ${flag} in ${JSON.stringify(f.flags)}`);
  for (const kind of ["tables", "paths", "hosts", "resources"] as const) {
    const expected = want[kind];
    if (expected !== undefined && f.targets[kind].join() !== expected.join())
      problems.push(`${kind} ${JSON.stringify(f.targets[kind])}`);
  }
  return problems.length === 0
    ? ""
    : `${sql}: ${problems.join("; ")} (${JSON.stringify(f.findings)})`;
}
