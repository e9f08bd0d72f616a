import { type Facts, FactsBuilder } from "../../../core/facts.js";
import type { AnalysisContext, HttpRequest, Nested } from "../../types.js";
import { loadShellAnalyzer } from "../index.js";

/** Test support: the analyzer with a composite-like Nested (depth-counting, stubbed SQL and HTTP). */
export interface Probe {
  facts: Facts;
  sql: string[];
  http: HttpRequest[];
  shells: string[];
}

export const HOME = "/home/agent";
export const WORKSPACE = "/home/agent/project";

export function context(overrides: Partial<AnalysisContext> = {}): AnalysisContext {
  return {
    cwd: WORKSPACE,
    home: HOME,
    workspace: WORKSPACE,
    egressAllowlist: ["*.example.com", "github.com"],
    internalHosts: [],
    depth: 0,
    ...overrides,
  };
}

/** SQL that destroys data, as a stand-in for the SQL analyzer. */
const DESTRUCTIVE_SQL = /\b(drop|truncate)\b|\bdelete\s+from\s+\w+\s*;?\s*$/i;

export async function probe(
  command: string,
  overrides: Partial<AnalysisContext> = {},
): Promise<Probe> {
  const analyze = await loadShellAnalyzer();
  const seen: Probe = { facts: undefined as unknown as Facts, sql: [], http: [], shells: [] };
  const nested: Nested = {
    shell(text, ctx) {
      seen.shells.push(text);
      if (ctx.depth >= 8)
        return {
          categories: ["opaque"],
          flags: [],
          targets: { paths: [], tables: [], hosts: [], resources: [] },
          findings: [{ category: "opaque", reason: "too deep" }],
        };
      return analyze(text, { ...ctx, depth: ctx.depth + 1 }, nested);
    },
    sql(statement) {
      seen.sql.push(statement);
      const out = new FactsBuilder();
      if (DESTRUCTIVE_SQL.test(statement)) out.add("data.destroy", `SQL: ${statement}`);
      return out.build();
    },
    http(request) {
      seen.http.push(request);
      return new FactsBuilder().build();
    },
  };
  seen.facts = analyze(command, context(overrides), nested);
  return seen;
}

export async function categories(
  command: string,
  overrides: Partial<AnalysisContext> = {},
): Promise<string[]> {
  return [...(await probe(command, overrides)).facts.categories].sort();
}
