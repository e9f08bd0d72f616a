/** The shell analyzer's view of a command line: words, streams and the state a script carries. */

/** Where a word's command substitution gets its text: the network, or a decoder. */
export type Feed = "download" | "decode";

/** One shell word after quote removal and the expansions that are known statically. */
export interface Word {
  /** The value the command receives where known; dynamic parts keep their source text. */
  value: string;
  /** Every part is known (no unknown variable, substitution or arithmetic). */
  literal: boolean;
  /** Unquoted glob characters (`*`, `?`, `[`). */
  glob: boolean;
  /** Unquoted brace expansion (`{a,b}`). */
  brace: boolean;
  /** Contains an expansion or substitution, even one whose value is known. */
  expanded: boolean;
  /** The known text before the first dynamic part (`/srv/` in `/srv/$X`). */
  prefix: string;
  /** The known text after the last dynamic part (`/node_modules` in `$D/node_modules`). */
  suffix: string;
  /** A command substitution inside downloads or decodes what it outputs. */
  feed: Feed | undefined;
  /** A process substitution `<(cmd)`: the command sees a file fed by another command. */
  procsub: boolean;
  /** The source text, quotes and escapes included (Windows paths need their backslashes). */
  raw: string;
}

/** What flows through a pipe or into stdin. */
export type Stream =
  | { kind: "none" }
  | { kind: "text"; text: string }
  | { kind: "download"; url: string | undefined }
  | { kind: "decode"; text: string | undefined }
  | { kind: "file"; path: string }
  | { kind: "paths"; under: string; filtered: boolean }
  | { kind: "dynamic"; from: string };

export const NONE: Stream = { kind: "none" };

/** A variable's value when a script set it to something known. */
export interface Value {
  value: string;
  glob: boolean;
}

/** What a script carries from one command to the next. */
export interface Scope {
  /** The working directory; undefined once a `cd` goes somewhere unknown. */
  cwd: string | undefined;
  /** Variables the script set: a known value, or undefined for one set at run time. */
  vars: Map<string, Value | undefined>;
  /** Files a downloader wrote, so running one later is download-and-execute. */
  downloads: Set<string>;
  /** Git remotes the script added, by name: pushing to one sends the repository there. */
  remotes: Map<string, string>;
}

export function fork(scope: Scope): Scope {
  return {
    cwd: scope.cwd,
    vars: scope.vars.size ? new Map(scope.vars) : new Map(),
    downloads: scope.downloads.size ? new Set(scope.downloads) : new Set(),
    remotes: scope.remotes.size ? new Map(scope.remotes) : new Map(),
  };
}

export function literalWord(value: string): Word {
  return {
    value,
    literal: true,
    glob: false,
    brace: false,
    expanded: false,
    prefix: value,
    suffix: value,
    feed: undefined,
    procsub: false,
    raw: value,
  };
}

/** A word whose value only exists at run time (xargs input, `find -exec {}`). */
export function dynamicWord(shown: string, prefix = ""): Word {
  return { ...literalWord(shown), literal: false, expanded: true, prefix, suffix: "" };
}
