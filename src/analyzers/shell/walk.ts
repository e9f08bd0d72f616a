import type { Node } from "web-tree-sitter";
import { commandName, environment } from "./command.js";
import { type Feed, fork, NONE, type Scope, type Stream, type Word } from "./model.js";
import type { Run } from "./run.js";
import { type Expansion, plainWord, plainWords, wordOf } from "./words.js";

/**
 * A command of plain words only: no quotes, expansions, escapes or operators, and no leading
 * `NAME=value` (an assignment). Its argv is its text split on blanks.
 */
const PLAIN_COMMAND = /^(?![^ \t]*=)[^\s'"`$\\<>|&;()]+(?:[ \t]+[^\s'"`$\\<>|&;()]+)*$/;

/** `2>`, `&>>`, `>|`...: the descriptor and the operator at the start of a redirect. */
const REDIRECT = /^\s*(\d+|\{\w+\})?\s*(&>>|&>|>>|>\||>&|<&|<>|>|<)/;

const SHELLS =
  /^(bash|sh|zsh|dash|ksh|ash|mksh|fish|csh|tcsh|python|perl|ruby|php|node|exec|nc|ncat|telnet)$/;

interface Io {
  stdin: Stream;
  stdoutRedirected: boolean;
  /** A /dev/tcp or /dev/udp peer the command reads from or writes to. */
  socket: string | undefined;
  after: { node: Node; pipe: boolean }[];
}

/**
 * Walks a bash syntax tree: every simple command, in pipes, lists, subshells, substitutions,
 * loops and functions, is analysed with what flows into it (pipe, here-doc, redirect) and the
 * state the script has built (working directory, variables, downloaded files).
 */
export class Walker implements Expansion {
  readonly home: string;

  constructor(private readonly run: Run) {
    this.home = run.ctx.home;
  }

  /** Runs the statements of a block in order, in the same scope; returns the last one's output. */
  block(node: Node, scope: Scope, stdin: Stream = NONE): Stream {
    let out: Stream = NONE;
    for (const child of node.namedChildren) if (child) out = this.statement(child, scope, stdin);
    return out;
  }

  statement(node: Node, scope: Scope, stdin: Stream = NONE): Stream {
    switch (node.type) {
      case "command":
        return this.command(node, scope, stdin);
      case "redirected_statement":
        return this.redirected(node, scope, stdin);
      case "pipeline":
        return this.pipeline(node, scope, stdin);
      case "list":
      case "program":
      case "compound_statement":
      case "do_group":
      case "else_clause":
      case "elif_clause":
      case "negated_command":
        return this.block(node, scope, stdin);
      case "subshell":
      case "command_substitution":
      case "process_substitution":
        return this.block(node, fork(scope), stdin);
      case "variable_assignment":
        this.assign(node, scope, true);
        return NONE;
      case "variable_assignments":
      case "declaration_command":
        for (const child of node.namedChildren) {
          if (child?.type === "variable_assignment") this.assign(child, scope, true);
          else if (child) this.statement(child, scope); // `export $(cat .env)` runs the substitution
        }
        return NONE;
      case "unset_command":
        for (let i = 0; i < node.namedChildCount; i++) {
          const name = (node.namedChild(i) as Node).text;
          scope.vars.set(name, undefined);
          environment(this.run, name, undefined);
        }
        return NONE;
      case "function_definition":
        this.functionDefinition(node, scope);
        return NONE;
      case "for_statement":
        this.forLoop(node, scope);
        return NONE;
      case "comment":
      case "heredoc_body":
      case "heredoc_start":
      case "heredoc_end":
        return NONE;
      default:
        // if/while/case/test/arithmetic...: walk everything below; commands and substitutions run.
        this.block(node, scope);
        return NONE;
    }
  }

  private word(node: Node, scope: Scope, type?: string): Word {
    return wordOf(node, scope, this, type);
  }

  /**
   * A command or process substitution runs its commands. What it prints is known for literal
   * text (`$(echo x)`), `$(pwd)`, `$(mktemp)` (a scratch path) and `$(find ...)` (entries under
   * its root); the feed says whether it downloads or decodes.
   */
  substitute(node: Node, scope: Scope): { text: string | undefined; feed: Feed | undefined } {
    const shown = this.run.stdoutShown;
    this.run.stdoutShown = false;
    const out = this.block(node, fork(scope));
    this.run.stdoutShown = shown;
    const feed: Feed | undefined =
      out.kind === "download" ? "download" : out.kind === "decode" ? "decode" : undefined;
    switch (out.kind) {
      case "text":
        return { text: out.text.replace(/\n+$/, ""), feed };
      case "paths": // `$(find . -name x)`: entries under the root, or everything in it
        return { text: out.filtered ? `${out.under}/{}` : out.under, feed };
      case "dynamic":
        if (out.from === "mktemp") return { text: "/tmp/tmp.(mktemp)", feed };
        if (out.from === "pwd" && scope.cwd) return { text: scope.cwd, feed };
        return { text: undefined, feed };
      default:
        return { text: undefined, feed };
    }
  }

  private command(node: Node, scope: Scope, stdin: Stream, extra: Node[] = []): Stream {
    // Most commands are plain words (`git status`, `rm -rf build`): split the text, skip the tree.
    const text = node.text;
    if (PLAIN_COMMAND.test(text)) {
      const words = plainWords(text);
      if (extra.length === 0) return this.run.command(words, scope, stdin);
      return this.execute(words, this.redirects(extra, scope, stdin), scope);
    }
    const words: Word[] = [];
    const redirects: Node[] = [...extra];
    const env: Node[] = [];
    for (const child of node.namedChildren) {
      if (!child) continue;
      const type = child.type;
      switch (type) {
        case "variable_assignment":
          env.push(child);
          break;
        case "command_name": {
          // Usually one plain word: read its text without visiting the child.
          const text = child.text;
          words.push(
            /^[\w./:@%+,=-]+$/.test(text)
              ? plainWord(text)
              : this.word(child.namedChild(0) ?? child, scope),
          );
          break;
        }
        case "file_redirect":
        case "heredoc_redirect":
        case "herestring_redirect":
          redirects.push(child);
          break;
        default:
          words.push(this.word(child, scope, type));
      }
    }
    for (const a of env) this.assign(a, scope, words.length === 0);
    return this.execute(words, this.redirects(redirects, scope, stdin), scope);
  }

  /** Runs a command's argv with its redirections applied; continuations of a here-doc follow. */
  private execute(words: Word[], io: Io, scope: Scope): Stream {
    if (io.socket && words[0] && SHELLS.test(commandName(words[0].value)))
      this.run.out.add(
        "code.remote_exec",
        `${words[0].value} with its input or output on a socket to ${io.socket} (reverse shell)`,
      );
    const shown = this.run.stdoutShown;
    if (io.stdoutRedirected) this.run.stdoutShown = false;
    const out = words.length ? this.run.command(words, scope, io.stdin) : NONE;
    this.run.stdoutShown = shown;
    for (const next of io.after) this.statement(next.node, scope, next.pipe ? out : NONE);
    return io.stdoutRedirected ? NONE : out;
  }

  private redirected(node: Node, scope: Scope, stdin: Stream): Stream {
    let body: Node | undefined;
    let bodyType = "";
    const redirects: Node[] = [];
    for (const child of node.namedChildren) {
      if (!child) continue;
      const type = child.type;
      if (type.endsWith("redirect")) redirects.push(child);
      else if (!body) {
        body = child;
        bodyType = type;
      }
    }
    if (bodyType === "command" && body) return this.command(body, scope, stdin, redirects);
    const io = this.redirects(redirects, scope, stdin);
    const out = body ? this.statement(body, scope, io.stdin) : NONE;
    for (const next of io.after) this.statement(next.node, scope, next.pipe ? out : NONE);
    return io.stdoutRedirected ? NONE : out;
  }

  /**
   * Redirections: `> f` overwrites, `>> f` appends, `< f` reads, here-docs and here-strings feed
   * stdin. The grammar hangs what follows a here-doc's first line (`| bash`, `&& x`) under it.
   */
  private redirects(nodes: Node[], scope: Scope, stdin: Stream) {
    const io: Io = { stdin, stdoutRedirected: false, socket: undefined, after: [] };
    for (const r of nodes) {
      if (r.type === "herestring_redirect") {
        const w = this.word(r.namedChild(r.namedChildCount - 1) as Node, scope);
        io.stdin =
          w.feed === "download"
            ? { kind: "download", url: undefined }
            : w.feed === "decode"
              ? { kind: "decode", text: undefined }
              : w.literal
                ? { kind: "text", text: w.value }
                : { kind: "dynamic", from: "a here-string" };
        continue;
      }
      if (r.type === "heredoc_redirect") {
        for (let i = 0; i < r.namedChildCount; i++) {
          const child = r.namedChild(i) as Node;
          if (child.type === "heredoc_body") {
            io.stdin = { kind: "text", text: child.text };
            this.block(child, scope); // substitutions in an unquoted here-doc run
          } else if (child.type === "file_redirect") this.fileRedirect(child, scope, io);
          else if (child.type !== "heredoc_start" && child.type !== "heredoc_end")
            io.after.push({
              node: child,
              pipe: child.type === "pipeline" && child.child(0)?.type === "|",
            });
        }
        continue;
      }
      this.fileRedirect(r, scope, io);
    }
    return io;
  }

  private fileRedirect(r: Node, scope: Scope, io: Io): void {
    // The first destination: `>& /dev/tcp/h/p 0>&1` can hang a second one under the same node.
    let dest = r.firstNamedChild;
    let destType = dest?.type;
    if (destType === "file_descriptor") {
      dest = dest?.nextNamedSibling ?? null;
      destType = dest?.type;
    }
    const syntax = REDIRECT.exec(r.text);
    if (!dest || !syntax || destType === "number" || destType === "file_descriptor") return;
    const fd = syntax[1];
    const op = syntax[2] as string;
    const target = this.word(dest, scope, destType);
    if (op.includes("&") && /^(\d+|-)$/.test(target.value) && !op.startsWith("&")) return; // fd duplication
    const run = this.run;
    const tcp = /^\/dev\/(tcp|udp)\/([^/]+)\/\d+$/.exec(target.value);
    if (tcp) {
      io.socket = tcp[2];
      run.egress(tcp[2], `redirect to ${target.value} sends output`);
      if (op.startsWith("<")) io.stdin = { kind: "dynamic", from: target.value };
      else if (fd !== "2") io.stdoutRedirected = true;
      return;
    }
    if (op.startsWith("<")) {
      run.path(target, "read", scope, { verb: "input from" });
      const path = run.resolve(target, scope);
      io.stdin = path ? { kind: "file", path } : { kind: "dynamic", from: "a file" };
      return;
    }
    if (fd !== "2") io.stdoutRedirected = true;
    const append = op.includes(">>");
    run.path(target, append ? "write" : "overwrite", scope, {
      verb: append ? "append to" : "truncating redirect onto",
    });
  }

  private pipeline(node: Node, scope: Scope, stdin: Stream): Stream {
    let stream = stdin;
    const shown = this.run.stdoutShown;
    const children = node.namedChildren;
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      this.run.stdoutShown = shown && i === children.length - 1;
      if (child) stream = this.statement(child, fork(scope), stream);
    }
    this.run.stdoutShown = shown;
    return stream;
  }

  private assign(node: Node, scope: Scope, persist: boolean): void {
    const name = node.childForFieldName("name")?.text ?? "";
    const valueNode = node.childForFieldName("value");
    const value = valueNode ? this.word(valueNode, scope) : undefined;
    environment(this.run, name, value ?? { ...wordStub, value: "" });
    if (!persist) return;
    if (value?.literal && valueNode?.type !== "array")
      scope.vars.set(name, { value: value.value, glob: value.glob });
    else if (value === undefined) scope.vars.set(name, { value: "", glob: false });
    else scope.vars.set(name, undefined);
  }

  /** `f() { f | f & }; f` calls itself in the background: a fork bomb. */
  private functionDefinition(node: Node, scope: Scope): void {
    const name = node.childForFieldName("name")?.text;
    const body = node.childForFieldName("body");
    if (!body) return;
    if (name) {
      const calls = body.descendantsOfType("command_name").filter((n) => n?.text === name).length;
      if (calls >= 2 || (calls >= 1 && /[|&]/.test(body.text)))
        this.run.out.add("system.destroy", `fork bomb: ${name}() calls itself in the background`);
    }
    this.statement(body, fork(scope));
  }

  /** `for x in a b; do ...` with literal values: the body is analysed once per value. */
  private forLoop(node: Node, scope: Scope): void {
    const variable = node.childForFieldName("variable")?.text;
    const body = node.childForFieldName("body");
    const values = node.childrenForFieldName("value").filter((n): n is Node => n !== null);
    const words = values.map((v) => this.word(v, scope));
    if (!variable || !body) return;
    if (words.length > 0 && words.length <= 8 && words.every((w) => w.literal)) {
      for (const w of words) {
        const inner = fork(scope);
        inner.vars.set(variable, { value: w.value, glob: w.glob });
        this.statement(body, inner);
      }
      return;
    }
    const inner = fork(scope);
    inner.vars.set(variable, undefined);
    this.statement(body, inner);
  }
}

const wordStub: Word = {
  value: "",
  literal: true,
  glob: false,
  brace: false,
  expanded: false,
  prefix: "",
  suffix: "",
  feed: undefined,
  procsub: false,
  raw: "",
};
