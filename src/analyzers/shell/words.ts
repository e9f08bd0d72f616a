import type { Node } from "web-tree-sitter";
import { type Feed, literalWord, type Scope, type Word } from "./model.js";

/** Runs a command or process substitution (its commands execute) and says what it prints. */
export type Substitute = (
  node: Node,
  scope: Scope,
) => { text: string | undefined; feed: Feed | undefined };

/** What expanding a word needs to know besides the scope. */
export interface Expansion {
  home: string;
  substitute: Substitute;
}

const GLOB = /(^|[^\\])[*?[]/;

/** Builds a word from an argument node: quotes removed, escapes resolved, known variables expanded. */
export function wordOf(node: Node, scope: Scope, x: Expansion, type = node.type): Word {
  if (type === "word") return plainWord(node.text);
  const w = new Builder();
  part(node, type, scope, x, w, false);
  return w.word(node.text);
}

/**
 * A command of plain words only (see PLAIN_COMMAND in walk.ts): its text split on runs of
 * blanks, as `split(/[ \t]+/)` would. By hand: String#split is several times slower on the
 * strings commands arrive as (not interned), and this runs for nearly every command.
 */
export function plainWords(text: string): Word[] {
  const words: Word[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) {
      i++;
      continue;
    }
    words.push(plainWord(text.slice(start, i)));
    while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    start = i;
  }
  words.push(plainWord(text.slice(start)));
  return words;
}

/** The common case: one unquoted word. */
export function plainWord(raw: string): Word {
  const value = unescapeWord(raw);
  return {
    value,
    literal: true,
    // The regex only where a glob character is (most words have none).
    glob: (raw.includes("*") || raw.includes("?") || raw.includes("[")) && GLOB.test(raw),
    brace: raw.includes("{") || raw.includes("}"),
    expanded: false,
    prefix: value,
    suffix: value,
    feed: undefined,
    procsub: false,
    raw,
  };
}

/** A whole quoted string without expansions or escapes (`'a b'`, `"a b"`): its inside, literally. */
export function quotedWord(raw: string): Word {
  return { ...literalWord(raw.slice(1, -1)), raw };
}

class Builder {
  value = "";
  literal = true;
  glob = false;
  brace = false;
  expanded = false;
  prefix = "";
  suffix = "";
  feed: Feed | undefined;
  procsub = false;

  text(s: string) {
    this.value += s;
    if (this.literal) this.prefix += s;
    this.suffix += s;
  }
  dynamic(shown: string) {
    this.value += shown;
    this.literal = false;
    this.expanded = true;
    this.suffix = "";
  }
  word(raw: string): Word {
    return {
      raw,
      value: this.value,
      literal: this.literal,
      glob: this.glob,
      brace: this.brace,
      expanded: this.expanded,
      prefix: this.prefix,
      suffix: this.suffix,
      feed: this.feed,
      procsub: this.procsub,
    };
  }
}

function part(
  node: Node,
  type: string,
  scope: Scope,
  x: Expansion,
  w: Builder,
  quoted: boolean,
): void {
  switch (type) {
    case "word": {
      const raw = node.text;
      if (!quoted) {
        if (GLOB.test(raw)) w.glob = true;
        if (raw.includes("{") || raw.includes("}")) w.brace = true;
      }
      w.text(quoted ? raw : unescapeWord(raw));
      return;
    }
    case "raw_string":
      w.text(node.text.slice(1, -1));
      return;
    case "ansi_c_string":
      w.text(ansiC(node.text.slice(2, -1)));
      return;
    case "string":
    case "translated_string":
      stringParts(node, scope, x, w);
      return;
    case "concatenation":
      for (const child of node.namedChildren)
        if (child) part(child, child.type, scope, x, w, quoted);
      return;
    case "simple_expansion":
    case "expansion":
      variable(node, scope, x, w);
      return;
    case "command_substitution": {
      const { text, feed } = x.substitute(node, scope);
      w.expanded = true;
      if (feed) w.feed = feed;
      if (text === undefined) w.dynamic(node.text);
      else w.text(text);
      return;
    }
    case "process_substitution": {
      const { feed } = x.substitute(node, scope);
      if (feed) w.feed = feed;
      w.procsub = true;
      w.dynamic(node.text);
      return;
    }
    case "arithmetic_expansion":
      w.dynamic(node.text);
      return;
    case "string_content":
      w.text(unescapeQuoted(node.text));
      return;
    default:
      // number, regex, test_operator, brace_expression...: the source text is the value
      if (type === "brace_expression") w.brace = true;
      w.text(node.text);
  }
}

