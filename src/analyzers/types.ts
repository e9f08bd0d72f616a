import type { Facts } from "../core/facts.js";

/**
 * What every analyzer is told about where an action runs. Built by the composite analyzer from
 * the action and the policy; analyzers never read the environment themselves.
 */
export interface AnalysisContext {
  /** Working directory of the action (absolute), when known. Relative paths resolve against it. */
  cwd: string | undefined;
  /** `$HOME` for `~` and `$HOME` expansion. */
  home: string;
  /** The root the agent may write under; writes elsewhere are `security.weaken`. Defaults to cwd. */
  workspace: string | undefined;
  /** Host globs the agent may send data to; other destinations of local data are `network.egress`. */
  egressAllowlist: readonly string[];
  /** Hosts considered inside the organisation (for `external.send`, e.g. `*.corp.example`). */
  internalHosts: readonly string[];
  /** Nesting depth of re-parsed strings (bash -c inside eval inside ...); bounded, then opaque. */
  depth: number;
  /**
   * Resolves symlinks of an absolute path, supplied by the adapter (the core does no I/O).
   * Absent: paths are taken lexically.
   */
  realpath?: (path: string) => string;
}

export const MAX_DEPTH = 8;

/** One HTTP request as the HTTP analyzer sees it (from an `http` action, curl/wget, or a tool). */
export interface HttpRequest {
  method: string;
  url: string;
  headers?: Readonly<Record<string, string>>;
  body?: string;
}

/**
 * The analyzers call each other through this, injected by the composite analyzer, so that each
 * can be built and tested alone: the shell analyzer hands `psql -c` SQL to `sql`, a curl call to
 * `http`, and so on. Each returns facts for its piece, with `ctx.depth` already increased.
 */
export interface Nested {
  shell(command: string, ctx: AnalysisContext): Facts;
  sql(statement: string, ctx: AnalysisContext): Facts;
  http(request: HttpRequest, ctx: AnalysisContext): Facts;
}
