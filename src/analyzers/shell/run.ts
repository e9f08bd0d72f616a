import picomatch from "picomatch";
import { FactsBuilder } from "../../core/facts.js";
import { isArtefact, type PathOp, type PathUse, pathFacts, resolvePath } from "../paths/index.js";
import { type AnalysisContext, type HttpRequest, MAX_DEPTH, type Nested } from "../types.js";
import type { Scope, Stream, Word } from "./model.js";
import { expandBraces } from "./words.js";

/** Analyses one argv (after the command name is resolved); wrappers and handlers recurse through it. */
export type Exec = (run: Run, words: Word[], scope: Scope, stdin: Stream) => Stream;

const WHOLE_GLOB = new Set(["*", ".*", "**", "*.*"]);

/** `$D/node_modules`: whatever `$D` is, the path ends in build output. */
function regenerable(suffix: string): boolean {
  const trimmed = suffix.replace(/\/+$/, "");
  return trimmed.includes("/") && isArtefact(trimmed, undefined);
}

/** One analysis: the context, the nested analyzers, and the facts being gathered. */
export class Run {
  /** Whether what the current command prints reaches the agent (not a pipe, file or `$(...)`). */
  stdoutShown = true;

  constructor(
    readonly ctx: AnalysisContext,
    readonly nested: Nested,
    private readonly execute: Exec,
    readonly out = new FactsBuilder(),
  ) {}

  /** Analyses another argv in this run (wrappers, find -exec, xargs, interpreters). */
  command(words: Word[], scope: Scope, stdin: Stream): Stream {
    return this.execute(this, words, scope, stdin);
  }

  /** The context for something running in `scope` (its working directory). */
  at(scope: Scope): AnalysisContext {
    return scope.cwd === this.ctx.cwd ? this.ctx : { ...this.ctx, cwd: scope.cwd };
  }

  /**
   * The context to judge `value` in: a relative path under an unknown working directory is
   * judged against that directory as if it were the workspace (`cd "$D" && rm -rf *`).
   */
  private judge(value: string, scope: Scope): AnalysisContext {
    const ctx = this.at(scope);
    if (ctx.cwd !== undefined || /^([/~]|\$HOME|\$\{HOME\}|[A-Za-z]:)/.test(value)) return ctx;
    return { ...ctx, workspace: undefined };
  }

  /** Records what `op` does to the path a word names, with globs and run-time parts handled. */
  path(word: Word, op: PathOp, scope: Scope, use: PathUse = {}): void {
    if (!word.literal) {
      this.dynamicPath(word, op, scope, use);
      return;
    }
    const values = word.brace ? expandBraces(word.value) : [word.value];
    for (const value of values) this.literalPath(value, word.glob, op, scope, use);
  }

