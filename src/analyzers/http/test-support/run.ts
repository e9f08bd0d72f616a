import type { Facts } from "../../../core/facts.js";
import type { AnalysisContext, HttpRequest } from "../../types.js";
import { analyzeHttp } from "../index.js";

export function context(overrides: Partial<AnalysisContext> = {}): AnalysisContext {
  return {
    cwd: "/workspace",
    home: "/home/agent",
    workspace: "/workspace",
    egressAllowlist: [],
    internalHosts: [],
    depth: 0,
    ...overrides,
  };
}

/** A request in one line: `run("DELETE https://...", { body })`. */
export function run(
  line: string,
  options: {
    body?: unknown;
    headers?: Record<string, string>;
    ctx?: Partial<AnalysisContext>;
  } = {},
): Facts {
  const [method = "", url = ""] = line.split(" ");
  const body =
    typeof options.body === "string" || options.body === undefined
      ? options.body
      : JSON.stringify(options.body);
  const headers = { ...options.headers };
  if (
    options.body !== undefined &&
    typeof options.body !== "string" &&
    !hasHeader(headers, "content-type")
  )
    headers["content-type"] = "application/json";
  const request: HttpRequest = { method, url, headers, ...(body === undefined ? {} : { body }) };
  return analyzeHttp(request, context(options.ctx));
}

/** Categories, sorted, for exact comparison. */
export function categories(facts: Facts): string[] {
  return [...facts.categories].sort();
}

export function reasons(facts: Facts): string {
  return facts.findings.map((f) => f.reason).join(" | ");
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}