/** Double-quoted text: literal runs between the parts the grammar names. */
function stringParts(node: Node, scope: Scope, x: Expansion, w: Builder): void {
  const open = node.type === "translated_string" ? 2 : 1;
  const src = node.text;
  const base = node.startIndex;
  let at = base + open;
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.startIndex > at)
      w.text(unescapeQuoted(src.slice(at - base, child.startIndex - base)));
    part(child, child.type, scope, x, w, true);
    at = child.endIndex;
  }
  const end = base + src.length - 1;
  if (end > at) w.text(unescapeQuoted(src.slice(at - base, end - base)));
}

function variable(node: Node, scope: Scope, x: Expansion, w: Builder): void {
  w.expanded = true;
  const name = variableName(node);
  const plain = node.type === "simple_expansion" || node.namedChildCount === 1;
  const known = name !== undefined && plain ? lookup(name, scope, x.home) : undefined;
  if (known === undefined) {
    w.dynamic(node.text);
    return;
  }
  w.text(known.value);
  if (known.glob) w.glob = true;
}

function variableName(node: Node): string | undefined {
  const first = node.namedChild(0);
  if (!first) return undefined;
  if (first.type === "variable_name" || first.type === "special_variable_name") return first.text;
  return undefined;
}

function lookup(
  name: string,
  scope: Scope,
  home: string,
): { value: string; glob: boolean } | undefined {
  if (scope.vars.has(name)) return scope.vars.get(name);
  switch (name) {
    case "HOME":
      return { value: home, glob: false };
    case "PWD":
      return scope.cwd === undefined ? undefined : { value: scope.cwd, glob: false };
    case "TMPDIR":
      return { value: "/tmp", glob: false };
    default:
      return undefined;
  }
}

/** Backslash escapes outside quotes: `\x` is `x`, a backslash-newline disappears. */
export function unescapeWord(s: string): string {
  if (!s.includes("\\")) return s;
  return s.replace(/\\(\n|.)/g, (_, c: string) => (c === "\n" ? "" : c));
}

/** Inside double quotes only `\$ \` \" \\` and backslash-newline are escapes. */
function unescapeQuoted(s: string): string {
  if (!s.includes("\\")) return s;
  return s.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === "\n" ? "" : c));
}

/** `$'...'` escapes: \n \t \xHH \uHHHH \NNN and friends. */
export function ansiC(s: string): string {
  return s.replace(
    /\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)/g,
    (_, e: string) => {
      switch (e[0]) {
        case "x":
        case "u":
        case "U":
          return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
        case "c":
          return String.fromCharCode((e.charCodeAt(1) ?? 64) & 31);
        case "n":
          return "\n";
        case "t":
          return "\t";
        case "r":
          return "\r";
        case "a":
          return "\x07";
        case "b":
          return "\b";
        case "e":
        case "E":
          return "\x1b";
        case "f":
          return "\f";
        case "v":
          return "\v";
        default:
          return /^[0-7]+$/.test(e) ? String.fromCharCode(Number.parseInt(e, 8)) : e;
      }
    },
  );
}

/** `{a,b}` alternatives, expanded (nested and sequences are left alone); at most 16 results. */
export function expandBraces(value: string): string[] {
  const m = /\{([^{}]*,[^{}]*)\}/.exec(value);
  if (!m) return [value];
  const head = value.slice(0, m.index);
  const tail = value.slice(m.index + m[0].length);
  const out: string[] = [];
  for (const alt of (m[1] as string).split(",")) {
    for (const rest of expandBraces(head + alt + tail)) {
      out.push(rest);
      if (out.length >= 16) return out;
    }
  }
  return out;
}