  private literalPath(value: string, glob: boolean, op: PathOp, scope: Scope, use: PathUse): void {
    const ctx = this.judge(value, scope);
    if (glob) {
      const parts = value.split("/");
      const at = parts.findIndex((p) => /[*?[]/.test(p));
      if (at >= 0 && at === parts.length - 1 && WHOLE_GLOB.has(parts[at] as string)) {
        // `dir/*` is everything in dir: as bad as deleting dir itself.
        const dir = parts.slice(0, at).join("/") || (value.startsWith("/") ? "/" : ".");
        const abs = resolvePath(dir, ctx);
        const all = abs === "/" ? `/${parts[at]}` : `${abs}/${parts[at]}`;
        pathFacts(abs, op, ctx, this.out, {
          ...use,
          contents: true,
          display: use.display ?? all,
          untracked: true,
        });
        this.out.target("paths", all);
        return;
      }
    }
    pathFacts(resolvePath(value, ctx), op, ctx, this.out, use);
  }

  /**
   * A path only known at run time. Where its known prefix pins a directory, a recursive delete
   * is judged as deleting that directory (the variable may be empty: `rm -rf /srv/$X`);
   * otherwise only a regenerable suffix (`$D/node_modules`) makes it safe.
   */
  private dynamicPath(word: Word, op: PathOp, scope: Scope, use: PathUse): void {
    this.out.flag("unknown-target");
    const slash = word.prefix.lastIndexOf("/");
    const destroys = op === "delete" && (use.recursive || use.contents);
    const verb = use.verb ?? `${op} of`;
    if (slash < 0) {
      if (!destroys || regenerable(word.suffix)) return;
      this.out.add("data.destroy", `${verb} ${word.value} (a path known only at run time)`);
      return;
    }
    const ctx = this.judge(word.value, scope);
    if (destroys) {
      const dir = word.prefix.slice(0, slash) || "/";
      const abs = resolvePath(dir, ctx);
      if (regenerable(word.suffix) || isArtefact(abs, undefined)) return;
      pathFacts(abs, op, ctx, this.out, {
        ...use,
        contents: true,
        display: word.value,
        untracked: true,
      });
      return;
    }
    pathFacts(resolvePath(word.value, ctx), op, ctx, this.out, {
      ...use,
      display: word.value,
      untracked: true,
    });
  }

  /** An absolute path for a word (for streams and bookkeeping), or undefined when dynamic. */
  resolve(word: Word, scope: Scope): string | undefined {
    return word.literal ? resolvePath(word.value, this.at(scope)) : undefined;
  }

  /** Re-analyses a shell string that will run (bash -c, eval, ssh): bounded by MAX_DEPTH. */
  shell(text: string, scope: Scope, via: string, ctx: AnalysisContext = this.at(scope)): void {
    // ctx: where the string runs; another host or a container has no workspace of ours.
    if (this.ctx.depth >= MAX_DEPTH) {
      this.out.opaque(`${via} nests shell strings more than ${MAX_DEPTH} levels deep`);
      return;
    }
    this.out.merge(this.nested.shell(text, ctx));
  }

  sql(statement: string, scope: Scope): void {
    this.out.merge(this.nested.sql(statement, this.at(scope)));
  }

  http(request: HttpRequest, scope: Scope): void {
    this.out.merge(this.nested.http(request, this.at(scope)));
  }

  /** The context of a command run elsewhere (ssh, a container): its paths are not our workspace. */
  elsewhere(): AnalysisContext {
    return { ...this.ctx, cwd: undefined, workspace: undefined };
  }

  /** Analyses an argv that runs elsewhere (a container), into the same facts. */
  commandElsewhere(words: Word[]): Stream {
    const there = new Run(this.elsewhere(), this.nested, this.execute, this.out);
    return there.command(
      words,
      { cwd: undefined, vars: new Map(), downloads: new Set(), remotes: new Map() },
      { kind: "none" },
    );
  }

  /** Local data sent to `host`: network.egress unless the host is on the allowlist. */
  egress(host: string | undefined, what: string): void {
    if (host) this.out.target("hosts", host);
    if (host && this.allowed(host)) return;
    this.out.add("network.egress", `${what} to ${host ?? "a host known only at run time"}`);
  }

  /** Whether a host belongs to the organisation (ctx.internalHosts globs). */
  internal(host: string): boolean {
    return matches(this.ctx.internalHosts, host);
  }

  allowed(host: string): boolean {
    return matches(this.ctx.egressAllowlist, host);
  }
}

const globLists = new WeakMap<readonly string[], (s: string) => boolean>();
function matches(list: readonly string[], host: string): boolean {
  if (list.length === 0) return false;
  let match = globLists.get(list);
  if (!match) {
    match = picomatch(list as string[], { nocase: true, dot: true });
    globLists.set(list, match);
  }
  return match(host.toLowerCase());
}

/** The host of a URL (or `host:port`, `user@host:path`), lower-cased; undefined if none. */
export function hostOf(target: string): string | undefined {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target : undefined;
  if (url) {
    try {
      return new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, "") || undefined;
    } catch {
      return undefined;
    }
  }
  const m = /^(?:[^@/\s]+@)?(\[[^\]]+\]|[a-z0-9_.-]+)(?::|$)/i.exec(target);
  return m ? (m[1] as string).replace(/^\[|\]$/g, "").toLowerCase() : undefined;
}
