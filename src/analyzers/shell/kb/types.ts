import type { CategoryId } from "../../../core/catalogue.js";

/**
 * The command knowledge base is data: typed constants, no functions. The engine (rules.ts,
 * command.ts) interprets it. Patterns are regex sources, matched case-insensitively against
 * whole words unless they say otherwise.
 */

/** A condition on a command's arguments. */
export type Cond =
  /** One of these options is present (`-f` also inside a bundle like `-rf`). */
  | { readonly flag: string | readonly string[] }
  /** One of these options has a value matching the pattern (`-X DELETE`, `--replicas=0`). */
  | { readonly option: string | readonly string[]; readonly value: string }
  /** An operand after the subcommand matches (at `at`, when given). */
  | { readonly operand: string; readonly at?: number }
  /** Any word after the command name matches (options and operands alike). */
  | { readonly word: string }
  /** Exactly this many operands after the subcommand. */
  | { readonly operands: number }
  /** Exactly this many words after the command name, options included. */
  | { readonly words: number };

export interface Rule {
  /** Subcommand words that must start the operands, each `a|b` for alternatives. */
  readonly sub?: readonly string[];
  /** Every condition must hold. */
  readonly when?: readonly Cond[];
  /** No condition may hold. */
  readonly unless?: readonly Cond[];
  /** Categories crossed when the rule matches; none for a rule that only runs a handler. */
  readonly category?: CategoryId | readonly CategoryId[];
  /** For humans; `{sub}` is the matched subcommand, `{args}` the operands after it. */
  readonly reason?: string;
  /** Only when no earlier rule of the command matched (a catch-all). */
  readonly otherwise?: boolean;
  /** Code to run for the words after the subcommand (`docker exec`: the command inside). */
  readonly handler?: HandlerName;
  /** Analyzer flags this sets (`unbounded`, `remote`). */
  readonly flags?: readonly string[];
  /** Record the operands after the subcommand as resources, with this prefix (`k8s:`). */
  readonly resources?: string;
  /** Targets named like backups (`acme-backups`, `snap-...`) make data.destroy backup.destroy. */
  readonly backups?: boolean;
}

/** Behaviour implemented in code, named here so the data can say which command needs it. */
export type HandlerName =
  | "rm"
  | "rmdir"
  | "find"
  | "shred"
  | "truncate"
  | "dd"
  | "mv"
  | "cp"
  | "rsync"
  | "tee"
  | "write"
  | "ln"
  | "sed"
  | "chmod"
  | "chown"
  | "curl"
  | "wget"
  | "ssh"
  | "scp"
  | "netcat"
  | "socat"
  | "shell"
  | "eval"
  | "source"
  | "interpreter"
  | "powershell"
  | "cmd"
  | "sql"
  | "mongo"
  | "redis"
  | "echo"
  | "windows-delete"
  | "container-exec"
  | "cloud-copy"
  | "decoder"
  | "kill"
  | "rimraf"
  | "later"
  | "git-remote"
  | "git-push"
  | "mail";

/** A command that runs another command: `sudo rm`, `timeout 5 rm`, `xargs rm`. */
export interface WrapperSpec {
  /** Options of the wrapper that take a value (`-u root`). */
  readonly valueOptions?: readonly string[];
  /** Non-option words before the wrapped command (`timeout 5`, `chroot /x`). */
  readonly leading?: number;
  /** `NAME=value` words before the command set its environment. */
  readonly assignments?: boolean;
  /** Options that mean nothing is run (`command -v`, `sudo -l`). */
  readonly queryOptions?: readonly string[];
  /** Options whose value is a shell string to run (`su -c`, `flock -c`). */
  readonly shellOption?: readonly string[];
  /** The rest of the words, joined with spaces, is run by a shell (`watch`, `ssh`). */
  readonly joined?: boolean;
  /** Options that turn `joined` off: the rest is an argv (`watch -x`). */
  readonly argvOptions?: readonly string[];
  /** The wrapped command's arguments come from stdin (`xargs`). */
  readonly stdinArgs?: boolean;
  /** Options naming the token replaced by each input (`xargs -I{}`). */
  readonly replaceOptions?: readonly string[];
  /** Options naming the working directory of the wrapped command (`env -C`). */
  readonly cwdOptions?: readonly string[];
  /** Subcommand words after which the wrapped command starts (`bundle exec`). */
  readonly after?: readonly string[];
  /** Only these commands are run through the wrapper (`yarn prisma`: a package binary). */
  readonly only?: readonly string[];
  /** Flag recorded when the wrapper is used (`privileged`). */
  readonly flag?: string;
  /** What the wrapper does when it wraps nothing (`env` prints the environment). */
  readonly bare?: { readonly category: CategoryId; readonly reason: string };
}

export interface CommandSpec {
  /** Options taking a value, at every level (`git -C dir`, `commit -m msg`). */
  readonly valueOptions?: readonly string[];
  /** Options are whole words even with one dash (`find -delete`, `java -jar`). */
  readonly longSingleDash?: boolean;
  /** The values of these options are directories written to (when one of `when` is given). */
  readonly writesTo?: { readonly options: readonly string[]; readonly when?: readonly string[] };
  /** The first word may be an option bundle without its dash (`tar czf x.tgz dir`). */
  readonly dashlessFirst?: boolean;
  readonly rules?: readonly Rule[];
  readonly handler?: HandlerName;
  readonly wrapper?: WrapperSpec;
  /** The operands are files this command reads; `skip` leading operands are not (a pattern). */
  readonly reads?: { readonly skip?: number; readonly unlessOptions?: readonly string[] };
  /**
   * What this command prints when piped: its input or files unchanged (`passthrough`), its
   * input rewritten (`transform`: known text becomes unknown), a decoded payload, a download.
   */
  readonly output?: "passthrough" | "transform" | "decode" | "download";
  /** Leading operands to skip before subcommands (`gcloud beta ...`). */
  readonly skipOperands?: readonly string[];
  /** A database client: where its SQL comes from (handler `sql`). */
  readonly sql?: {
    /** Options whose value is SQL (`psql -c`). */
    readonly options?: readonly string[];
    /** Operands from this index on are SQL (`sqlite3 DB SQL`). */
    readonly operand?: number;
  };
  /** A language runtime: how a one-liner is passed (handler `interpreter`). */
  readonly interpreter?: {
    readonly lang: Lang;
    /** Short option letters or long options whose value is code (`-c`, `--eval`). */
    readonly code: readonly string[];
    /** A subcommand whose next operand is code (`deno eval CODE`). */
    readonly codeSub?: string;
  };
}

export type Lang = "python" | "node" | "perl" | "ruby" | "php";

/** An environment variable whose value weakens security or hides activity. */
export interface EnvironmentRule {
  readonly name: string;
  /** Pattern the value must match; absent: any value, including unsetting it. */
  readonly value?: string;
  readonly category: CategoryId;
  readonly reason: string;
}
